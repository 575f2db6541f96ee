#define CAF_SUITE tools.tasksctl_tasks
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "tasksctl_fixture.hpp"

#include "core/error.hpp"

using namespace tasks;

namespace {

struct fixture : tasksctl_fixture {
  std::vector<task> all; // newest last

  uint64_t add_server(const std::string& name) {
    server s;
    s.name = name;
    s.host = "127.0.0.1";
    s.username = "deploy";
    s.key_file = "/nonexistent";
    auto added = st().add_server(s, std::nullopt, {});
    CAF_REQUIRE(added);
    return added->id;
  }

  task make(uint64_t server_id, uint64_t user_id, status final_state,
            const std::string& command = "echo hi") {
    new_task req;
    req.server_id = server_id;
    req.user_id = user_id;
    req.command = command;
    req.store_output = true;
    auto t = st().create_task(req, {});
    CAF_REQUIRE(t);
    if (final_state != status::queued) {
      task_transition run;
      run.to = status::running;
      auto r = st().transition_task(t->id, run, {});
      CAF_REQUIRE(r);
      *t = *r;
    }
    if (is_final(final_state)) {
      task_transition done;
      done.to = final_state;
      done.exit_code = final_state == status::success ? 0 : 3;
      done.stdout_text = "out of " + command + "\n";
      done.stderr_text = "bad \xff byte";
      auto r = st().transition_task(t->id, done, {});
      CAF_REQUIRE(r);
      *t = *r;
    }
    all.push_back(*t);
    return *t;
  }

  /// The reference: every task matching, newest first, at most `limit`.
  std::vector<std::string>
  expected(const std::function<bool(const task&)>& match, size_t limit) {
    std::vector<std::string> ids;
    for (auto i = all.rbegin(); i != all.rend() && ids.size() < limit; ++i)
      if (match(*i))
        ids.push_back(to_string(i->id));
    return ids;
  }

  std::vector<std::string> listed(std::vector<std::string> args) {
    args.insert(args.begin(), {"tasks", "list"});
    auto r = run(args);
    CAF_CHECK_EQUAL(r.err, "");
    CAF_REQUIRE_EQUAL(r.exit_code, 0);
    return first_column(r.out);
  }
};

const status states[] = {status::queued, status::running, status::success,
                         status::failed, status::timeout, status::cancelled};

} // namespace

CAF_TEST_FIXTURE_SCOPE(tasksctl_tasks_tests, fixture)

CAF_TEST(list_filters_match_a_brute_force_reference) {
  uint64_t servers[] = {add_server("a"), add_server("b"), add_server("c")};
  for (size_t i = 0; i < 260; ++i)
    make(servers[i % 3], 1 + i % 4, states[i % 6], "cmd " + std::to_string(i));
  close();
  auto any = [](const task&) { return true; };
  CAF_CHECK(listed({}) == expected(any, 50));
  CAF_CHECK(listed({"--limit", "1000"}) == expected(any, 1000));
  CAF_CHECK(listed({"--limit", "321"}) == expected(any, 321));
  CAF_CHECK(
      listed({"--server", std::to_string(servers[1]), "--limit", "1000"})
      == expected([&](const task& t) { return t.server_id == servers[1]; },
                  1000));
  CAF_CHECK(listed({"--user", "3", "--status", "failed", "--limit", "1000"})
            == expected(
                [](const task& t) {
                  return t.user_id == 3 && t.state == status::failed;
                },
                1000));
  CAF_CHECK(listed({"--server", std::to_string(servers[0]), "--user", "2",
                    "--status", "success", "--limit", "7"})
            == expected(
                [&](const task& t) {
                  return t.server_id == servers[0] && t.user_id == 2
                         && t.state == status::success;
                },
                7));
  // Bounds are inclusive, at the millisecond precision tasksctl prints.
  auto from_text = format_iso8601(all[100].created_at);
  auto to_text = format_iso8601(all[300].created_at);
  auto from = *parse_iso8601(from_text);
  auto to = *parse_iso8601(to_text);
  CAF_CHECK(listed({"--from", from_text, "--to", to_text, "--status", "queued",
                    "--limit", "1000"})
            == expected(
                [&](const task& t) {
                  return t.created_at >= from && t.created_at <= to
                         && t.state == status::queued;
                },
                1000));
  CAF_CHECK(listed({"--from", "1h", "--limit", "5"}) == expected(any, 5));
  CAF_CHECK(listed({"--to", "1h"}).empty());
  auto bad = run({"tasks", "list", "--status", "done"});
  CAF_CHECK_EQUAL(bad.exit_code, 1);
  CAF_CHECK(bad.err.rfind("tasksctl: tasks list: --status", 0) == 0);
  CAF_CHECK_EQUAL(run({"tasks", "list", "--limit", "1001"}).exit_code, 2);
  CAF_CHECK_EQUAL(run({"tasks", "list", "--limit", "0"}).exit_code, 2);
}

CAF_TEST(list_rows_are_aligned_and_long_commands_cut) {
  auto srv = add_server("a");
  make(srv, 1, status::success, std::string(200, 'x'));
  make(srv, 22, status::queued, "line1\nline2");
  make(srv, 22, status::queued, "a\x1b[31mb");
  close();
  auto r = run({"tasks", "list"});
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  auto header = r.out.substr(0, r.out.find('\n'));
  CAF_CHECK(header.find("ID") == 0);
  auto created_col = header.find("CREATED");
  std::istringstream lines{r.out};
  std::string line;
  std::getline(lines, line);
  size_t rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    CAF_CHECK(line.find("2", created_col) == created_col); // year 2xxx
  }
  CAF_CHECK_EQUAL(rows, 3u);
  CAF_CHECK(r.out.find("a [31mb") != std::string::npos);
  CAF_CHECK(r.out.find('\x1b') == std::string::npos);
  CAF_CHECK(r.out.find(std::string(60, 'x') + "…") != std::string::npos);
  CAF_CHECK(r.out.find(std::string(61, 'x')) == std::string::npos);
  CAF_CHECK(r.out.find("line1 line2") != std::string::npos);
}

CAF_TEST(show_prints_every_field_and_the_output) {
  auto srv = add_server("a");
  auto t = make(srv, 5, status::failed, "ls /nope");
  auto q = make(srv, 5, status::queued, "sleep 1");
  close();
  auto r = run({"tasks", "show", to_string(t.id)});
  CAF_CHECK_EQUAL(r.err, "");
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  for (auto expected :
       {"id               " + to_string(t.id) + "\n",
        "server           " + std::to_string(srv) + "\n",
        std::string{"user             5\n"},
        std::string{"status           failed\n"},
        std::string{"exit code        3\n"},
        std::string{"timeout          60 s\n"},
        std::string{"store output     yes\n"},
        "created          " + format_iso8601(t.created_at) + "\n",
        "started          " + format_iso8601(*t.started_at) + "\n",
        "finished         " + format_iso8601(*t.finished_at) + "\n",
        std::string{"command          ls /nope\n"},
        std::string{"--- stdout ---\nout of ls /nope\n"},
        std::string{"--- stderr ---\nbad \xef\xbf\xbd byte\n"}})
    CAF_CHECK(r.out.find(expected) != std::string::npos);
  auto queued = run({"tasks", "show", to_string(q.id)});
  CAF_REQUIRE_EQUAL(queued.exit_code, 0);
  CAF_CHECK(queued.out.find("status           queued\n") != std::string::npos);
  CAF_CHECK(queued.out.find("started          -\n") != std::string::npos);
  CAF_CHECK(queued.out.find("--- stdout") == std::string::npos);
  auto missing = run({"tasks", "show", to_string(new_task_id())});
  CAF_CHECK_EQUAL(missing.exit_code, 1);
  CAF_CHECK(missing.err.find("not found") != std::string::npos);
  auto bad = run({"tasks", "show", "nope"});
  CAF_CHECK_EQUAL(bad.exit_code, 1);
  CAF_CHECK_EQUAL(run({"tasks", "show"}).exit_code, 2);
}

CAF_TEST(cleanup_deletes_exactly_the_old_final_tasks) {
  auto srv = add_server("a");
  std::vector<task> old_final, old_open;
  for (auto s : states)
    (is_final(s) ? old_final : old_open).push_back(make(srv, 1, s));
  std::this_thread::sleep_for(std::chrono::seconds{3});
  std::vector<task> fresh;
  for (auto s : states)
    fresh.push_back(make(srv, 1, s));
  close();
  auto r = run({"tasks", "cleanup", "--older-than", "2s"});
  CAF_CHECK_EQUAL(r.err, "");
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  CAF_CHECK(r.out.rfind("deleted 4 finished tasks created before ", 0) == 0);
  open();
  for (const auto& t : old_final)
    CAF_CHECK(st().get_task(t.id).error() == errc::not_found);
  for (const auto& t : old_open)
    CAF_CHECK(st().get_task(t.id));
  for (const auto& t : fresh)
    CAF_CHECK(st().get_task(t.id));
  auto records = st().query_audit(audit_filter{}, 1);
  CAF_REQUIRE(records);
  CAF_CHECK_EQUAL(records->front().action, "task.cleanup");
  CAF_CHECK_EQUAL(records->front().username, "tasksctl");
  close();
  auto bad = run({"tasks", "cleanup", "--older-than", "30"});
  CAF_CHECK_EQUAL(bad.exit_code, 1);
  CAF_CHECK_EQUAL(run({"tasks", "cleanup"}).exit_code, 2);
}

CAF_TEST(cleanup_while_the_store_is_held_says_to_stop_tasksd) {
  // The fixture keeps the store open as the primary, as tasksd would.
  auto r = run({"tasks", "cleanup", "--older-than", "30d"});
  CAF_CHECK_EQUAL(r.exit_code, 1);
  CAF_CHECK_EQUAL(r.err, "tasksctl: tasksd is running on " + cfg.data_dir
                             + ": stop it, or use the REST API\n");
  // Read-only commands still work beside it.
  CAF_CHECK_EQUAL(run({"tasks", "list"}).exit_code, 0);
}

CAF_TEST(a_backup_opens_verifies_and_restores_the_same_tasks) {
  auto srv = add_server("a");
  for (size_t i = 0; i < 30; ++i)
    make(srv, 1 + i % 2, states[i % 6], "cmd " + std::to_string(i));
  auto head = st().head();
  CAF_REQUIRE(head);
  close();
  auto before = listed({"--limit", "1000"});
  CAF_CHECK(before == expected([](const task&) { return true; }, 1000));
  auto target = tmp.path + "/backup";
  auto r = run({"db", "backup", target});
  CAF_CHECK_EQUAL(r.err, "");
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  CAF_CHECK(r.out.find("backup verified: " + std::to_string(head->seq)
                       + " audit records\n")
            != std::string::npos);
  CAF_CHECK(r.out.find("vault key file " + cfg.vault_key_file)
            != std::string::npos);
  CAF_CHECK(!std::filesystem::exists(target + "/vault.key"));
  auto perms = std::filesystem::status(target).permissions();
  CAF_CHECK((perms & std::filesystem::perms::group_all)
            == std::filesystem::perms::none);
  CAF_CHECK((perms & std::filesystem::perms::others_all)
            == std::filesystem::perms::none);
  // Restore: the backup becomes the data directory.
  std::filesystem::remove_all(cfg.data_dir);
  std::filesystem::copy(target, cfg.data_dir,
                        std::filesystem::copy_options::recursive);
  CAF_CHECK(listed({"--limit", "1000"}) == before);
  open();
  auto verified = st().verify_audit();
  CAF_REQUIRE(verified);
  CAF_CHECK(!verified->first_bad_seq);
  CAF_CHECK_EQUAL(verified->records, head->seq);
  for (const auto& t : all) {
    auto got = st().get_task(t.id, true);
    CAF_REQUIRE(got);
    CAF_CHECK(got->state == t.state);
    CAF_CHECK_EQUAL(got->command, t.command);
  }
  // Held by the test process, as tasksd would hold it.
  auto locked = run({"db", "backup", tmp.path + "/backup2"});
  CAF_CHECK_EQUAL(locked.exit_code, 1);
  CAF_CHECK_EQUAL(locked.err, "tasksctl: tasksd is running on " + cfg.data_dir
                                  + ": stop it, or use the REST API\n");
  CAF_CHECK(!std::filesystem::exists(tmp.path + "/backup2"));
  close();
  auto exists = run({"db", "backup", target});
  CAF_CHECK_EQUAL(exists.exit_code, 1);
  CAF_CHECK(exists.err.find("already exists") != std::string::npos);
  auto help = run({"db", "backup", "--help"});
  CAF_CHECK_EQUAL(help.exit_code, 0);
  CAF_CHECK(help.out.find("example: tasksctl db backup") != std::string::npos);
  CAF_CHECK(help.out.find("tasksd must be stopped") != std::string::npos);
}

CAF_TEST(help_has_an_example_at_every_level) {
  for (auto args :
       std::vector<std::vector<std::string>>{{"tasks", "--help"},
                                             {"tasks", "list", "--help"},
                                             {"tasks", "show", "--help"},
                                             {"tasks", "cleanup", "--help"}}) {
    auto r = run(args);
    CAF_CHECK_EQUAL(r.exit_code, 0);
    CAF_CHECK(r.out.find("example: tasksctl tasks") != std::string::npos);
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
