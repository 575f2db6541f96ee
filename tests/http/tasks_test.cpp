// The task endpoints of SPEC §4 against the real tasksd and a real sshd:
// execution outcomes, cancel, list filters, and what the audit log and the
// service log keep of a task.
#define CAF_SUITE http.tasks
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <thread>

#include "http/api_support.hpp"

using namespace tasks::test;
using namespace std::chrono_literals;

namespace {

/// The suite's tasksd: four tasks may run at once on the one server, so a
/// slow test never queues the next one's tasks.
service& shared() {
  static service instance{
      &shared_sshd(),
      {{"TASKS_CONCURRENT_PER_SERVER", "4"}, {"TASKS_NUM_WORKERS", "4"}}};
  return instance;
}

struct fixture {
  service& svc = shared();
  http_client& http = svc.http;
  const session& admin = svc.admin;
  uint64_t server = svc.server_id;

  /// Waits until `path` holds a pid (the remote shell's) and returns it.
  long wait_pid_file(const std::string& path) {
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      auto text = read_file(path);
      if (!text.empty() && text.back() == '\n')
        return std::stol(text);
      std::this_thread::sleep_for(10ms);
    }
    CAF_ERROR("no pid in " << path);
    return -1;
  }

  /// Whether `pid` is gone within `limit`.
  bool gone_within(long pid, std::chrono::milliseconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!process_alive(pid))
        return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
};

/// The fields SPEC §3 names for a task.
const std::vector<std::string> task_fields = {"id",
                                              "server_id",
                                              "user_id",
                                              "command",
                                              "status",
                                              "exit_code",
                                              "stdout",
                                              "stderr",
                                              "stdout_truncated",
                                              "stderr_truncated",
                                              "error",
                                              "timeout_seconds",
                                              "store_output",
                                              "started_at",
                                              "finished_at",
                                              "created_at"};

std::vector<std::string> missing_fields(const json& t) {
  std::vector<std::string> result;
  for (const auto& name : task_fields)
    if (!t[name].valid())
      result.push_back(name);
  return result;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(http_tasks_tests, fixture)

CAF_TEST(echo_hello_succeeds_with_its_output_exit_code_and_timestamps) {
  auto res
      = post_task(http, admin, server, "echo hello", "\"store_output\":true");
  CAF_CHECK_EQUAL(res.status, 202);
  auto body = body_json(res);
  auto id = body["task_id"].str();
  CAF_CHECK_EQUAL(body["success"].text(), "true");
  CAF_CHECK_EQUAL(body["message"].text(),
                  "Task created and queued for execution");
  CAF_CHECK(is_uuid_v4(id));
  CAF_CHECK_EQUAL(res.header("Location"), "/api/tasks/" + id);
  CAF_CHECK_EQUAL(res.header("Content-Type").find("application/json"), 0u);
  if (id.empty())
    return;
  auto t = wait_final(http, admin, id);
  CAF_CHECK_EQUAL(missing_fields(t), std::vector<std::string>{});
  CAF_CHECK_EQUAL(t["id"].text(), id);
  CAF_CHECK_EQUAL(t["status"].text(), "success");
  CAF_CHECK_EQUAL(t["exit_code"].text(), "0");
  CAF_CHECK_EQUAL(t["stdout"].text(), "hello\n");
  CAF_CHECK_EQUAL(t["stderr"].text(), "");
  CAF_CHECK(t["stderr"].is_string());
  CAF_CHECK_EQUAL(t["stdout_truncated"].text(), "false");
  CAF_CHECK_EQUAL(t["stderr_truncated"].text(), "false");
  CAF_CHECK_EQUAL(t["error"].text(), "<null>");
  CAF_CHECK_EQUAL(t["command"].text(), "echo hello");
  CAF_CHECK_EQUAL(t["server_id"].num(), static_cast<int64_t>(server));
  CAF_CHECK_EQUAL(t["user_id"].num(), static_cast<int64_t>(admin.id));
  CAF_CHECK_EQUAL(t["store_output"].text(), "1");
  CAF_CHECK_EQUAL(t["timeout_seconds"].text(), "60"); // TASKS_DEFAULT_TIMEOUT
  auto created = iso_seconds(t["created_at"].str());
  auto started = iso_seconds(t["started_at"].str());
  auto finished = iso_seconds(t["finished_at"].str());
  CAF_CHECK(created && started && finished);
  if (created && started && finished) {
    CAF_CHECK_LESS_OR_EQUAL(*created, *started);
    CAF_CHECK_LESS_OR_EQUAL(*started, *finished);
    // Not a clock check; it catches a unit or time-zone slip.
    auto now = static_cast<double>(std::time(nullptr));
    CAF_CHECK_LESS(std::abs(*finished - now), 120.0);
  }
}

CAF_TEST(a_non_zero_exit_fails_the_task_with_that_exit_code) {
  auto id = create_task(http, admin, server, "exit 3", "\"store_output\":true");
  auto t = wait_final(http, admin, id);
  CAF_CHECK_EQUAL(t["status"].text(), "failed");
  CAF_CHECK_EQUAL(t["exit_code"].text(), "3");
  CAF_CHECK_EQUAL(t["error"].text(), "<null>");
  CAF_CHECK(iso_seconds(t["started_at"].str()).has_value()
            && iso_seconds(t["finished_at"].str()).has_value());
}

CAF_TEST(output_is_stored_only_when_the_request_asks_for_it) {
  // SPEC: store_output accepts true/false/0/1; TASKS_STORE_OUTPUT_DEFAULT is 0.
  const std::vector<std::pair<std::string, bool>> cases
      = {{"\"store_output\":true", true},
         {"\"store_output\":1", true},
         {"\"store_output\":false", false},
         {"\"store_output\":0", false},
         {"", false}};
  std::vector<std::string> ids;
  for (const auto& c : cases)
    ids.push_back(
        create_task(http, admin, server, "echo out; echo err >&2", c.first));
  for (size_t i = 0; i < cases.size(); ++i) {
    CAF_MESSAGE("body member: " << cases[i].first);
    auto t = wait_final(http, admin, ids[i]);
    CAF_CHECK_EQUAL(t["status"].text(), "success");
    if (cases[i].second) {
      CAF_CHECK_EQUAL(t["store_output"].text(), "1");
      CAF_CHECK_EQUAL(t["stdout"].text(), "out\n");
      CAF_CHECK_EQUAL(t["stderr"].text(), "err\n");
    } else {
      CAF_CHECK_EQUAL(t["store_output"].text(), "0");
      CAF_CHECK_EQUAL(t["stdout"].text(), "<null>");
      CAF_CHECK_EQUAL(t["stderr"].text(), "<null>");
    }
  }
}

CAF_TEST(a_command_running_past_its_timeout_ends_as_timeout) {
  auto pid_file = shared_sshd().dir() + "/timeout-" + random_text(8);
  auto id = create_task(http, admin, server,
                        "echo $$ > " + pid_file + "; exec sleep 30",
                        "\"timeout_seconds\":1");
  auto pid = wait_pid_file(pid_file);
  auto t = wait_final(http, admin, id, 15s);
  CAF_CHECK_EQUAL(t["status"].text(), "timeout");
  CAF_CHECK_EQUAL(t["timeout_seconds"].text(), "1");
  auto started = iso_seconds(t["started_at"].str());
  auto finished = iso_seconds(t["finished_at"].str());
  CAF_CHECK(started && finished);
  if (started && finished) {
    CAF_CHECK_GREATER_OR_EQUAL(*finished - *started, 0.9);
    CAF_CHECK_LESS(*finished - *started, 10.0);
  }
  // The remote process is killed, not left behind.
  CAF_CHECK(gone_within(pid, 5s));
}

CAF_TEST(cancel_of_a_running_task_kills_it_and_a_second_cancel_conflicts) {
  auto pid_file = shared_sshd().dir() + "/cancel-" + random_text(8);
  auto id = create_task(http, admin, server,
                        "echo $$ > " + pid_file + "; exec sleep 30");
  auto running = wait_status(http, admin, id, "running");
  CAF_CHECK(iso_seconds(running["started_at"].str()).has_value());
  auto pid = wait_pid_file(pid_file);
  auto res = cancel_task(http, admin, id);
  CAF_CHECK_EQUAL(res.status, 200);
  CAF_CHECK_EQUAL(
      res.body, R"({"success":true,"message":"Task cancelled successfully"})");
  // The 200 means it is cancelled now, not eventually.
  auto t = get_task(http, admin, id);
  CAF_CHECK_EQUAL(t["status"].text(), "cancelled");
  CAF_CHECK(iso_seconds(t["finished_at"].str()).has_value());
  CAF_CHECK_EQUAL(t["exit_code"].text(), "<null>");
  CAF_CHECK(gone_within(pid, 5s));
  CAF_CHECK(is_error(cancel_task(http, admin, id), 409, "conflict"));
  CAF_CHECK_EQUAL(get_task(http, admin, id)["status"].text(), "cancelled");
}

CAF_TEST(a_final_task_cannot_be_cancelled) {
  auto id = create_task(http, admin, server, "true");
  CAF_CHECK_EQUAL(wait_final(http, admin, id)["status"].text(), "success");
  CAF_CHECK(is_error(cancel_task(http, admin, id), 409, "conflict"));
  CAF_CHECK_EQUAL(get_task(http, admin, id)["status"].text(), "success");
}

CAF_TEST(cancel_of_a_queued_task_never_starts_it) {
  // One task at a time on the server: the second one waits behind a sleep.
  service one{&shared_sshd(), {{"TASKS_CONCURRENT_PER_SERVER", "1"}}};
  auto& c = one.http;
  auto marker = shared_sshd().dir() + "/queued-" + random_text(8);
  auto blocker = create_task(c, one.admin, one.server_id, "sleep 30");
  wait_status(c, one.admin, blocker, "running");
  auto queued = create_task(c, one.admin, one.server_id, "touch " + marker);
  CAF_CHECK_EQUAL(get_task(c, one.admin, queued)["status"].text(), "queued");
  auto res = cancel_task(c, one.admin, queued);
  CAF_CHECK_EQUAL(res.status, 200);
  CAF_CHECK_EQUAL(
      res.body, R"({"success":true,"message":"Task cancelled successfully"})");
  CAF_CHECK_EQUAL(cancel_task(c, one.admin, blocker).status, 200);
  // A task created after the cancel runs and ends: had the cancelled one
  // been started, it would have been started before this one.
  auto after = create_task(c, one.admin, one.server_id, "true");
  CAF_CHECK_EQUAL(wait_final(c, one.admin, after)["status"].text(), "success");
  auto t = get_task(c, one.admin, queued);
  CAF_CHECK_EQUAL(t["status"].text(), "cancelled");
  CAF_CHECK_EQUAL(t["started_at"].text(), "<null>");
  CAF_CHECK_EQUAL(t["exit_code"].text(), "<null>");
  CAF_CHECK(iso_seconds(t["finished_at"].str()).has_value());
  CAF_CHECK_EQUAL(read_file(marker), "");
  CAF_CHECK(!std::ifstream{marker}.good());
  CAF_CHECK_EQUAL(get_task(c, one.admin, blocker)["status"].text(),
                  "cancelled");
}

CAF_TEST(task_list_filters_match_the_tasks_created) {
  // A tasksd of its own: every task in it is one of these.
  service own{&shared_sshd(), {{"TASKS_CONCURRENT_PER_SERVER", "4"}}};
  auto& c = own.http;
  const auto& adm = own.admin;
  auto s1 = own.server_id;
  auto s2 = add_server(c, adm, shared_sshd(), "second");
  auto op = add_user(c, adm, "lister", "operator");
  struct made {
    std::string id;
    uint64_t server;
    uint64_t user;
    std::string status;
    double created;
  };
  std::vector<made> all; // in creation order
  auto run = [&](const session& who, uint64_t srv, const std::string& command,
                 const std::string& expected) {
    auto id = create_task(c, who, srv, command);
    auto t = expected == "cancelled" ? wait_status(c, adm, id, "running")
                                     : wait_final(c, adm, id);
    if (expected == "cancelled") {
      CAF_CHECK_EQUAL(cancel_task(c, who, id).status, 200);
      t = get_task(c, adm, id);
    }
    CAF_CHECK_EQUAL(t["status"].text(), expected);
    all.push_back({id, srv, who.id, t["status"].str(),
                   iso_seconds(t["created_at"].str()).value_or(0)});
  };
  run(adm, s1, "true", "success");      // 0
  run(adm, s1, "exit 1", "failed");     // 1
  run(adm, s2, "true", "success");      // 2
  run(op, s1, "true", "success");       // 3
  run(op, s1, "exit 2", "failed");      // 4
  run(op, s2, "true", "success");       // 5
  run(op, s2, "sleep 30", "cancelled"); // 6
  for (size_t i = 1; i < all.size(); ++i)
    CAF_CHECK_LESS(all[i - 1].created, all[i].created);
  // The reference: the matching tasks, newest first.
  auto expect = [&](const std::function<bool(const made&)>& match) {
    std::vector<std::string> ids;
    for (auto i = all.rbegin(); i != all.rend(); ++i)
      if (match(*i))
        ids.push_back(i->id);
    return ids;
  };
  auto check = [&](const session& who, const std::string& query,
                   const std::vector<std::string>& expected) {
    auto list = list_tasks(c, who, query);
    // The query goes along, so a failure names it.
    CAF_CHECK_EQUAL(std::make_pair(query, ids_of(list)),
                    std::make_pair(query, expected));
    CAF_CHECK_EQUAL(
        std::make_pair(query, list["count"].num()),
        std::make_pair(query, static_cast<int64_t>(expected.size())));
  };
  auto n = [](uint64_t x) { return std::to_string(x); };
  auto any = [](const made&) { return true; };
  check(adm, "", expect(any));
  auto everything = list_tasks(c, adm, "");
  CAF_CHECK_EQUAL(everything["limit"].text(), "100");
  CAF_CHECK_EQUAL(everything["offset"].text(), "0");
  CAF_CHECK_EQUAL(everything["tasks"][0]["id"].text(), all.back().id);
  check(adm, "server_id=" + n(s1),
        expect([&](const made& m) { return m.server == s1; }));
  check(adm, "server_id=" + n(s2),
        expect([&](const made& m) { return m.server == s2; }));
  for (std::string status :
       {"success", "failed", "cancelled", "queued", "running", "timeout"})
    check(adm, "status=" + status,
          expect([&](const made& m) { return m.status == status; }));
  check(adm, "user_id=" + n(op.id),
        expect([&](const made& m) { return m.user == op.id; }));
  check(adm, "user_id=" + n(adm.id),
        expect([&](const made& m) { return m.user == adm.id; }));
  check(adm, "server_id=" + n(s1) + "&status=failed",
        expect([&](const made& m) {
          return m.server == s1 && m.status == "failed";
        }));
  check(
      adm, "user_id=" + n(op.id) + "&server_id=" + n(s2),
      expect([&](const made& m) { return m.user == op.id && m.server == s2; }));
  check(adm, "user_id=" + n(adm.id) + "&server_id=" + n(s1) + "&status=success",
        expect([&](const made& m) {
          return m.user == adm.id && m.server == s1 && m.status == "success";
        }));
  check(adm, "status=success&user_id=" + n(op.id), expect([&](const made& m) {
          return m.user == op.id && m.status == "success";
        }));
  // Time bounds strictly between two tasks (shown times are rounded down
  // to milliseconds, so half a millisecond before the later one is safe).
  auto between
      = [&](size_t later) { return iso_text(all[later].created - 0.0005); };
  auto created_from = [&](size_t first) {
    return
        [&, first](const made& m) { return m.created >= all[first].created; };
  };
  check(adm, "from=" + between(3), expect(created_from(3)));
  check(adm, "to=" + between(3),
        expect([&](const made& m) { return m.created < all[3].created; }));
  check(adm, "from=" + between(2) + "&to=" + between(5),
        expect([&](const made& m) {
          return m.created >= all[2].created && m.created < all[5].created;
        }));
  check(adm, "server_id=" + n(s1) + "&from=" + between(2),
        expect([&](const made& m) {
          return m.server == s1 && m.created >= all[2].created;
        }));
  check(adm, "status=success&to=" + between(4), expect([&](const made& m) {
          return m.status == "success" && m.created < all[4].created;
        }));
  check(adm, "from=" + iso_text(all.back().created + 60), {});
  // Pages of the newest-first order.
  auto newest = expect(any);
  auto page = [&](size_t offset, size_t limit) {
    std::vector<std::string> result;
    for (size_t i = offset; i < newest.size() && i < offset + limit; ++i)
      result.push_back(newest[i]);
    return result;
  };
  check(adm, "limit=2", page(0, 2));
  check(adm, "limit=2&offset=2", page(2, 2));
  check(adm, "limit=3&offset=5", page(5, 3));
  check(adm, "offset=6", page(6, 100));
  check(adm, "offset=7", {});
  check(adm, "limit=1&offset=1&status=success",
        std::vector<std::string>{
            expect([](const made& m) { return m.status == "success"; })[1]});
  auto paged = list_tasks(c, adm, "limit=2&offset=4");
  CAF_CHECK_EQUAL(paged["limit"].text(), "2");
  CAF_CHECK_EQUAL(paged["offset"].text(), "4");
  CAF_CHECK_EQUAL(paged["count"].text(), "2");
  CAF_CHECK_EQUAL(list_tasks(c, adm, "limit=100")["limit"].text(), "100");
  // An operator's list is its own tasks whatever the filters.
  check(op, "", expect([&](const made& m) { return m.user == op.id; }));
  check(op, "server_id=" + n(s1), expect([&](const made& m) {
          return m.user == op.id && m.server == s1;
        }));
  // Bad parameters are 400, never an empty or a clamped page.
  for (const std::string& bad : std::vector<std::string>{
           "limit=101", "limit=0", "limit=-1", "limit=x", "offset=-1",
           "status=done", "server_id=0", "server_id=abc", "user_id=0",
           "from=yesterday", "from=" + between(5) + "&to=" + between(2)}) {
    auto res = call(c, "GET", "/api/tasks?" + bad, adm.token);
    CAF_CHECK_EQUAL(std::make_pair(bad, res.status), std::make_pair(bad, 400));
    CAF_CHECK(is_error(res, 400, "invalid_input"));
  }
}

CAF_TEST(audit_preview_of_a_long_multibyte_command_is_its_first_100_chars) {
  // 150 characters of 1, 2 and 4 bytes: a byte count would cut a sequence.
  const std::string pieces[] = {"a", "\xc3\xa9", "\xf0\x9f\x98\x80"}; // a é 😀
  std::string command = "echo '";
  std::string first100;
  for (size_t i = 0; utf8_chars(command) < 149; ++i)
    command += pieces[i % 3];
  command += "'";
  CAF_REQUIRE_EQUAL(utf8_chars(command), 150u);
  for (size_t chars = 0, i = 0; chars < 100; ++chars) {
    auto len = 1u;
    auto lead = static_cast<unsigned char>(command[i]);
    if (lead >= 0xF0)
      len = 4;
    else if (lead >= 0xE0)
      len = 3;
    else if (lead >= 0xC0)
      len = 2;
    first100 += command.substr(i, len);
    i += len;
  }
  const auto agent = "tasks-itest/1.0 (preview " + random_text(8) + ")";
  auto id = create_task(http, admin, server, command, "\"timeout_seconds\":7",
                        {{"User-Agent", agent}});
  CAF_CHECK_EQUAL(wait_final(http, admin, id)["status"].text(), "success");
  CAF_CHECK_EQUAL(get_task(http, admin, id)["command"].text(), command);
  std::vector<json> mine;
  for (const auto& r : audit_records(http, admin, "action=task."))
    if (r["task_id"].str() == id)
      mine.push_back(r);
  std::vector<std::string> actions;
  for (const auto& r : mine)
    actions.push_back(r["action"].str());
  CAF_CHECK_EQUAL(actions, (std::vector<std::string>{
                               "task.finish", "task.start", "task.create"}));
  if (mine.size() != 3)
    return;
  auto created = mine[2];
  auto preview = created["command_preview"].str();
  CAF_CHECK(valid_utf8(preview));
  CAF_CHECK_EQUAL(utf8_chars(preview), 100u);
  CAF_CHECK_EQUAL(preview, first100);
  CAF_CHECK_EQUAL(created["client_ip"].text(), "127.0.0.1");
  CAF_CHECK_EQUAL(created["user_agent"].text(), agent);
  CAF_CHECK_EQUAL(created["username"].text(), "admin");
  CAF_CHECK_EQUAL(created["user_id"].num(), static_cast<int64_t>(admin.id));
  CAF_CHECK_EQUAL(created["server_id"].num(), static_cast<int64_t>(server));
  CAF_CHECK_EQUAL(created["metadata"]["timeout"].text(), "7");
  CAF_CHECK(created["metadata"]["store_output"].valid());
  CAF_CHECK(iso_seconds(created["ts"].str()).has_value());
  CAF_CHECK_EQUAL(created["hash"].str().size(), 64u);
  CAF_CHECK_EQUAL(created["prev_hash"].str().size(), 64u);
  // The records of one task form part of one chain, newest first.
  CAF_CHECK_GREATER(mine[0]["seq"].num(), mine[1]["seq"].num());
  CAF_CHECK_GREATER(mine[1]["seq"].num(), mine[2]["seq"].num());
  for (const auto& r : mine) {
    CAF_CHECK(valid_utf8(r["command_preview"].str()));
    CAF_CHECK_EQUAL(r["command_preview"].str(), first100);
  }
  CAF_CHECK_EQUAL(mine[0]["metadata"]["exit_code"].text(), "0");
  CAF_CHECK(mine[0]["metadata"]["duration_ms"].is_integer());
  // The audit filters of SPEC §6 find the same records.
  std::vector<std::string> by_task;
  for (const auto& r : audit_records(http, admin, "task_id=" + id))
    by_task.push_back(r["action"].str());
  CAF_CHECK_EQUAL(by_task, actions);
  auto by_create
      = audit_records(http, admin, "action=task.create&task_id=" + id);
  CAF_CHECK_EQUAL(by_create.size(), 1u);
  CAF_CHECK_EQUAL(by_create.empty() ? "" : by_create[0]["hash"].str(),
                  created["hash"].str());
  auto by_server
      = audit_records(http, admin, "server_id=" + std::to_string(server));
  CAF_CHECK_GREATER_OR_EQUAL(by_server.size(), 3u);
  for (const auto& r : by_server)
    CAF_CHECK_EQUAL(r["server_id"].num(), static_cast<int64_t>(server));
}

CAF_TEST(time_bounds_equal_to_a_shown_timestamp_include_it) {
  // docs/API.md: both bounds are inclusive. Timestamps are shown with
  // milliseconds, so a bound copied from a task must match that task.
  auto id = create_task(http, admin, server, "true");
  auto t = wait_final(http, admin, id);
  auto at = t["created_at"].str();
  auto contains
      = [](const std::vector<std::string>& ids, const std::string& x) {
          return std::find(ids.begin(), ids.end(), x) != ids.end();
        };
  auto both = ids_of(list_tasks(http, admin, "from=" + at + "&to=" + at));
  CAF_CHECK_EQUAL(std::make_pair("from=to=" + at, contains(both, id)),
                  std::make_pair("from=to=" + at, true));
  auto upto = ids_of(list_tasks(http, admin, "to=" + at));
  CAF_CHECK_EQUAL(std::make_pair("to=" + at, contains(upto, id)),
                  std::make_pair("to=" + at, true));
  auto since = ids_of(list_tasks(http, admin, "from=" + at));
  CAF_CHECK_EQUAL(std::make_pair("from=" + at, contains(since, id)),
                  std::make_pair("from=" + at, true));
  // The audit log's `ts` the same way.
  auto created = audit_records(http, admin, "action=task.create&task_id=" + id);
  CAF_REQUIRE_EQUAL(created.size(), 1u);
  auto ts = created[0]["ts"].str();
  auto seq = created[0]["seq"].num();
  auto found = [&](const std::string& query) {
    for (const auto& r : audit_records(http, admin, query))
      if (r["seq"].num() == seq)
        return true;
    return false;
  };
  CAF_CHECK_EQUAL(
      std::make_pair("audit from=to=" + ts, found("from=" + ts + "&to=" + ts)),
      std::make_pair("audit from=to=" + ts, true));
  CAF_CHECK_EQUAL(
      std::make_pair("audit to=" + ts, found("action=task.create&to=" + ts)),
      std::make_pair("audit to=" + ts, true));
}

CAF_TEST(a_repeated_query_parameter_is_rejected_not_half_applied) {
  // Query parameters are read strictly (docs/API.md); a repeated one must
  // not silently keep the first value and drop the rest.
  for (const std::string& query :
       {std::string{"status=failed&status=success"},
        std::string{"limit=5&limit=6"},
        "server_id=" + std::to_string(server) + "&server_id=999"}) {
    auto res = call(http, "GET", "/api/tasks?" + query, admin.token);
    CAF_CHECK_EQUAL(std::make_pair(query, res.status),
                    std::make_pair(query, 400));
  }
  auto res
      = call(http, "GET", "/api/audit?action=task.&action=auth.", admin.token);
  CAF_CHECK_EQUAL(res.status, 400);
}

CAF_TEST(output_passwords_and_tokens_never_reach_the_audit_or_service_log) {
  // The shell joins the halves: the output appears nowhere in the command.
  auto out1 = "out" + random_text(10), out2 = random_text(10);
  auto err1 = "err" + random_text(10), err2 = random_text(10);
  auto id
      = create_task(http, admin, server,
                    "printf '%s%s\\n' " + out1 + " " + out2
                        + "; printf '%s%s\\n' " + err1 + " " + err2 + " >&2",
                    "\"store_output\":true");
  auto t = wait_final(http, admin, id);
  CAF_CHECK_EQUAL(t["stdout"].text(), out1 + out2 + "\n");
  CAF_CHECK_EQUAL(t["stderr"].text(), err1 + err2 + "\n");
  // More secrets in flight: a wrong password, a second token, a logout.
  auto wrong = "wrong-" + random_text(16);
  auto failed = http.request(
      "POST", "/api/auth/login",
      "{\"username\":\"admin\",\"password\":" + json_quote(wrong) + "}");
  CAF_CHECK(is_error(failed, 401, "unauthorized"));
  auto second = login(http, "admin", admin.password);
  CAF_CHECK_EQUAL(call(http, "POST", "/api/auth/logout", second.token).status,
                  200);
  std::string audit;
  for (const auto& page : audit_pages(http, admin))
    audit += page;
  auto log = svc.proc.log();
  // The walk did see this task's records and the failed login.
  CAF_CHECK_GREATER(occurrences(audit, id), 0u);
  CAF_CHECK_GREATER(occurrences(audit, "auth.login_failed"), 0u);
  const std::vector<std::pair<std::string, std::string>> secrets
      = {{"stdout", out1 + out2},
         {"stderr", err1 + err2},
         {"admin password", admin.password},
         {"wrong password", wrong},
         {"admin token", admin.token},
         {"second token", second.token}};
  for (const auto& [what, secret] : secrets) {
    CAF_CHECK(!secret.empty());
    CAF_CHECK_EQUAL(
        std::make_pair(what + " in audit", occurrences(audit, secret)),
        std::make_pair(what + " in audit", size_t{0}));
    CAF_CHECK_EQUAL(std::make_pair(what + " in log", occurrences(log, secret)),
                    std::make_pair(what + " in log", size_t{0}));
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
