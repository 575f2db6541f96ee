// Group commit in the storage actor: requests that arrive together share one
// synced write, and each is answered only after that write.
#define CAF_SUITE actors.storage_group_commit
#define FAIL(msg) CAF_FAIL(msg) // dsl.hpp's request<T>() needs it
#include <thread>
#include <vector>

#include "storage_actor_fixture.hpp"

#include "actors/task_metrics.hpp"
#include "core/error.hpp"

using namespace tasks;

namespace {

/// The storage actor's private flush message, as the test sees it.
const caf::atom_value flush_message = caf::atom("gflush");

new_task request_on(uint64_t server_id, std::string command = "true") {
  new_task req;
  req.server_id = server_id;
  req.user_id = 1;
  req.command = std::move(command);
  req.timeout_seconds = 30;
  return req;
}

audit_event login_event(int i) {
  audit_event e;
  e.action = "auth.login";
  e.metadata = "{\"i\":" + std::to_string(i) + "}";
  return e;
}

/// Recomputes the chain; returns its length (0 when it is broken).
uint64_t verified_records(storage::store& st) {
  auto report = st.verify_audit();
  CAF_REQUIRE(report);
  CAF_CHECK(!report->first_bad_seq);
  return report->first_bad_seq ? 0 : report->records;
}

void add_server(storage::store& st) {
  server s;
  s.name = "srv-1";
  s.host = "10.1.1.1";
  s.username = "root";
  s.key_file = "/nonexistent";
  CAF_REQUIRE(st.add_server(s, std::nullopt, audit_origin{}));
}

struct fixture : storage_actor_fixture {
  fixture() {
    add_server(*st);
    start();
  }

  using create_handle = decltype(std::declval<caf::scoped_actor&>()->request(
      std::declval<storage_actor&>(), caf::infinite, create_atom::value,
      new_task{}, audit_origin{}));

  /// Sends `n` creates at once: they all wait in the mailbox together.
  std::vector<create_handle> send_creates(size_t n) {
    std::vector<create_handle> handles;
    for (size_t i = 0; i < n; ++i)
      handles.push_back(
          self->request(storage, caf::infinite, create_atom::value,
                        request_on(1, "echo " + std::to_string(i)), admin));
    return handles;
  }

  template <class T, class Handle> caf::expected<T> answer(Handle& handle) {
    caf::expected<T> result = caf::make_error(caf::sec::request_timeout);
    handle.receive([&](T& x) { result = std::move(x); },
                   [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  /// The answers of `handles`, all of which must be tasks.
  std::vector<task> tasks_of(std::vector<create_handle>& handles) {
    std::vector<task> result;
    for (auto& h : handles) {
      auto t = answer<task>(h);
      CAF_REQUIRE(t);
      result.push_back(std::move(*t));
    }
    return result;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(storage_group_commit_tests, fixture)

CAF_TEST(requests_waiting_together_are_answered_after_one_flush) {
  auto writes = st->writes();
  self->send(storage, create_atom::value, request_on(1), admin);
  self->send(storage, audit_atom::value, login_event(1));
  self->send(storage, create_atom::value, request_on(1), admin);
  expect((create_atom, new_task, audit_origin), from(self).to(storage));
  expect((audit_atom, audit_event), from(self).to(storage));
  expect((create_atom, new_task, audit_origin), from(self).to(storage));
  // Staged, not yet written: no answer has left the actor.
  CAF_CHECK_EQUAL(st->staged_changes(), 3u);
  CAF_CHECK_EQUAL(st->writes(), writes);
  disallow((task), from(storage).to(self));
  expect((caf::atom_value), from(_).to(storage).with(flush_message));
  CAF_CHECK_EQUAL(st->writes(), writes + 1);
  expect((task), from(storage).to(self));
  expect((uint64_t), from(storage).to(self));
  expect((task), from(storage).to(self));
  CAF_CHECK(!sched.has_job());
}

CAF_TEST(many_concurrent_creates_share_few_synced_writes_and_survive) {
  constexpr size_t n = 300; // more than one group holds
  auto writes = st->writes();
  auto before = verified_records(*st);
  auto handles = send_creates(n);
  sched.run();
  auto created = tasks_of(handles);
  CAF_CHECK_EQUAL(created.size(), n);
  // 256 in the first group, the rest in the second.
  CAF_CHECK_EQUAL(st->writes() - writes, 2u);
  CAF_CHECK_EQUAL(verified_records(*st), before + n);
  self->send_exit(storage, caf::exit_reason::user_shutdown);
  sched.run();
  reopen();
  for (const auto& t : created) {
    auto stored = st->get_task(t.id);
    CAF_REQUIRE(stored);
    CAF_CHECK_EQUAL(stored->command, t.command);
  }
  CAF_CHECK_EQUAL(verified_records(*st), before + n);
}

CAF_TEST(a_rejected_request_is_answered_alone) {
  auto writes = st->writes();
  auto first = self->request(storage, caf::infinite, create_atom::value,
                             request_on(1), admin);
  auto bad_server = self->request(storage, caf::infinite, create_atom::value,
                                  request_on(99), admin);
  task_transition start;
  start.to = status::running;
  auto unknown = self->request(storage, caf::infinite, transit_atom::value,
                               new_task_id(), start, admin);
  auto audit = self->request(storage, caf::infinite, audit_atom::value,
                             login_event(1));
  auto last = self->request(storage, caf::infinite, create_atom::value,
                            request_on(1), admin);
  sched.run();
  CAF_CHECK(answer<task>(first));
  CAF_CHECK(!answer<task>(bad_server));
  auto missing = answer<task>(unknown);
  CAF_REQUIRE(!missing);
  CAF_CHECK(missing.error() == errc::not_found);
  auto seq = answer<uint64_t>(audit);
  CAF_REQUIRE(seq);
  CAF_CHECK_EQUAL(*seq, 3u); // server.create, task.create, auth.login
  CAF_CHECK(answer<task>(last));
  CAF_CHECK_EQUAL(st->writes() - writes, 1u);
  CAF_CHECK_EQUAL(verified_records(*st), 4u);
}

CAF_TEST(a_failed_group_write_fails_every_request_in_it) {
  auto before = verified_records(*st);
  auto writes = st->writes();
  db->fail_next_write(make_error(errc::storage_failure, "disk full (test)"));
  auto handles = send_creates(5);
  auto audit = self->request(storage, caf::infinite, audit_atom::value,
                             login_event(1));
  sched.run();
  for (auto& h : handles) {
    auto t = answer<task>(h);
    CAF_REQUIRE(!t);
    CAF_CHECK(t.error() == errc::storage_failure);
  }
  CAF_CHECK(!answer<uint64_t>(audit));
  CAF_CHECK_EQUAL(st->writes(), writes);
  // The next group starts from the stored state.
  auto retry = send_creates(2);
  sched.run();
  CAF_CHECK_EQUAL(tasks_of(retry).size(), 2u);
  auto head = st->head();
  CAF_REQUIRE(head);
  CAF_CHECK_EQUAL(head->seq, before + 2);
  CAF_CHECK_EQUAL(verified_records(*st), before + 2);
}

CAF_TEST(a_read_behind_staged_changes_flushes_them_first) {
  auto writes = st->writes();
  self->send(storage, create_atom::value, request_on(1), admin);
  auto listed
      = self->request(storage, caf::infinite, list_atom::value, task_filter{});
  sched.run();
  auto tasks = answer<std::vector<task>>(listed);
  CAF_REQUIRE(tasks);
  CAF_CHECK_EQUAL(tasks->size(), 1u);
  // The flush message that followed found nothing left to write.
  CAF_CHECK_EQUAL(st->writes() - writes, 1u);
}

CAF_TEST(other_writes_flush_the_open_group_first) {
  self->send(storage, audit_atom::value, login_event(1));
  auto added = self->request(storage, caf::infinite, create_atom::value,
                             user_atom::value, std::string{"bob"}, role::viewer,
                             std::string{""}, admin);
  sched.run();
  CAF_CHECK(answer<user>(added));
  auto newest = st->query_audit(audit_filter{}, 2);
  CAF_REQUIRE(newest && newest->size() == 2u);
  CAF_CHECK_EQUAL((*newest)[0].action, "user.create");
  CAF_CHECK_EQUAL((*newest)[1].action, "auth.login");
  CAF_CHECK_EQUAL(verified_records(*st), 3u);
}

CAF_TEST(an_exit_writes_and_answers_the_open_group_first) {
  auto handle = self->request(storage, caf::infinite, create_atom::value,
                              request_on(1), admin);
  expect((create_atom, new_task, audit_origin), from(self).to(storage));
  CAF_CHECK_EQUAL(st->staged_changes(), 1u);
  self->send_exit(storage, caf::exit_reason::user_shutdown);
  sched.run();
  CAF_CHECK_EQUAL(st->staged_changes(), 0u);
  auto created = answer<task>(handle);
  CAF_REQUIRE(created);
  CAF_CHECK(st->get_task(created->id));
  // The store takes one-call writes again.
  CAF_CHECK(st->create_task(request_on(1), admin));
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

/// A real, multi-threaded actor system around a detached storage actor.
struct threaded_fixture : store_fixture {
  void run_senders(size_t senders, size_t per_sender,
                   std::vector<task>& created, size_t& failures) {
    caf::actor_system_config cfg;
    caf::actor_system sys{cfg};
    auto storage = sys.spawn<caf::detached>(
        storage_service, st.get(), execution_config{},
        static_cast<task_metrics*>(nullptr));
    std::vector<std::vector<task>> by_sender(senders);
    std::vector<size_t> failed(senders, 0);
    std::vector<std::thread> threads;
    for (size_t s = 0; s < senders; ++s)
      threads.emplace_back([&, s] {
        caf::scoped_actor self{sys};
        for (size_t i = 0; i < per_sender; ++i)
          self->request(storage, std::chrono::seconds(30), create_atom::value,
                        request_on(1), audit_origin{})
              .receive([&](task& t) { by_sender[s].push_back(std::move(t)); },
                       [&](caf::error&) { ++failed[s]; });
      });
    for (auto& t : threads)
      t.join();
    caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
    for (size_t s = 0; s < senders; ++s) {
      created.insert(created.end(), by_sender[s].begin(), by_sender[s].end());
      failures += failed[s];
    }
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(storage_group_commit_threaded_tests, threaded_fixture)

CAF_TEST(concurrent_senders_get_every_answer_with_fewer_syncs) {
  add_server(*st);
  constexpr size_t senders = 16;
  constexpr size_t per_sender = 25;
  auto writes = st->writes();
  std::vector<task> created;
  size_t failures = 0;
  run_senders(senders, per_sender, created, failures);
  CAF_CHECK_EQUAL(failures, 0u);
  CAF_CHECK_EQUAL(created.size(), senders * per_sender);
  auto group_writes = st->writes() - writes;
  CAF_MESSAGE(created.size() << " creates in " << group_writes << " writes");
  CAF_CHECK(group_writes < created.size());
  reopen();
  for (const auto& t : created)
    CAF_CHECK(st->get_task(t.id));
  CAF_CHECK_EQUAL(verified_records(*st), 1 + senders * per_sender);
}

CAF_TEST_FIXTURE_SCOPE_END()
