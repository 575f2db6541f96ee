#define CAF_SUITE migrations
#include <caf/test/unit_test.hpp>

#include "../storage/store_fixture.hpp"
#include "core/error.hpp"
#include "migrations/migrations.hpp"
#include "storage/codec.hpp"

using namespace tasks;
using namespace tasks::storage;

namespace {

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
          static_cast<char>(v >> 8), static_cast<char>(v)};
}

struct fixture {
  temp_dir tmp;
  std::unique_ptr<database> db;

  fixture() {
    auto opened = database::open(tmp.path + "/data", open_mode::primary);
    CAF_REQUIRE(opened);
    db = std::move(*opened);
  }

  uint32_t version() {
    auto v = read_schema_version(*db);
    CAF_REQUIRE(v);
    return *v;
  }

  void set_version(uint32_t v) {
    write_batch batch{*db};
    batch.put(cf::meta, keys::meta::schema_version, be32(v));
    CAF_REQUIRE(!db->write(batch));
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(migration_tests, fixture)

CAF_TEST(a_new_store_migrates_to_the_latest_version) {
  CAF_CHECK_EQUAL(version(), 0u);
  auto report = migrations::migrate(*db);
  CAF_REQUIRE(report);
  CAF_CHECK_EQUAL(report->from, 0u);
  CAF_CHECK_EQUAL(report->to, migrations::latest_version());
  CAF_CHECK_EQUAL(version(), migrations::latest_version());
  CAF_CHECK_EQUAL(migrations::latest_version(), storage::schema_version);
  auto counter = db->get(cf::meta, keys::meta::next_user_id);
  CAF_REQUIRE(counter && *counter);
  CAF_CHECK_EQUAL(keys::get_u64(**counter, 0), 1u);
  CAF_CHECK(store::open(*db, secret_key::random()));
}

CAF_TEST(migrating_twice_applies_nothing) {
  CAF_REQUIRE(migrations::migrate(*db));
  auto again = migrations::migrate(*db);
  CAF_REQUIRE(again);
  CAF_CHECK(again->applied.empty());
}

CAF_TEST(a_store_at_version_n_minus_1_keeps_its_data) {
  // Build the state a version-0 store had by hand: records and a counter
  // in use, but no schema version. 001 must not reset the counter.
  user u;
  u.id = 41;
  u.username = "legacy";
  std::string next;
  keys::put_u64(next, 42);
  write_batch batch{*db};
  batch.put(cf::users, keys::record_by_id(41), encode(u));
  batch.put(cf::meta, keys::meta::next_user_id, next);
  CAF_REQUIRE(!db->write(batch));
  auto report = migrations::migrate(*db);
  CAF_REQUIRE(report);
  CAF_CHECK_EQUAL(report->applied.size(), 1u);
  auto counter = db->get(cf::meta, keys::meta::next_user_id);
  CAF_REQUIRE(counter && *counter);
  CAF_CHECK_EQUAL(keys::get_u64(**counter, 0), 42u);
  auto kept = db->get(cf::users, keys::record_by_id(41));
  CAF_CHECK(kept && *kept);
}

CAF_TEST(steps_run_in_order_from_the_recorded_version) {
  std::vector<std::string> ran;
  auto step = [&](uint32_t v) {
    return migrations::migration{
      v, "step " + std::to_string(v),
      [&ran, v](database&, write_batch& batch) -> caf::error {
        ran.push_back(std::to_string(v));
        batch.put(cf::meta, "test_step_" + std::to_string(v), "done");
        return {};
      }};
  };
  set_version(1);
  auto report = migrations::migrate(*db, {step(1), step(2), step(3)});
  CAF_REQUIRE(report);
  CAF_CHECK_EQUAL(report->from, 1u);
  CAF_CHECK_EQUAL(report->to, 3u);
  CAF_REQUIRE_EQUAL(ran.size(), 2u);
  CAF_CHECK_EQUAL(ran[0], "2");
  CAF_CHECK_EQUAL(ran[1], "3");
  CAF_CHECK_EQUAL(version(), 3u);
}

CAF_TEST(a_failing_step_leaves_the_previous_version_and_its_changes_out) {
  auto ok = migrations::migration{
    1, "ok", [](database&, write_batch&) -> caf::error { return {}; }};
  auto broken = migrations::migration{
    2, "broken", [](database&, write_batch& batch) -> caf::error {
      batch.put(cf::meta, "half_done", "x");
      return make_error(errc::storage_failure, "disk on fire");
    }};
  auto report = migrations::migrate(*db, {ok, broken});
  CAF_REQUIRE(!report);
  CAF_CHECK(message_of(report.error()).find("broken") != std::string::npos);
  CAF_CHECK_EQUAL(version(), 1u);
  auto half = db->get(cf::meta, "half_done");
  CAF_CHECK(half && !half->has_value());
}

CAF_TEST(a_store_newer_than_the_binary_is_refused) {
  set_version(migrations::latest_version() + 1);
  auto report = migrations::migrate(*db);
  CAF_REQUIRE(!report);
  CAF_CHECK(report.error() == errc::schema_too_new);
  CAF_CHECK(message_of(report.error()).find("upgrade tasksd")
            != std::string::npos);
}

CAF_TEST(the_store_refuses_an_unmigrated_database) {
  auto st = store::open(*db, secret_key::random());
  CAF_REQUIRE(!st);
  CAF_CHECK(message_of(st.error()).find("migrate") != std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
