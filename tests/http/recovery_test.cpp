// Restarts of the real tasksd (SPEC §5): after a crash the running task is
// failed and the queued one runs; on SIGTERM running tasks get their grace,
// long ones are cancelled, and new requests are refused with 503.
#define CAF_SUITE http.recovery
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <thread>

#include "http/api_support.hpp"

using namespace tasks::test;
using namespace std::chrono_literals;

namespace {

/// One task at a time per server, so a second task waits in the queue.
std::map<std::string, std::string> one_at_a_time() {
  return {{"TASKS_CONCURRENT_PER_SERVER", "1"}};
}

/// Whether the records (newest first) form an unbroken chain: seq counts
/// down by one and each prev_hash is the hash of the record before it.
bool unbroken(const std::vector<json>& records) {
  for (size_t i = 1; i < records.size(); ++i) {
    const auto& newer = records[i - 1];
    const auto& older = records[i];
    if (newer["seq"].num() != older["seq"].num() + 1
        || newer["prev_hash"].str() != older["hash"].str()) {
      CAF_MESSAGE("chain broken between " << older.dump() << " and "
                                          << newer.dump());
      return false;
    }
  }
  return !records.empty() && records.back()["seq"].num() == 1;
}

} // namespace

CAF_TEST(after_a_crash_the_running_task_fails_and_the_queued_one_runs) {
  service svc{&shared_sshd(), one_at_a_time()};
  auto running = create_task(svc.http, svc.admin, svc.server_id, "sleep 30");
  wait_status(svc.http, svc.admin, running, "running");
  auto queued = create_task(svc.http, svc.admin, svc.server_id, "echo after",
                            "\"store_output\":true");
  auto queued_too = create_task(svc.http, svc.admin, svc.server_id, "true");
  for (const auto& id : {queued, queued_too})
    CAF_CHECK_EQUAL(get_task(svc.http, svc.admin, id)["status"].text(),
                    "queued");
  auto before = audit_records(svc.http, svc.admin);
  svc.proc.kill9();
  svc.proc.start();
  svc.reconnect();
  auto& c = svc.http;
  // Recovery runs before the API answers: no polling needed for this one.
  auto failed = get_task(c, svc.admin, running);
  CAF_CHECK_EQUAL(failed["status"].text(), "failed");
  CAF_CHECK_EQUAL(failed["error"].text(), "interrupted: service restarted");
  CAF_CHECK_EQUAL(failed["exit_code"].text(), "<null>");
  CAF_CHECK(iso_seconds(failed["finished_at"].str()).has_value());
  auto done = wait_final(c, svc.admin, queued);
  CAF_CHECK_EQUAL(done["status"].text(), "success");
  CAF_CHECK_EQUAL(done["stdout"].text(), "after\n");
  // The queued tasks run again in their order (one at a time here).
  auto next = wait_final(c, svc.admin, queued_too);
  CAF_CHECK_EQUAL(next["status"].text(), "success");
  CAF_CHECK_LESS_OR_EQUAL(iso_seconds(done["finished_at"].str()).value_or(1e18),
                          iso_seconds(next["started_at"].str()).value_or(0));
  // Nothing lost: all three listed, newest first.
  auto list = list_tasks(c, svc.admin, "");
  CAF_CHECK_EQUAL(ids_of(list),
                  (std::vector<std::string>{queued_too, queued, running}));
  CAF_CHECK_EQUAL(list["count"].text(), "3");
  // The audit chain goes on from where the crash left it.
  auto after = audit_records(c, svc.admin);
  CAF_CHECK(unbroken(after));
  CAF_CHECK_GREATER(after.size(), before.size());
  if (!before.empty() && after.size() >= before.size())
    CAF_CHECK_EQUAL(after[after.size() - before.size()]["hash"].text(),
                    before[0]["hash"].text());
  std::vector<std::string> fails;
  for (const auto& r : audit_records(c, svc.admin, "action=task.fail"))
    if (r["task_id"].str() == running)
      fails.push_back(r["metadata"]["error"].str());
  CAF_CHECK_EQUAL(fails,
                  std::vector<std::string>{"interrupted: service restarted"});
  std::vector<std::string> of_queued;
  for (const auto& r : audit_records(c, svc.admin, "action=task."))
    if (r["task_id"].str() == queued)
      of_queued.push_back(r["action"].str());
  CAF_CHECK_EQUAL(of_queued, (std::vector<std::string>{
                                 "task.finish", "task.start", "task.create"}));
}

CAF_TEST(sigterm_kills_the_remote_commands_of_many_cancelled_tasks) {
  // Many at once, as on a busy appliance: every cancel opens its own kill
  // channel while the others are still stopping.
  constexpr int tasks = 100;
  service svc{&shared_sshd(),
              {{"TASKS_CONCURRENT_PER_SERVER", std::to_string(tasks)},
               {"TASKS_NUM_WORKERS", std::to_string(tasks)}}};
  const auto pid_dir = shared_sshd().dir() + "/drain-pids";
  std::filesystem::create_directories(pid_dir);
  std::vector<std::string> ids;
  for (int i = 0; i < tasks; ++i)
    ids.push_back(create_task(svc.http, svc.admin, svc.server_id,
                              "echo $$ > " + pid_dir + "/"
                                  + std::to_string(i) + "; sleep 300"));
  for (const auto& id : ids)
    wait_status(svc.http, svc.admin, id, "running");
  std::vector<long> pids;
  for (int i = 0; i < tasks; ++i) {
    const auto file = pid_dir + "/" + std::to_string(i);
    CAF_REQUIRE(await([&] { return !read_file(file).empty(); }, 10s));
    pids.push_back(std::stol(read_file(file)));
  }
  CAF_CHECK_EQUAL(svc.proc.stop(), 0);
  // Each kill channel waited for its `kill`, so the processes are gone or
  // zombies (process_alive() skips those: PID 1 here reaps orphans late).
  auto alive = [&] {
    return std::count_if(pids.begin(), pids.end(), process_alive);
  };
  await([&] { return alive() == 0; }, 5s);
  CAF_CHECK_EQUAL(alive(), 0);
  for (auto pid : pids)
    if (process_alive(pid))
      ::kill(static_cast<pid_t>(pid), SIGKILL);
  svc.proc.start();
  svc.reconnect();
  for (const auto& id : ids)
    CAF_CHECK_EQUAL(get_task(svc.http, svc.admin, id)["status"].text(),
                    "cancelled");
}

CAF_TEST(sigterm_lets_a_short_running_task_finish) {
  service svc{&shared_sshd(), one_at_a_time()};
  auto id = create_task(svc.http, svc.admin, svc.server_id, "sleep 2");
  wait_status(svc.http, svc.admin, id, "running");
  CAF_CHECK_EQUAL(svc.proc.stop(), 0);
  svc.proc.start();
  svc.reconnect();
  // Final in the store before the stop ended, not after the restart.
  auto t = get_task(svc.http, svc.admin, id);
  CAF_CHECK_EQUAL(t["status"].text(), "success");
  CAF_CHECK_EQUAL(t["exit_code"].text(), "0");
  CAF_CHECK_EQUAL(t["error"].text(), "<null>");
}

CAF_TEST(sigterm_cancels_a_long_task_after_the_grace_and_refuses_new_work) {
  service svc{&shared_sshd(), one_at_a_time()};
  auto& c = svc.http;
  auto id = create_task(c, svc.admin, svc.server_id, "sleep 30");
  wait_status(c, svc.admin, id, "running");
  auto waiting = create_task(c, svc.admin, svc.server_id, "echo later",
                             "\"store_output\":true");
  CAF_CHECK_EQUAL(get_task(c, svc.admin, waiting)["status"].text(), "queued");
  auto signalled = std::chrono::steady_clock::now();
  CAF_REQUIRE_EQUAL(::kill(svc.proc.pid(), SIGTERM), 0);
  // Draining starts within moments; the running task then holds the
  // process up for its grace, and the API answers 503 meanwhile.
  auto deadline = signalled + 5s;
  http_response health;
  do {
    health = c.request("GET", "/api/health");
    if (health.status == 503)
      break;
    std::this_thread::sleep_for(20ms);
  } while (std::chrono::steady_clock::now() < deadline);
  CAF_CHECK_EQUAL(health.status, 503);
  CAF_CHECK(is_error(call(c, "GET", "/api/tasks", svc.admin.token), 503,
                     "shutting_down"));
  CAF_CHECK(is_error(post_task(c, svc.admin, svc.server_id, "true"), 503,
                     "shutting_down"));
  CAF_CHECK(is_error(cancel_task(c, svc.admin, id), 503, "shutting_down"));
  CAF_CHECK(is_error(c.request("POST", "/api/auth/login",
                               "{\"username\":\"admin\",\"password\":"
                                   + json_quote(svc.admin.password) + "}"),
                     503, "shutting_down"));
  CAF_CHECK_EQUAL(svc.proc.stop(), 0);
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - signalled)
                  .count();
  CAF_MESSAGE("stopped " << took << " ms after SIGTERM");
  // SPEC §5: up to 10 s of grace, then the task is cancelled.
  CAF_CHECK_GREATER_OR_EQUAL(took, 9000);
  CAF_CHECK_LESS(took, 25000);
  svc.proc.start();
  svc.reconnect();
  auto t = get_task(svc.http, svc.admin, id);
  CAF_CHECK_EQUAL(t["status"].text(), "cancelled");
  CAF_CHECK(iso_seconds(t["finished_at"].str()).has_value());
  // Had it been left running, recovery would have failed it as interrupted.
  CAF_CHECK_EQUAL(
      list_tasks(svc.http, svc.admin, "status=failed")["count"].text(), "0");
  // The queued one was kept and runs after the restart.
  auto later = wait_final(svc.http, svc.admin, waiting);
  CAF_CHECK_EQUAL(later["status"].text(), "success");
  CAF_CHECK_EQUAL(later["stdout"].text(), "later\n");
  // Nothing was created while draining.
  CAF_CHECK_EQUAL(list_tasks(svc.http, svc.admin, "")["count"].text(), "2");
}
