#define CAF_SUITE storage.tasks
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <random>
#include <set>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "storage/keys.hpp"
#include "store_fixture.hpp"

using namespace tasks;
using namespace tasks::storage;

namespace {

struct fixture : store_fixture {
  audit_origin alice{1, "alice", "127.0.0.1", "test"};

  fixture() {
    for (int i = 1; i <= 5; ++i)
      add_test_server("srv-" + std::to_string(i));
  }

  uint64_t add_test_server(const std::string& name) {
    server s;
    s.name = name;
    s.host = "127.0.0.1";
    s.port = 22;
    s.username = "root";
    s.key_file = "/root/.ssh/id_ed25519";
    auto added = st->add_server(s, std::nullopt, alice);
    CAF_REQUIRE(added);
    return added->id;
  }

  task create(uint64_t server_id = 1, uint64_t user_id = 1,
              std::string command = "echo hi") {
    new_task req;
    req.server_id = server_id;
    req.user_id = user_id;
    req.command = std::move(command);
    req.timeout_seconds = 30;
    auto t = st->create_task(req, alice);
    CAF_REQUIRE(t);
    return *t;
  }

  task move(const task& t, status to) {
    task_transition change;
    change.to = to;
    if (to == status::success || to == status::failed)
      change.exit_code = to == status::success ? 0 : 1;
    auto moved = st->transition_task(t.id, change, audit_origin{});
    CAF_REQUIRE(moved);
    return *moved;
  }

  /// Every id locator ('I' + id).
  std::vector<std::string> all_locators() {
    std::vector<std::string> result;
    auto c = db->scan(cf::task_index, "I", "J");
    for (c.seek_first(); c.valid(); c.next())
      result.emplace_back(c.key());
    return result;
  }

  /// Every entry of the eight index families ('A'..'H').
  std::vector<std::string> all_index_entries() {
    std::vector<std::string> result;
    auto c = db->scan(cf::task_index, "A", "I");
    for (c.seek_first(); c.valid(); c.next())
      result.emplace_back(c.key());
    return result;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(task_store_tests, fixture)

CAF_TEST(created_task_is_queued_and_readable) {
  auto t = create(2, 7, "uptime");
  CAF_CHECK(t.state == status::queued);
  auto back = st->get_task(t.id);
  CAF_REQUIRE(back);
  CAF_CHECK_EQUAL(back->command, "uptime");
  CAF_CHECK_EQUAL(back->server_id, 2u);
  CAF_CHECK_EQUAL(back->user_id, 7u);
  CAF_CHECK(!back->exit_code);
  CAF_CHECK(!back->started_at);
  CAF_CHECK_EQUAL(all_index_entries().size(), keys::task_index_families);
}

CAF_TEST(invalid_task_requests_name_the_field) {
  auto check = [&](new_task req, const std::string& field) {
    auto t = st->create_task(req, alice);
    CAF_REQUIRE(!t);
    CAF_CHECK(t.error() == errc::invalid_argument);
    CAF_CHECK_EQUAL(message_of(t.error()).rfind(field, 0), 0u);
  };
  new_task ok;
  ok.server_id = 1;
  ok.command = "ls";
  auto req = ok;
  req.command = "";
  check(req, "command");
  req.command = std::string(limits::command_max_bytes + 1, 'a');
  check(req, "command");
  req.command = std::string("a\0b", 3);
  check(req, "command");
  req.command = "\xff\xfe";
  check(req, "command");
  req = ok;
  req.timeout_seconds = 0;
  check(req, "timeout_seconds");
  req.timeout_seconds = 601;
  check(req, "timeout_seconds");
  req = ok;
  req.command = std::string(limits::command_max_bytes, 'a');
  CAF_CHECK(st->create_task(req, alice));
  req.server_id = 99;
  auto missing = st->create_task(req, alice);
  CAF_REQUIRE(!missing);
  CAF_CHECK(missing.error() == errc::not_found);
}

CAF_TEST(legal_transitions_set_timestamps_and_results) {
  auto t = create();
  auto running = move(t, status::running);
  CAF_CHECK(running.started_at.has_value());
  CAF_CHECK(!running.finished_at);
  auto done = move(running, status::success);
  CAF_CHECK(done.finished_at.has_value());
  CAF_CHECK(done.exit_code == std::optional<int32_t>{0});
  auto back = st->get_task(t.id);
  CAF_REQUIRE(back);
  CAF_CHECK(back->state == status::success);
}

CAF_TEST(a_final_task_never_changes_again) {
  auto t = move(move(create(), status::running), status::timeout);
  for (auto to : all_statuses) {
    task_transition change;
    change.to = to;
    auto again = st->transition_task(t.id, change, audit_origin{});
    CAF_REQUIRE(!again);
    CAF_CHECK(again.error() == errc::conflict);
  }
  auto back = st->get_task(t.id);
  CAF_REQUIRE(back);
  CAF_CHECK(back->state == status::timeout);
}

CAF_TEST(a_queued_task_cannot_skip_running) {
  auto t = create();
  task_transition change;
  change.to = status::success;
  auto r = st->transition_task(t.id, change, audit_origin{});
  CAF_REQUIRE(!r);
  CAF_CHECK(r.error() == errc::conflict);
  CAF_CHECK(move(t, status::cancelled).state == status::cancelled);
}

CAF_TEST(a_status_change_leaves_exactly_one_entry_per_family) {
  auto t = create();
  move(move(t, status::running), status::failed);
  auto entries = all_index_entries();
  CAF_CHECK_EQUAL(entries.size(), keys::task_index_families);
  std::set<char> families;
  for (const auto& e : entries) {
    families.insert(e[0]);
    CAF_CHECK(keys::task_index_entry_id(e) == t.id);
  }
  CAF_CHECK_EQUAL(families.size(), keys::task_index_families);
  task_filter running;
  running.state = status::running;
  CAF_CHECK(st->list_tasks(running)->empty());
  task_filter failed;
  failed.state = status::failed;
  CAF_CHECK_EQUAL(st->list_tasks(failed)->size(), 1u);
}

CAF_TEST(output_is_stored_sanitized_and_capped_only_when_asked) {
  options.output_max_bytes = 8;
  reopen();
  new_task req;
  req.server_id = 1;
  req.command = "printf";
  req.store_output = true;
  auto t = st->create_task(req, alice);
  CAF_REQUIRE(t);
  move(*t, status::running);
  task_transition change;
  change.to = status::success;
  change.exit_code = 0;
  change.stdout_text = "ab\xff" "cd\xe2\x82\xac" "ef"; // 3-byte euro at the cap
  change.stderr_text = "oops";
  auto done = st->transition_task(t->id, change, audit_origin{});
  CAF_REQUIRE(done);
  auto back = st->get_task(t->id, true);
  CAF_REQUIRE(back);
  CAF_REQUIRE(back->stdout_text.has_value());
  // "ab" + U+FFFD (3 bytes) + "cd" = 7 bytes; the euro would make it 10.
  CAF_CHECK_EQUAL(*back->stdout_text, "ab\xef\xbf\xbd" "cd");
  CAF_CHECK(back->stdout_truncated);
  CAF_CHECK_EQUAL(*back->stderr_text, "oops");
  CAF_CHECK(!back->stderr_truncated);
  auto plain = create();
  move(plain, status::running);
  auto finished = st->transition_task(plain.id, change, audit_origin{});
  CAF_REQUIRE(finished);
  auto plain_back = st->get_task(plain.id, true);
  CAF_REQUIRE(plain_back);
  CAF_CHECK(!plain_back->stdout_text);
  auto out = db->get(cf::task_output,
                     keys::task_output(plain.id, keys::stream::out));
  CAF_CHECK(out && !out->has_value());
}

CAF_TEST(creation_times_strictly_increase_across_restarts) {
  auto a = create();
  auto b = create();
  CAF_CHECK(a.created_at < b.created_at);
  reopen();
  auto c = create();
  CAF_CHECK(b.created_at < c.created_at);
}

CAF_TEST(tasks_in_state_lists_oldest_first) {
  auto a = create();
  auto b = create();
  auto c = create();
  move(b, status::running);
  auto queued = st->tasks_in_state(status::queued);
  CAF_REQUIRE(queued);
  CAF_REQUIRE_EQUAL(queued->size(), 2u);
  CAF_CHECK((*queued)[0].id == a.id);
  CAF_CHECK((*queued)[1].id == c.id);
}

CAF_TEST(list_matches_a_brute_force_reference) {
  std::mt19937 rng{7};
  std::vector<task> all;
  for (int i = 0; i < 2000; ++i) {
    auto t = create(1 + rng() % 5, 1 + rng() % 4);
    switch (rng() % 4) {
      case 0: break;
      case 1: t = move(t, status::running); break;
      case 2: t = move(move(t, status::running), status::success); break;
      default: t = move(t, status::cancelled); break;
    }
    all.push_back(t);
  }
  auto newest_first = all;
  std::reverse(newest_first.begin(), newest_first.end());
  for (int round = 0; round < 300; ++round) {
    task_filter f;
    if (rng() % 2)
      f.server_id = 1 + rng() % 6; // 6 has no tasks
    if (rng() % 2)
      f.user_id = 1 + rng() % 4;
    if (rng() % 2)
      f.state = all_statuses[rng() % 4 == 0 ? 0 : rng() % 6];
    if (rng() % 3 == 0)
      f.from = all[rng() % all.size()].created_at;
    if (rng() % 3 == 0)
      f.to = all[rng() % all.size()].created_at;
    f.limit = 1 + rng() % 100;
    f.offset = rng() % 2 ? 0 : rng() % 200;
    std::vector<task_id> expected;
    size_t skipped = 0;
    for (const auto& t : newest_first) {
      if ((f.server_id && t.server_id != *f.server_id)
          || (f.user_id && t.user_id != *f.user_id)
          || (f.state && t.state != *f.state)
          || (f.from && t.created_at < *f.from)
          || (f.to && t.created_at > *f.to))
        continue;
      if (skipped++ < f.offset)
        continue;
      if (expected.size() == f.limit)
        break;
      expected.push_back(t.id);
    }
    auto got = st->list_tasks(f);
    CAF_REQUIRE(got);
    CAF_REQUIRE_EQUAL(got->size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i)
      CAF_CHECK((*got)[i].id == expected[i]);
  }
}

CAF_TEST(every_index_entry_points_at_an_existing_task) {
  for (int i = 0; i < 50; ++i) {
    auto t = create(1 + i % 3);
    if (i % 2)
      move(move(t, status::running), i % 3 ? status::success : status::failed);
  }
  auto cutoff = now() + std::chrono::seconds{1};
  auto deleted = st->delete_tasks_before(cutoff, alice);
  CAF_REQUIRE(deleted);
  CAF_CHECK_EQUAL(*deleted, 25u);
  size_t entries = 0;
  for (const auto& entry : all_index_entries()) {
    ++entries;
    CAF_CHECK(st->get_task(keys::task_index_entry_id(entry)));
  }
  CAF_CHECK_EQUAL(entries, 25u * keys::task_index_families);
  auto locators = all_locators();
  CAF_CHECK_EQUAL(locators.size(), 25u);
  for (const auto& locator : locators)
    CAF_CHECK(st->get_task(keys::get_id(locator, 1)));
}

CAF_TEST(cleanup_keeps_unfinished_and_recent_tasks) {
  auto old_done = move(move(create(), status::running), status::success);
  auto old_queued = create();
  auto cutoff = now() + std::chrono::microseconds{1};
  auto fresh = move(move(create(), status::running), status::success);
  auto deleted = st->delete_tasks_before(cutoff, alice);
  CAF_REQUIRE(deleted);
  CAF_CHECK_EQUAL(*deleted, 1u);
  CAF_CHECK(!st->get_task(old_done.id));
  CAF_CHECK(st->get_task(old_queued.id));
  CAF_CHECK(st->get_task(fresh.id));
  audit_filter f;
  f.action_prefix = "task.cleanup";
  auto records = st->query_audit(f, 10);
  CAF_REQUIRE(records);
  CAF_REQUIRE_EQUAL(records->size(), 1u);
  CAF_CHECK((*records)[0].metadata.find("\"deleted\":1") != std::string::npos);
}

CAF_TEST(tasks_survive_a_reopen) {
  auto t = move(create(), status::running);
  reopen();
  auto back = st->get_task(t.id);
  CAF_REQUIRE(back);
  CAF_CHECK(back->state == status::running);
}

CAF_TEST(each_transition_writes_its_audit_record_in_the_same_batch) {
  auto t = create(3, 1, "rm -rf /tmp/x");
  move(move(t, status::running), status::failed);
  audit_filter f;
  f.task = t.id;
  auto records = st->query_audit(f, 10);
  CAF_REQUIRE(records);
  CAF_REQUIRE_EQUAL(records->size(), 3u);
  CAF_CHECK_EQUAL((*records)[0].action, "task.fail");
  CAF_CHECK_EQUAL((*records)[1].action, "task.start");
  CAF_CHECK_EQUAL((*records)[2].action, "task.create");
  CAF_CHECK_EQUAL((*records)[2].command_preview, "rm -rf /tmp/x");
  CAF_CHECK((*records)[2].server_id == std::optional<uint64_t>{3});
  CAF_CHECK((*records)[0].metadata.find("duration_ms") != std::string::npos);
  CAF_CHECK((*records)[0].metadata.find("\"exit_code\":1") != std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
