// Group commit in the store: staged changes, one write, rollback on failure.
#define CAF_SUITE storage.group_commit
#include <caf/test/unit_test.hpp>

#include "core/error.hpp"
#include "store_fixture.hpp"

using namespace tasks;
using namespace tasks::storage;

namespace {

/// The error of a call that should fail, by value: a reference into a
/// temporary result dangles inside CAF_CHECK_EQUAL.
template <class T> caf::error error_of(caf::expected<T> result) {
  if (result)
    return caf::error{};
  return std::move(result.error());
}

struct fixture : store_fixture {
  audit_origin alice{1, "alice", "127.0.0.1", "test"};

  fixture() {
    server s;
    s.name = "srv-1";
    s.host = "127.0.0.1";
    s.username = "root";
    s.key_file = "/root/.ssh/id_ed25519";
    CAF_REQUIRE(st->add_server(s, std::nullopt, alice));
  }

  static new_task request(std::string command = "echo hi") {
    new_task req;
    req.server_id = 1;
    req.user_id = 1;
    req.command = std::move(command);
    req.timeout_seconds = 30;
    return req;
  }

  static task_transition to(status next) {
    task_transition change;
    change.to = next;
    if (is_final(next))
      change.exit_code = 0;
    return change;
  }

  static audit_event event(std::string action) {
    audit_event e;
    e.action = std::move(action);
    return e;
  }

  task stage_create(std::string command = "echo hi") {
    auto t = st->stage_create_task(request(std::move(command)), alice);
    CAF_REQUIRE(t);
    return *t;
  }

  task stage_move(const task& t, status next) {
    auto moved = st->stage_transition_task(t.id, to(next), audit_origin{});
    CAF_REQUIRE(moved);
    return *moved;
  }

  /// The stored state of a task that must exist (a local, not a member of
  /// a temporary: GCC's -Wdangling-pointer at -O2).
  status state_of(const task_id& id) {
    auto t = st->get_task(id);
    CAF_REQUIRE(t);
    return t->state;
  }

  uint64_t head_seq() {
    auto h = st->head();
    CAF_REQUIRE(h);
    return h->seq;
  }

  /// Verifies the whole chain and returns its length.
  uint64_t verified_records() {
    auto report = st->verify_audit();
    CAF_REQUIRE(report);
    CAF_CHECK(!report->first_bad_seq);
    CAF_CHECK_EQUAL(report->problem, "");
    return report->records;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(group_commit_tests, fixture)

CAF_TEST(a_staged_group_is_written_once_and_chains_in_staging_order) {
  auto before = head_seq();
  auto writes = st->writes();
  auto a = stage_create("echo a");
  auto b = stage_create("echo b");
  // Later changes see earlier staged ones: a is queued, then running.
  stage_move(a, status::running);
  auto finished = stage_move(a, status::success);
  CAF_CHECK_EQUAL(finished.state, status::success);
  auto seq1 = st->stage_audit(event("auth.login"));
  auto seq2 = st->stage_audit(event("auth.logout"));
  CAF_REQUIRE(seq1 && seq2);
  CAF_CHECK_EQUAL(*seq1, before + 5);
  CAF_CHECK_EQUAL(*seq2, before + 6);
  CAF_CHECK(b.created_at > a.created_at);
  CAF_CHECK_EQUAL(st->staged_changes(), 6u);
  CAF_CHECK(st->staged_bytes() > 0);
  // Nothing is visible or written before the commit.
  CAF_CHECK_EQUAL(error_of(st->get_task(a.id)), errc::not_found);
  CAF_CHECK_EQUAL(head_seq(), before);
  CAF_CHECK_EQUAL(st->writes(), writes);
  CAF_REQUIRE(!st->commit_group());
  CAF_CHECK_EQUAL(st->writes(), writes + 1);
  CAF_CHECK_EQUAL(st->staged_changes(), 0u);
  CAF_CHECK_EQUAL(head_seq(), before + 6);
  auto newest = audit(); // newest first
  CAF_REQUIRE(newest.size() >= 6u);
  std::vector<std::string> actions;
  for (size_t i = 6; i > 0; --i)
    actions.push_back(newest[i - 1].action);
  CAF_CHECK_EQUAL(actions, (std::vector<std::string>{
                               "task.create", "task.create", "task.start",
                               "task.finish", "auth.login", "auth.logout"}));
  CAF_CHECK_EQUAL(verified_records(), before + 6);
  reopen();
  auto stored_a = st->get_task(a.id);
  auto stored_b = st->get_task(b.id);
  CAF_REQUIRE(stored_a && stored_b);
  CAF_CHECK_EQUAL(stored_a->state, status::success);
  CAF_CHECK_EQUAL(stored_b->state, status::queued);
  CAF_CHECK_EQUAL(verified_records(), before + 6);
  // Creation times keep growing past the group after a restart.
  auto next = st->create_task(request(), alice);
  CAF_REQUIRE(next);
  CAF_CHECK(next->created_at > b.created_at);
}

CAF_TEST(a_rejected_change_leaves_the_rest_of_its_group_intact) {
  auto before = head_seq();
  auto a = stage_create();
  stage_move(a, status::running);
  stage_move(a, status::success);
  // a became final inside the group: it cannot change again.
  auto again = st->stage_transition_task(a.id, to(status::running), alice);
  CAF_CHECK_EQUAL(again.error(), errc::conflict);
  auto unknown
      = st->stage_transition_task(new_task_id(), to(status::running), alice);
  CAF_CHECK_EQUAL(unknown.error(), errc::not_found);
  auto invalid = st->stage_create_task(request(""), alice);
  CAF_CHECK_EQUAL(invalid.error(), errc::invalid_argument);
  auto b = stage_create();
  CAF_CHECK_EQUAL(st->staged_changes(), 4u);
  CAF_REQUIRE(!st->commit_group());
  CAF_CHECK_EQUAL(head_seq(), before + 4);
  CAF_CHECK_EQUAL(verified_records(), before + 4);
  CAF_CHECK_EQUAL(state_of(a.id), status::success);
  CAF_CHECK_EQUAL(state_of(b.id), status::queued);
}

CAF_TEST(a_failed_group_write_stores_nothing_and_rolls_the_state_back) {
  auto before = st->head();
  CAF_REQUIRE(before);
  auto writes = st->writes();
  auto stored = st->create_task(request(), alice);
  CAF_REQUIRE(stored);
  auto head_after_stored = head_seq();
  auto a = stage_create();
  stage_move(*stored, status::running);
  CAF_REQUIRE(st->stage_audit(event("auth.login")));
  db->fail_next_write(make_error(errc::storage_failure, "disk full (test)"));
  CAF_CHECK_EQUAL(st->commit_group(), errc::storage_failure);
  CAF_CHECK_EQUAL(st->writes(), writes + 1); // only the one-call create
  CAF_CHECK_EQUAL(st->staged_changes(), 0u);
  CAF_CHECK_EQUAL(head_seq(), head_after_stored);
  CAF_CHECK_EQUAL(error_of(st->get_task(a.id)), errc::not_found);
  CAF_CHECK_EQUAL(state_of(stored->id), status::queued);
  // The next group continues the chain from the stored head: nothing of
  // the failed group's seq numbers or staged tasks survives.
  CAF_CHECK_EQUAL(
      error_of(st->stage_transition_task(a.id, to(status::running), alice)),
      errc::not_found);
  auto seq = st->stage_audit(event("auth.logout"));
  CAF_REQUIRE(seq);
  CAF_CHECK_EQUAL(*seq, head_after_stored + 1);
  stage_move(*stored, status::running);
  CAF_REQUIRE(!st->commit_group());
  CAF_CHECK_EQUAL(verified_records(), head_after_stored + 2);
  reopen();
  CAF_CHECK_EQUAL(verified_records(), head_after_stored + 2);
  CAF_CHECK_EQUAL(state_of(stored->id), status::running);
}

CAF_TEST(a_failed_one_call_write_rolls_back_like_a_group) {
  auto before = head_seq();
  db->fail_next_write(make_error(errc::storage_failure, "disk full (test)"));
  CAF_CHECK_EQUAL(error_of(st->create_task(request(), alice)),
                  errc::storage_failure);
  CAF_CHECK_EQUAL(head_seq(), before);
  CAF_REQUIRE(!st->append_audit(event("auth.login")));
  CAF_CHECK_EQUAL(head_seq(), before + 1);
  CAF_CHECK_EQUAL(verified_records(), before + 1);
}

CAF_TEST(one_call_writes_refuse_to_interleave_with_an_open_group) {
  auto before = head_seq();
  CAF_REQUIRE(st->stage_audit(event("auth.login")));
  CAF_CHECK_EQUAL(error_of(st->create_task(request(), alice)), errc::conflict);
  CAF_CHECK_EQUAL(st->append_audit(event("auth.logout")), errc::conflict);
  CAF_CHECK_EQUAL(error_of(st->add_user("bob", role::viewer, "", alice)),
                  errc::conflict);
  CAF_REQUIRE(!st->commit_group());
  CAF_REQUIRE(st->add_user("bob", role::viewer, "", alice));
  CAF_CHECK_EQUAL(head_seq(), before + 2);
  CAF_CHECK_EQUAL(verified_records(), before + 2);
}

CAF_TEST(each_one_call_write_is_a_group_of_one) {
  auto writes = st->writes();
  auto t = st->create_task(request(), alice);
  CAF_REQUIRE(t);
  CAF_REQUIRE(st->transition_task(t->id, to(status::running), alice));
  CAF_REQUIRE(!st->append_audit(event("auth.login")));
  CAF_CHECK_EQUAL(st->writes(), writes + 3);
  CAF_CHECK_EQUAL(st->staged_changes(), 0u);
  // An empty group writes nothing.
  CAF_REQUIRE(!st->commit_group());
  CAF_CHECK_EQUAL(st->writes(), writes + 3);
}

CAF_TEST_FIXTURE_SCOPE_END()
