#define CAF_SUITE actors.ssh
#include <caf/all.hpp>
#include <caf/test/unit_test.hpp>

#include <fstream>
#include <thread>

#include "../storage/store_fixture.hpp"
#include "../support/sshd.hpp"
#include "actors/execution.hpp"
#include "actors/timeouts.hpp"
#include "core/error.hpp"

using namespace tasks;
using namespace std::chrono_literals;

namespace {

/// The execution actors on a real scheduler over a real store, talking to
/// real sshd instances on loopback.
struct fixture : store_fixture {
  execution_config cfg;
  std::unique_ptr<caf::actor_system_config> sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  execution exec;
  audit_origin alice{1, "alice", "127.0.0.1", "test"};

  fixture() {
    cfg.num_workers = 4;
    cfg.connect_timeout = 5s;
    cfg.drain_grace = 2s;
  }

  ~fixture() {
    if (sys) {
      stop_execution(*sys, exec);
      exec = execution{}; // detached actors end once no handle is left
      sys.reset();
    }
  }

  void start() {
    sys_cfg = std::make_unique<caf::actor_system_config>();
    sys = std::make_unique<caf::actor_system>(*sys_cfg);
    exec = spawn_execution(*sys, *st, cfg);
  }

  uint64_t add_server(const std::string& name, const test::test_sshd& sshd,
                      uint16_t port = 0) {
    server s;
    s.name = name;
    s.host = "127.0.0.1";
    s.port = port ? port : sshd.port();
    s.username = sshd.user();
    s.key_file = sshd.key_file();
    auto added = st->add_server(s, std::nullopt, alice);
    CAF_REQUIRE(added);
    return added->id;
  }

  template <class T, class... Ts> caf::expected<T> ask(Ts&&... xs) {
    caf::scoped_actor self{*sys};
    caf::expected<T> result = caf::make_error(caf::sec::request_timeout);
    self->request(exec.manager, 60s, std::forward<Ts>(xs)...)
        .receive([&](T& x) { result = std::move(x); },
                 [&](caf::error& err) { result = err; });
    return result;
  }

  task create(uint64_t server_id, const std::string& command,
              uint32_t timeout = 30, bool store_output = true) {
    new_task req;
    req.server_id = server_id;
    req.user_id = 1;
    req.command = command;
    req.timeout_seconds = timeout;
    req.store_output = store_output;
    auto t = ask<task>(create_atom::value, req, alice);
    CAF_REQUIRE(t);
    return *t;
  }

  /// Waits until `t` is final; fails the test after `limit`.
  task wait_final(const task& t, std::chrono::seconds limit = 30s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      auto back = st->get_task(t.id, true);
      CAF_REQUIRE(back);
      if (is_final(back->state))
        return *back;
      std::this_thread::sleep_for(10ms);
    }
    CAF_FAIL("task did not finish: " << t.command);
  }

  /// Waits until `path` holds a pid and returns it.
  long wait_pid_file(const std::string& path) {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto text = test::read_file(path);
      if (!text.empty() && text.back() == '\n')
        return std::stol(text);
      std::this_thread::sleep_for(5ms);
    }
    CAF_FAIL("no pid in " << path);
  }

  bool gone_within(long pid, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!test::process_alive(pid))
        return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

  size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos;
         pos = text.find(what, pos + 1))
      ++n;
    return n;
  }

  std::vector<audit_event> audit_of(const std::string& action) {
    audit_filter f;
    f.action_prefix = action;
    auto records = st->query_audit(f, 100);
    CAF_REQUIRE(records);
    return *records;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(ssh_execution_tests, fixture)

CAF_TEST(stdout_and_stderr_are_stored_separately) {
  test::test_sshd sshd;
  start();
  auto t
      = wait_final(create(add_server("web", sshd), "echo out; echo err >&2"));
  CAF_CHECK(t.state == status::success);
  CAF_CHECK(t.exit_code == std::optional<int32_t>{0});
  CAF_CHECK(t.stdout_text == std::optional<std::string>{"out\n"});
  CAF_CHECK(t.stderr_text == std::optional<std::string>{"err\n"});
  CAF_CHECK(t.started_at && t.finished_at);
}

CAF_TEST(
    a_non_zero_exit_fails_with_its_code_and_output_is_kept_only_on_request) {
  test::test_sshd sshd;
  start();
  auto t = wait_final(
      create(add_server("web", sshd), "echo x; exit 3", 30, false));
  CAF_CHECK(t.state == status::failed);
  CAF_CHECK(t.exit_code == std::optional<int32_t>{3});
  CAF_CHECK(!t.error);
  CAF_CHECK(!t.stdout_text);
}

CAF_TEST(cancel_kills_the_remote_process) {
  test::test_sshd sshd;
  start();
  auto pid_file = sshd.dir() + "/cancel.pid";
  auto t = create(add_server("web", sshd),
                  "echo $$ > " + pid_file + "; exec sleep 30");
  auto pid = wait_pid_file(pid_file);
  CAF_REQUIRE(test::process_alive(pid));
  auto asked = std::chrono::steady_clock::now();
  auto cancelled = ask<task>(cancel_atom::value, t.id, alice);
  auto took = std::chrono::steady_clock::now() - asked;
  CAF_REQUIRE(cancelled);
  CAF_CHECK(cancelled->state == status::cancelled);
  CAF_MESSAGE(
      "cancel answered after "
      << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
      << " ms");
  CAF_CHECK(took < 1s);
  CAF_CHECK(gone_within(pid, 1000ms));
  auto records = audit_of("task.cancel");
  CAF_REQUIRE_EQUAL(records.size(), 1u);
  CAF_CHECK_EQUAL(records[0].username, "alice");
}

CAF_TEST(a_timeout_kills_the_whole_remote_process_group) {
  test::test_sshd sshd;
  start();
  auto dir = sshd.dir();
  auto t = create(add_server("web", sshd),
                  "sh -c 'echo $$ > " + dir
                      + "/child.pid; exec sleep 41' & "
                        "echo $$ > "
                      + dir + "/shell.pid; sleep 42; wait",
                  1);
  auto child = wait_pid_file(dir + "/child.pid");
  auto shell = wait_pid_file(dir + "/shell.pid");
  auto final_task = wait_final(t, 10s);
  CAF_CHECK(final_task.state == status::timeout);
  CAF_CHECK(!final_task.exit_code);
  CAF_CHECK(gone_within(shell, 1000ms));
  CAF_CHECK(gone_within(child, 1000ms));
}

CAF_TEST(one_server_never_overlaps_while_two_servers_do) {
  test::test_sshd one;
  test::test_sshd two;
  start();
  auto a = add_server("one", one);
  auto b = add_server("two", two);
  std::vector<task> tasks_a, tasks_b;
  for (int i = 0; i < 3; ++i) {
    tasks_a.push_back(create(a, "sleep 0.2"));
    tasks_b.push_back(create(b, "sleep 0.2"));
  }
  for (auto* list : {&tasks_a, &tasks_b})
    for (auto& t : *list)
      t = wait_final(t);
  for (auto* list : {&tasks_a, &tasks_b})
    for (size_t i = 1; i < list->size(); ++i)
      CAF_CHECK(*(*list)[i].started_at >= *(*list)[i - 1].finished_at);
  bool overlap = false;
  for (auto& x : tasks_a)
    for (auto& y : tasks_b)
      overlap
          |= *x.started_at < *y.finished_at && *y.started_at < *x.finished_at;
  CAF_CHECK(overlap);
}

CAF_TEST(host_keys_are_pinned_on_first_use_and_a_changed_key_fails) {
  // Every task connects: a warm session would keep talking to the sshd
  // process that still holds the old key.
  cfg.reuse_sessions = false;
  test::test_sshd sshd;
  start();
  auto srv = add_server("web", sshd);
  auto first = wait_final(create(srv, "true"));
  CAF_CHECK(first.state == status::success);
  auto pinned = st->get_server(srv);
  CAF_REQUIRE(pinned);
  CAF_CHECK_EQUAL(pinned->host_key, sshd.host_key_fingerprint());
  CAF_CHECK_EQUAL(audit_of("server.host_key_pinned").size(), 1u);
  auto old_key = sshd.host_key_fingerprint();
  sshd.rotate_host_key();
  auto marker = sshd.dir() + "/ran";
  auto second = wait_final(create(srv, "touch " + marker));
  CAF_CHECK(second.state == status::failed);
  CAF_CHECK(second.error == std::optional<std::string>{"host key mismatch"});
  CAF_CHECK(test::read_file(marker).empty() && !std::ifstream{marker}.good());
  auto after = st->get_server(srv);
  CAF_CHECK_EQUAL(after->host_key, old_key); // never re-pinned
  CAF_CHECK_EQUAL(audit_of("server.host_key_mismatch").size(), 1u);
}

CAF_TEST(invalid_utf8_output_is_stored_with_replacement_characters) {
  test::test_sshd sshd;
  start();
  auto t = wait_final(create(add_server("web", sshd), "printf 'a\\377b'"));
  CAF_CHECK(t.state == status::success);
  CAF_CHECK(t.stdout_text
            == std::optional<std::string>{"a\xef\xbf\xbd"
                                          "b"});
}

CAF_TEST(huge_output_is_capped_and_memory_stays_bounded) {
  test::test_sshd sshd;
  start();
  auto srv = add_server("web", sshd);
  test::reset_peak_rss();
  auto before = test::peak_rss_kib();
  auto t = wait_final(create(srv, "head -c 100000000 /dev/zero | tr '\\0' x"),
                      60s);
  auto growth_mib = (test::peak_rss_kib() - before) / 1024;
  CAF_MESSAGE("peak RSS grew by " << growth_mib << " MiB for 100 MB of output");
  CAF_CHECK(t.state == status::success);
  CAF_CHECK(t.stdout_truncated);
  CAF_CHECK_EQUAL(t.stdout_text->size(), cfg.output_max_bytes);
  CAF_CHECK(growth_mib < 32);
}

CAF_TEST(a_refused_connection_fails_the_task_with_that_reason) {
  test::test_sshd sshd;
  start();
  auto port = sshd.port();
  sshd.stop();
  auto t = wait_final(create(add_server("web", sshd, port), "true"));
  CAF_CHECK(t.state == status::failed);
  CAF_CHECK(t.error == std::optional<std::string>{"connection refused"});
}

CAF_TEST(a_warm_session_serves_the_next_tasks) {
  test::test_sshd sshd;
  start();
  auto srv = add_server("web", sshd);
  for (int i = 0; i < 5; ++i)
    CAF_CHECK(wait_final(create(srv, "true")).state == status::success);
  CAF_CHECK_EQUAL(count(sshd.log(), "Accepted publickey"), 1u);
}

CAF_TEST(a_warm_session_the_server_dropped_is_replaced_without_failing) {
  test::test_sshd sshd;
  start();
  auto srv = add_server("web", sshd);
  CAF_CHECK(wait_final(create(srv, "true")).state == status::success);
  sshd.kill_connections();
  auto marker = sshd.dir() + "/once";
  auto t = wait_final(create(srv, "echo x >> " + marker));
  CAF_CHECK(t.state == status::success);
  CAF_CHECK_EQUAL(test::read_file(marker), "x\n"); // ran exactly once
  CAF_CHECK_EQUAL(count(sshd.log(), "Accepted publickey"), 2u);
}

CAF_TEST(after_a_cancel_or_a_timeout_the_next_task_connects_anew) {
  test::test_sshd sshd;
  start();
  auto srv = add_server("web", sshd);
  CAF_CHECK(wait_final(create(srv, "true")).state == status::success);
  auto pid_file = sshd.dir() + "/cancel.pid";
  auto t = create(srv, "echo $$ > " + pid_file + "; exec sleep 30");
  wait_pid_file(pid_file);
  auto cancelled = ask<task>(cancel_atom::value, t.id, alice);
  CAF_REQUIRE(cancelled);
  CAF_CHECK(wait_final(create(srv, "true")).state == status::success);
  CAF_CHECK_EQUAL(count(sshd.log(), "Accepted publickey"), 2u);
  CAF_CHECK(wait_final(create(srv, "sleep 30", 1), 10s).state
            == status::timeout);
  CAF_CHECK(wait_final(create(srv, "true")).state == status::success);
  CAF_CHECK_EQUAL(count(sshd.log(), "Accepted publickey"), 3u);
}

CAF_TEST(an_idle_session_is_closed_after_session_idle) {
  cfg.session_idle = 1s;
  test::test_sshd sshd;
  start();
  auto srv = add_server("web", sshd);
  CAF_CHECK(wait_final(create(srv, "true")).state == status::success);
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (count(sshd.log(), "Received disconnect") == 0
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  CAF_CHECK_EQUAL(count(sshd.log(), "Received disconnect"), 1u);
  CAF_CHECK(wait_final(create(srv, "true")).state == status::success);
  CAF_CHECK_EQUAL(count(sshd.log(), "Accepted publickey"), 2u);
}

CAF_TEST(without_reuse_every_task_connects) {
  cfg.reuse_sessions = false;
  test::test_sshd sshd;
  start();
  auto srv = add_server("web", sshd);
  for (int i = 0; i < 3; ++i)
    CAF_CHECK(wait_final(create(srv, "true")).state == status::success);
  CAF_CHECK_EQUAL(count(sshd.log(), "Accepted publickey"), 3u);
}

CAF_TEST(after_a_crash_running_tasks_fail_and_queued_ones_run_in_order) {
  test::test_sshd sshd;
  auto srv = add_server("web", sshd);
  new_task req;
  req.server_id = srv;
  req.user_id = 1;
  req.command = "sleep 5";
  auto was_running = st->create_task(req, alice);
  CAF_REQUIRE(was_running);
  task_transition running;
  running.to = status::running;
  CAF_REQUIRE(st->transition_task(was_running->id, running, alice));
  std::vector<task> queued;
  for (int i = 0; i < 3; ++i) {
    req.command = "echo " + std::to_string(i);
    auto t = st->create_task(req, alice);
    CAF_REQUIRE(t);
    queued.push_back(*t);
  }
  reopen(); // the "restart"
  start();
  auto requeued = ask<uint64_t>(recover_atom::value);
  CAF_REQUIRE(requeued);
  CAF_CHECK_EQUAL(*requeued, 3u);
  auto failed = st->get_task(was_running->id);
  CAF_CHECK(failed->state == status::failed);
  CAF_CHECK(failed->error
            == std::optional<std::string>{"interrupted: service restarted"});
  for (auto& t : queued)
    t = wait_final(t);
  for (size_t i = 0; i < queued.size(); ++i) {
    CAF_CHECK(queued[i].state == status::success);
    if (i > 0)
      CAF_CHECK(*queued[i].started_at >= *queued[i - 1].finished_at);
  }
}

CAF_TEST(a_drain_lets_short_tasks_finish_and_cancels_long_ones) {
  test::test_sshd sshd;
  start();
  auto srv = add_server("web", sshd, 0);
  auto long_one = create(srv, "echo $$ > " + sshd.dir()
                                  + "/long.pid; "
                                    "exec sleep 60");
  auto pid = wait_pid_file(sshd.dir() + "/long.pid");
  auto left = ask<uint64_t>(drain_atom::value);
  CAF_REQUIRE(left);
  auto t = st->get_task(long_one.id);
  CAF_CHECK(t->state == status::cancelled);
  CAF_CHECK(gone_within(pid, 1000ms));
  CAF_CHECK(st->tasks_in_state(status::running)->empty());
}

CAF_TEST_FIXTURE_SCOPE_END()
