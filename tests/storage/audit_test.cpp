#define CAF_SUITE storage.audit
#include <caf/test/unit_test.hpp>

#include <random>

#include "core/error.hpp"
#include "storage/codec.hpp"
#include "storage/keys.hpp"
#include "store_fixture.hpp"

using namespace tasks;
using namespace tasks::storage;

namespace {

const char* const actions[] = {"task.create", "task.start", "task.finish",
                               "auth.login",  "auth.login_failed",
                               "user.create", "server.update"};

struct fixture : store_fixture {
  std::vector<audit_event> appended;

  void append_random(int n, uint32_t seed) {
    std::mt19937 rng{seed};
    std::vector<task_id> ids(5);
    for (auto& id : ids)
      id = new_task_id();
    for (int i = 0; i < n; ++i) {
      audit_event e;
      e.action = actions[rng() % 7];
      if (rng() % 4)
        e.user_id = 1 + rng() % 3;
      e.username = e.user_id ? "user" + std::to_string(*e.user_id) : "ghost";
      if (rng() % 2)
        e.task = ids[rng() % ids.size()];
      if (rng() % 2)
        e.server_id = 1 + rng() % 3;
      e.command_preview = "cmd " + std::to_string(i);
      CAF_REQUIRE(!st->append_audit(e));
    }
    appended.clear();
    auto all = st->query_audit(audit_filter{}, SIZE_MAX);
    CAF_REQUIRE(all);
    appended.assign(all->rbegin(), all->rend());
  }

  /// Overwrites a stored record's value.
  void tamper(uint64_t seq, const std::function<void(std::string&)>& edit) {
    auto value = db->get(cf::audit, keys::audit(seq));
    CAF_REQUIRE(value && *value);
    auto bytes = **value;
    edit(bytes);
    write_batch batch{*db};
    batch.put(cf::audit, keys::audit(seq), bytes);
    CAF_REQUIRE(!db->write(batch));
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(audit_tests, fixture)

CAF_TEST(records_form_a_chain) {
  append_random(20, 1);
  CAF_REQUIRE_EQUAL(appended.size(), 20u);
  CAF_CHECK_EQUAL(appended[0].prev_hash, std::string(32, '\0'));
  for (size_t i = 0; i < appended.size(); ++i) {
    CAF_CHECK_EQUAL(appended[i].seq, i + 1);
    if (i > 0)
      CAF_CHECK_EQUAL(appended[i].prev_hash, appended[i - 1].hash);
  }
  auto head = st->head();
  CAF_REQUIRE(head);
  CAF_CHECK_EQUAL(head->seq, 20u);
  CAF_CHECK_EQUAL(head->hash, appended.back().hash);
  auto report = st->verify_audit();
  CAF_REQUIRE(report);
  CAF_CHECK_EQUAL(report->records, 20u);
  CAF_CHECK(!report->first_bad_seq);
}

CAF_TEST(the_chain_continues_after_a_reopen) {
  append_random(5, 2);
  reopen();
  audit_event e;
  e.action = "auth.login";
  CAF_REQUIRE(!st->append_audit(e));
  auto report = st->verify_audit();
  CAF_REQUIRE(report);
  CAF_CHECK_EQUAL(report->records, 6u);
  CAF_CHECK(!report->first_bad_seq);
}

CAF_TEST(verification_names_a_modified_record) {
  append_random(30, 3);
  tamper(17, [](std::string& bytes) {
    auto pos = bytes.find("cmd 16");
    CAF_REQUIRE(pos != std::string::npos);
    bytes[pos + 4] = '9';
  });
  auto report = st->verify_audit();
  CAF_REQUIRE(report);
  CAF_CHECK(report->first_bad_seq == std::optional<uint64_t>{17});
  CAF_CHECK_EQUAL(report->records, 16u);
}

CAF_TEST(verification_detects_a_rehashed_record_without_the_key) {
  append_random(10, 4);
  // An attacker who edits the record and recomputes a plain SHA-256 chain
  // still fails: the chain is keyed.
  tamper(5, [](std::string& bytes) {
    auto body = bytes.substr(0, bytes.size() - 64);
    auto prev = bytes.substr(bytes.size() - 64, 32);
    body[body.size() - 2] ^= 1;
    bytes = body + prev + sha256(prev + body);
  });
  auto report = st->verify_audit();
  CAF_REQUIRE(report);
  CAF_CHECK(report->first_bad_seq == std::optional<uint64_t>{5});
}

CAF_TEST(verification_detects_a_deleted_record_and_a_cut_tail) {
  append_random(10, 5);
  {
    write_batch batch{*db};
    batch.erase(cf::audit, keys::audit(4));
    CAF_REQUIRE(!db->write(batch));
  }
  auto report = st->verify_audit();
  CAF_REQUIRE(report);
  CAF_CHECK(report->first_bad_seq == std::optional<uint64_t>{4});
  CAF_CHECK(report->problem.find("missing") != std::string::npos);
  fixture other;
  other.append_random(10, 6);
  {
    write_batch batch{*other.db};
    batch.erase(cf::audit, keys::audit(10));
    CAF_REQUIRE(!other.db->write(batch));
  }
  auto cut = other.st->verify_audit();
  CAF_REQUIRE(cut);
  CAF_CHECK(cut->first_bad_seq.has_value());
  CAF_CHECK(cut->problem.find("chain head") != std::string::npos);
}

CAF_TEST(queries_match_a_brute_force_reference) {
  append_random(600, 8);
  std::mt19937 rng{9};
  const char* prefixes[] = {"task.", "auth.", "auth.login", "user.create",
                            "server.", "t", "nothing."};
  for (int round = 0; round < 200; ++round) {
    audit_filter f;
    if (rng() % 3 == 0)
      f.user_id = 1 + rng() % 4;
    if (rng() % 4 == 0)
      f.username = rng() % 2 ? "ghost" : "user2";
    if (rng() % 2)
      f.action_prefix = prefixes[rng() % 7];
    if (rng() % 4 == 0)
      f.task = appended[rng() % appended.size()].task;
    if (rng() % 3 == 0)
      f.server_id = 1 + rng() % 4;
    if (rng() % 3 == 0)
      f.from = appended[rng() % appended.size()].ts;
    if (rng() % 3 == 0)
      f.to = appended[rng() % appended.size()].ts;
    size_t limit = 1 + rng() % 80;
    std::vector<uint64_t> expected;
    for (auto it = appended.rbegin();
         it != appended.rend() && expected.size() < limit; ++it) {
      const auto& e = *it;
      if ((f.user_id && e.user_id != f.user_id)
          || (f.username && e.username != *f.username)
          || (f.action_prefix
              && e.action.compare(0, f.action_prefix->size(), *f.action_prefix))
          || (f.task && e.task != f.task)
          || (f.server_id && e.server_id != f.server_id)
          || (f.from && e.ts < *f.from) || (f.to && e.ts > *f.to))
        continue;
      expected.push_back(e.seq);
    }
    auto got = st->query_audit(f, limit);
    CAF_REQUIRE(got);
    CAF_REQUIRE_EQUAL(got->size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i)
      CAF_CHECK_EQUAL((*got)[i].seq, expected[i]);
  }
}

CAF_TEST(ascending_scan_streams_in_seq_order_and_stops_on_request) {
  append_random(50, 10);
  audit_filter f;
  f.action_prefix = "task.";
  uint64_t last = 0;
  size_t seen = 0;
  auto err = st->scan_audit(f, scan_order::ascending,
                            [&](const audit_event& e) {
                              CAF_CHECK(e.seq > last);
                              last = e.seq;
                              return ++seen < 5;
                            });
  CAF_CHECK(!err);
  CAF_CHECK_EQUAL(seen, 5u);
}

CAF_TEST_FIXTURE_SCOPE_END()
