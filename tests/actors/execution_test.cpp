#define CAF_SUITE actors.execution
#define FAIL(msg) CAF_FAIL(msg) // dsl.hpp's request<T>() needs it
#include <caf/test/dsl.hpp>

#include "../storage/store_fixture.hpp"
#include <map>

#include "actors/storage_actor.hpp"
#include "actors/task_manager.hpp"
#include "actors/task_metrics.hpp"
#include "actors/timeouts.hpp"
#include "core/error.hpp"

using namespace tasks;
using namespace std::chrono_literals;

namespace {

/// The remote side as the test scripts it: commands wait until the test
/// completes them through the runner that holds them.
struct fake_ssh {
  struct command {
    uint64_t key;
    caf::actor runner;
    exec_job job;
  };
  struct connection {
    uint64_t key;
    caf::actor runner;
  };
  std::vector<command> running;
  std::vector<std::string> started;
  /// Connects to a host named "slow" wait for the test.
  std::vector<connection> connecting;
  std::map<uint64_t, caf::typed_response_promise<exec_done>> exec_promises;
  std::map<uint64_t, caf::typed_response_promise<connect_result>>
      connect_promises;
  uint64_t next_key = 1;
};

/// Speaks runner_actor's protocol (it is cast to that handle), plus the
/// test's completions, delivered inside the actor as promises must be.
caf::behavior fake_runner(caf::event_based_actor* self,
                          std::shared_ptr<fake_ssh> ssh) {
  return {
      [self, ssh](connect_atom,
                  const server_access& access) -> caf::result<connect_result> {
        if (access.target.host == "refused")
          return connect_result{
              nullptr, make_error(errc::ssh_failure, "connection refused")};
        if (access.target.host == "slow") {
          auto key = ssh->next_key++;
          ssh->connect_promises.emplace(
              key, self->make_response_promise<connect_result>());
          ssh->connecting.push_back({key, caf::actor_cast<caf::actor>(self)});
          return ssh->connect_promises.at(key);
        }
        return connect_result{nullptr, caf::none};
      },
      [self, ssh](exec_atom, exec_job& job) -> caf::result<exec_done> {
        auto key = ssh->next_key++;
        ssh->exec_promises.emplace(key,
                                   self->make_response_promise<exec_done>());
        ssh->started.push_back(job.request.command);
        ssh->running.push_back(
            {key, caf::actor_cast<caf::actor>(self), std::move(job)});
        return ssh->exec_promises.at(key);
      },
      [ssh](done_atom, uint64_t key, exec_done& done) {
        auto i = ssh->exec_promises.find(key);
        i->second.deliver(std::move(done));
        ssh->exec_promises.erase(i);
      },
      [ssh](done_atom, uint64_t key, connect_result& result) {
        auto i = ssh->connect_promises.find(key);
        i->second.deliver(std::move(result));
        ssh->connect_promises.erase(i);
      },
  };
}

struct fixture : store_fixture, test_coordinator_fixture<> {
  std::shared_ptr<fake_ssh> ssh = std::make_shared<fake_ssh>();
  execution_config cfg;
  storage_actor storage_handle;
  task_manager_actor manager;
  std::vector<runner_actor> runners;
  audit_origin alice{1, "alice", "127.0.0.1", "test"};

  fixture() {
    cfg.num_workers = 4;
    cfg.drain_grace = 10s;
  }

  ~fixture() {
    // The manager takes its supervisors and task actors with it.
    self->send_exit(manager, caf::exit_reason::user_shutdown);
    for (auto& r : runners)
      self->send_exit(r, caf::exit_reason::user_shutdown);
    self->send_exit(storage_handle, caf::exit_reason::user_shutdown);
    sched.run();
  }

  /// Spawns storage, workers and the manager with the current cfg.
  void start() {
    storage_handle = sys.spawn(storage_service, st.get(), cfg,
                               static_cast<task_metrics*>(nullptr));
    for (uint32_t i = 0; i < cfg.num_workers; ++i)
      runners.push_back(
          caf::actor_cast<runner_actor>(sys.spawn(fake_runner, ssh)));
    manager = sys.spawn(task_manager, storage_handle, runners, cfg);
    sched.run();
  }

  uint64_t add_server(const std::string& name, const std::string& host = "h",
                      std::optional<uint32_t> cap = std::nullopt) {
    server s;
    s.name = name;
    s.host = host;
    s.username = "root";
    s.key_file = "/nonexistent";
    s.max_concurrent_tasks = cap;
    auto added = st->add_server(s, std::nullopt, alice);
    CAF_REQUIRE(added);
    return added->id;
  }

  /// Moves the clock and runs what became due (not the other timeouts).
  void tick(caf::timespan d) {
    advance_time(d);
    sched.run();
  }

  /// Sends a request, runs the scheduler (no timeouts) and returns the
  /// answer.
  template <class T, class Handle, class... Ts>
  caf::expected<T> ask(const Handle& h, Ts&&... xs) {
    auto handle = self->request(h, caf::infinite, std::forward<Ts>(xs)...);
    sched.run();
    caf::expected<T> result = caf::make_error(caf::sec::request_timeout);
    bool answered = false;
    handle.receive(
        [&](T& x) {
          result = std::move(x);
          answered = true;
        },
        [&](caf::error& err) {
          result = err;
          answered = true;
        });
    CAF_REQUIRE(answered);
    return result;
  }

  task create(uint64_t server_id, const std::string& command,
              uint32_t timeout = 30, bool store_output = false) {
    new_task req;
    req.server_id = server_id;
    req.user_id = 1;
    req.command = command;
    req.timeout_seconds = timeout;
    req.store_output = store_output;
    auto t = ask<task>(manager, create_atom::value, req, alice);
    CAF_REQUIRE(t);
    return *t;
  }

  /// Completes the running command at `index` with an exit code.
  void complete(size_t index, int32_t exit_code, std::string out = "",
                ssh::exec_outcome outcome = ssh::exec_outcome::exited) {
    CAF_REQUIRE(index < ssh->running.size());
    auto cmd = std::move(ssh->running[index]);
    ssh->running.erase(ssh->running.begin() + static_cast<long>(index));
    exec_done done;
    done.result.outcome = outcome;
    if (outcome == ssh::exec_outcome::exited)
      done.result.exit_code = exit_code;
    done.result.stdout_text = std::move(out);
    self->send(cmd.runner, done_atom::value, cmd.key, std::move(done));
    sched.run();
  }

  /// Completes the running command with `command`.
  void complete(const std::string& command, int32_t exit_code = 0) {
    for (size_t i = 0; i < ssh->running.size(); ++i)
      if (ssh->running[i].job.request.command == command)
        return complete(i, exit_code);
    CAF_FAIL("not running: " << command);
  }

  status state_of(const task& t) {
    auto back = st->get_task(t.id);
    CAF_REQUIRE(back);
    return back->state;
  }

  std::vector<std::string> running_commands() {
    std::vector<std::string> result;
    for (auto& cmd : ssh->running)
      result.push_back(cmd.job.request.command);
    return result;
  }
};

using strings = std::vector<std::string>;

} // namespace

CAF_TEST_FIXTURE_SCOPE(execution_tests, fixture)

CAF_TEST(a_task_runs_to_success_with_its_output_stored) {
  start();
  auto srv = add_server("web");
  auto t = create(srv, "echo hi", 30, true);
  CAF_CHECK_EQUAL(running_commands(), strings{"echo hi"});
  CAF_CHECK(state_of(t) == status::running);
  CAF_CHECK(ssh->running[0].job.request.capture);
  complete(0, 0, "hi\n");
  auto back = st->get_task(t.id, true);
  CAF_REQUIRE(back);
  CAF_CHECK(back->state == status::success);
  CAF_CHECK(back->exit_code == std::optional<int32_t>{0});
  CAF_CHECK(back->stdout_text == std::optional<std::string>{"hi\n"});
}

CAF_TEST(a_non_zero_exit_fails_the_task_with_its_code) {
  start();
  auto t = create(add_server("web"), "false");
  complete(0, 3);
  auto back = st->get_task(t.id);
  CAF_REQUIRE(back);
  CAF_CHECK(back->state == status::failed);
  CAF_CHECK(back->exit_code == std::optional<int32_t>{3});
}

CAF_TEST(tasks_of_one_server_start_in_order_one_at_a_time) {
  start();
  auto srv = add_server("web");
  create(srv, "a");
  create(srv, "b");
  create(srv, "c");
  CAF_CHECK_EQUAL(running_commands(), strings{"a"});
  complete("a");
  CAF_CHECK_EQUAL(running_commands(), strings{"b"});
  complete("b");
  CAF_CHECK_EQUAL(running_commands(), strings{"c"});
  complete("c");
  CAF_CHECK_EQUAL(ssh->started, (strings{"a", "b", "c"}));
}

CAF_TEST(a_server_cap_overrides_the_default) {
  start();
  auto srv = add_server("web", "h", 2);
  create(srv, "a");
  create(srv, "b");
  create(srv, "c");
  CAF_CHECK_EQUAL(running_commands(), (strings{"a", "b"}));
  complete("b");
  CAF_CHECK_EQUAL(running_commands(), (strings{"a", "c"}));
}

CAF_TEST(two_servers_run_at_the_same_time) {
  start();
  create(add_server("one"), "a");
  create(add_server("two"), "b");
  CAF_CHECK_EQUAL(running_commands(), (strings{"a", "b"}));
}

CAF_TEST(the_global_cap_bounds_running_tasks_across_servers) {
  cfg.num_workers = 2;
  start();
  create(add_server("one"), "a");
  create(add_server("two"), "b");
  create(add_server("three"), "c");
  CAF_CHECK_EQUAL(running_commands(), (strings{"a", "b"}));
  auto stats = ask<manager_stats>(manager, stats_atom::value);
  CAF_REQUIRE(stats);
  CAF_CHECK_EQUAL(stats->running, 2u);
  CAF_CHECK_EQUAL(stats->queued, 1u);
  complete("a");
  CAF_CHECK_EQUAL(running_commands(), (strings{"b", "c"}));
}

CAF_TEST(a_busy_server_does_not_starve_another) {
  cfg.num_workers = 1;
  start();
  auto busy = add_server("busy", "h", 4);
  auto quiet = add_server("quiet");
  for (int i = 0; i < 100; ++i)
    create(busy, "busy " + std::to_string(i));
  create(quiet, "quiet");
  // Workers go round-robin: the quiet server is served within one turn.
  complete("busy 0");
  complete(0, 0);
  CAF_CHECK_EQUAL(ssh->started.size(), 3u);
  CAF_CHECK_EQUAL(ssh->started.back(), "quiet");
}

CAF_TEST(a_cancelled_queued_task_never_starts) {
  start();
  auto srv = add_server("web");
  create(srv, "a");
  auto b = create(srv, "b");
  auto cancelled = ask<task>(manager, cancel_atom::value, b.id, alice);
  CAF_REQUIRE(cancelled);
  CAF_CHECK(cancelled->state == status::cancelled);
  complete("a");
  CAF_CHECK_EQUAL(ssh->started, strings{"a"});
  CAF_CHECK(ssh->running.empty());
  CAF_CHECK(state_of(b) == status::cancelled);
  audit_filter f;
  f.task = b.id;
  f.action_prefix = "task.cancel";
  auto records = st->query_audit(f, 10);
  CAF_REQUIRE(records);
  CAF_REQUIRE_EQUAL(records->size(), 1u);
  CAF_CHECK_EQUAL((*records)[0].username, "alice");
}

CAF_TEST(cancelling_a_running_task_stops_its_command) {
  start();
  auto srv = add_server("web");
  auto a = create(srv, "sleep 30");
  create(srv, "next");
  auto handle
      = self->request(manager, caf::infinite, cancel_atom::value, a.id, alice);
  sched.run();
  CAF_REQUIRE_EQUAL(ssh->running.size(), 1u);
  CAF_CHECK(ssh->running[0].job.stop->reason() == ssh::stop_reason::cancel);
  CAF_CHECK(state_of(a) == status::running); // until the process is gone
  complete(0, 0, "", ssh::exec_outcome::cancelled);
  bool answered = false;
  handle.receive(
      [&](task& t) {
        answered = true;
        CAF_CHECK(t.state == status::cancelled);
        CAF_CHECK(!t.exit_code);
      },
      [&](caf::error& err) { CAF_FAIL("cancel failed: " << to_string(err)); });
  CAF_CHECK(answered);
  CAF_CHECK(state_of(a) == status::cancelled);
  CAF_CHECK_EQUAL(running_commands(), strings{"next"}); // worker freed
}

CAF_TEST(a_task_past_its_deadline_is_stopped_as_timeout) {
  start();
  auto t = create(add_server("web"), "sleep 30", 5);
  tick(4s);
  CAF_CHECK(ssh->running[0].job.stop->reason() == ssh::stop_reason::none);
  tick(1s);
  CAF_CHECK(ssh->running[0].job.stop->reason() == ssh::stop_reason::timeout);
  complete(0, 0, "", ssh::exec_outcome::timed_out);
  CAF_CHECK(state_of(t) == status::timeout);
}

CAF_TEST(each_running_task_gets_its_own_deadline) {
  // The supervisor keeps one delayed message for the earliest deadline: a
  // later task with a shorter timeout must not wait for the pending one.
  start();
  auto server = add_server("web", "h", 3);
  auto slow = create(server, "slow", 10);
  tick(1s);
  auto fast = create(server, "fast", 3);
  auto done = create(server, "done", 2);
  complete("done"); // its deadline must not touch anything
  auto stop_of = [&](const std::string& command) {
    for (auto& cmd : ssh->running)
      if (cmd.job.request.command == command)
        return cmd.job.stop->reason();
    CAF_FAIL("not running: " << command);
  };
  tick(2s); // 3 s
  CAF_CHECK(stop_of("fast") == ssh::stop_reason::none);
  tick(1s); // 4 s: fast's deadline
  CAF_CHECK(stop_of("fast") == ssh::stop_reason::timeout);
  CAF_CHECK(stop_of("slow") == ssh::stop_reason::none);
  tick(5s); // 9 s
  CAF_CHECK(stop_of("slow") == ssh::stop_reason::none);
  tick(1s); // 10 s: slow's deadline
  CAF_CHECK(stop_of("slow") == ssh::stop_reason::timeout);
  CAF_CHECK(state_of(done) == status::success);
  CAF_CHECK(state_of(slow) == status::running);
}

CAF_TEST(a_runner_silent_past_the_deadline_and_slack_is_given_up) {
  start();
  auto t = create(add_server("web"), "sleep 30", 5);
  tick(5s);
  CAF_REQUIRE(ssh->running[0].job.stop->reason() == ssh::stop_reason::timeout);
  tick(timeouts::runner_slack - 1s);
  CAF_CHECK(state_of(t) == status::running);
  tick(1s);
  auto back = st->get_task(t.id);
  CAF_REQUIRE(back);
  CAF_CHECK(back->state == status::failed);
  CAF_CHECK_EQUAL(back->error.value_or(""),
                  "internal error: the worker did not answer");
  // The worker goes back, as after an answer.
  auto stats = ask<manager_stats>(manager, stats_atom::value);
  CAF_CHECK_EQUAL(stats->running, 0u);
}

CAF_TEST(a_task_whose_server_is_gone_fails_when_it_starts) {
  start();
  auto id = add_server("web");
  create(id, "first");
  auto queued = create(id, "second"); // waits: one at a time per server
  CAF_REQUIRE_EQUAL(running_commands(), strings{"first"});
  CAF_REQUIRE(!st->remove_server(id, alice));
  complete("first");
  CAF_CHECK_EQUAL(running_commands(), strings{});
  auto back = st->get_task(queued.id);
  CAF_REQUIRE(back);
  CAF_CHECK(back->state == status::failed);
  CAF_CHECK_EQUAL(back->error.value_or(""),
                  "server " + std::to_string(id) + " no longer exists");
}

CAF_TEST(a_deadline_during_connect_ends_the_task_at_once) {
  start();
  auto t = create(add_server("web", "slow"), "true", 5);
  CAF_REQUIRE_EQUAL(ssh->connecting.size(), 1u);
  tick(5s);
  CAF_CHECK(state_of(t) == status::timeout);
  // The worker comes back only when the connect returns.
  auto stats = ask<manager_stats>(manager, stats_atom::value);
  CAF_CHECK_EQUAL(stats->running, 1u);
  self->send(ssh->connecting[0].runner, done_atom::value,
             ssh->connecting[0].key, connect_result{nullptr, caf::none});
  sched.run();
  CAF_CHECK(ssh->started.empty());
  stats = ask<manager_stats>(manager, stats_atom::value);
  CAF_CHECK_EQUAL(stats->running, 0u);
}

CAF_TEST(a_connect_failure_fails_the_task_with_its_reason) {
  start();
  auto t = create(add_server("web", "refused"), "true");
  auto back = st->get_task(t.id);
  CAF_REQUIRE(back);
  CAF_CHECK(back->state == status::failed);
  CAF_CHECK(back->error == std::optional<std::string>{"connection refused"});
  CAF_CHECK(!back->exit_code);
}

CAF_TEST(a_full_queue_refuses_new_tasks) {
  cfg.max_queued = 2;
  start();
  auto srv = add_server("web");
  create(srv, "a"); // starts: no longer queued
  create(srv, "b");
  create(srv, "c");
  new_task req;
  req.server_id = srv;
  req.command = "d";
  auto refused = ask<task>(manager, create_atom::value, req, alice);
  CAF_REQUIRE(!refused);
  CAF_CHECK(refused.error() == errc::queue_full);
  complete("a");
  CAF_CHECK(ask<task>(manager, create_atom::value, req, alice));
}

CAF_TEST(cancelling_a_final_or_unknown_task_is_refused) {
  start();
  auto t = create(add_server("web"), "true");
  complete(0, 0);
  auto again = ask<task>(manager, cancel_atom::value, t.id, alice);
  CAF_REQUIRE(!again);
  CAF_CHECK(again.error() == errc::conflict);
  auto unknown = ask<task>(manager, cancel_atom::value, new_task_id(), alice);
  CAF_REQUIRE(!unknown);
  CAF_CHECK(unknown.error() == errc::not_found);
}

CAF_TEST(recovery_fails_running_tasks_and_requeues_queued_ones_in_order) {
  // The store as a crash left it: one task running, two queued.
  auto srv = add_server("web");
  new_task req;
  req.server_id = srv;
  req.user_id = 1;
  req.command = "was running";
  auto running = st->create_task(req, alice);
  task_transition start_it;
  start_it.to = status::running;
  CAF_REQUIRE(st->transition_task(running->id, start_it, alice));
  req.command = "first";
  CAF_REQUIRE(st->create_task(req, alice));
  req.command = "second";
  CAF_REQUIRE(st->create_task(req, alice));
  start();
  auto requeued = ask<uint64_t>(manager, recover_atom::value);
  CAF_REQUIRE(requeued);
  CAF_CHECK_EQUAL(*requeued, 2u);
  auto back = st->get_task(running->id);
  CAF_CHECK(back->state == status::failed);
  CAF_CHECK(back->error
            == std::optional<std::string>{"interrupted: service restarted"});
  CAF_CHECK_EQUAL(running_commands(), strings{"first"});
  complete("first");
  CAF_CHECK_EQUAL(running_commands(), strings{"second"});
}

CAF_TEST(drain_refuses_new_work_and_cancels_after_the_grace_period) {
  start();
  auto srv = add_server("web");
  auto a = create(srv, "sleep 100");
  auto b = create(srv, "waits");
  auto drained = self->request(manager, caf::infinite, drain_atom::value);
  sched.run();
  new_task req;
  req.server_id = srv;
  req.command = "late";
  auto late = ask<task>(manager, create_atom::value, req, alice);
  CAF_REQUIRE(!late);
  CAF_CHECK(late.error() == errc::shutting_down);
  tick(cfg.drain_grace);
  CAF_REQUIRE_EQUAL(ssh->running.size(), 1u);
  CAF_CHECK(ssh->running[0].job.stop->reason() == ssh::stop_reason::cancel);
  complete(0, 0, "", ssh::exec_outcome::cancelled);
  bool answered = false;
  drained.receive(
      [&](uint64_t left) {
        answered = true;
        CAF_CHECK_EQUAL(left, 1u);
      },
      [&](caf::error& err) { CAF_FAIL(to_string(err)); });
  CAF_CHECK(answered);
  auto back = st->get_task(a.id);
  CAF_CHECK(back->state == status::cancelled);
  CAF_CHECK(back->error
            == std::optional<std::string>{"cancelled: service shutting down"});
  CAF_CHECK(state_of(b) == status::queued); // runs again after a restart
}

CAF_TEST(a_task_that_finishes_within_the_grace_period_keeps_its_result) {
  start();
  auto t = create(add_server("web"), "quick");
  auto drained = self->request(manager, caf::infinite, drain_atom::value);
  sched.run();
  complete("quick");
  bool answered = false;
  drained.receive([&](uint64_t) { answered = true; },
                  [&](caf::error& err) { CAF_FAIL(to_string(err)); });
  CAF_CHECK(answered);
  CAF_CHECK(state_of(t) == status::success);
}

CAF_TEST_FIXTURE_SCOPE_END()
