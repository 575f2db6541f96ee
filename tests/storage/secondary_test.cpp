#define CAF_SUITE storage.secondary
#include <caf/test/unit_test.hpp>

#include "core/error.hpp"
#include "store_fixture.hpp"

using namespace tasks;
using namespace tasks::storage;

CAF_TEST_FIXTURE_SCOPE(secondary_tests, store_fixture)

CAF_TEST(a_secondary_sees_records_the_primary_writes_later) {
  auto sec_db = database::open(dir, open_mode::secondary);
  CAF_REQUIRE(sec_db);
  auto sec = store::open(**sec_db, master);
  CAF_REQUIRE(sec);
  audit_event e;
  e.action = "auth.login";
  e.username = "alice";
  CAF_REQUIRE(!st->append_audit(e));
  CAF_REQUIRE(!(*sec_db)->catch_up());
  auto records = (*sec)->query_audit(audit_filter{}, 10);
  CAF_REQUIRE(records);
  CAF_REQUIRE_EQUAL(records->size(), 1u);
  CAF_CHECK_EQUAL((*records)[0].username, "alice");
  auto report = (*sec)->verify_audit();
  CAF_REQUIRE(report);
  CAF_CHECK(!report->first_bad_seq);
}

CAF_TEST(a_secondary_refuses_to_write) {
  auto sec_db = database::open(dir, open_mode::secondary);
  CAF_REQUIRE(sec_db);
  write_batch batch{**sec_db};
  batch.put(cf::meta, "x", "y");
  CAF_CHECK((*sec_db)->write(batch));
}

CAF_TEST(a_second_primary_gets_a_clear_locked_error) {
  auto second = database::open(dir, open_mode::primary);
  CAF_REQUIRE(!second);
  CAF_CHECK(second.error() == errc::store_locked);
}

CAF_TEST(the_wrong_master_key_is_refused) {
  st.reset();
  auto other = store::open(*db, secret_key::random());
  CAF_REQUIRE(!other);
  CAF_CHECK(other.error() == errc::crypto_failure);
}

CAF_TEST(a_missing_store_is_named_for_a_secondary) {
  auto missing = database::open(tmp.path + "/nothing", open_mode::secondary);
  CAF_REQUIRE(!missing);
  CAF_CHECK(message_of(missing.error()).find("nothing") != std::string::npos);
}

CAF_TEST(point_reads_see_the_newest_value_across_flushes_and_instances) {
  // The primary has a row cache (per SST file and key): each flush puts an
  // older value of the key into a file whose cached answer must never win.
  auto value_in = [](database& d) {
    auto got = d.get(cf::meta, "row-cache-probe");
    return got && *got ? **got : std::string{"<none>"};
  };
  for (int i = 0; i < 4; ++i) {
    write_batch batch{*db};
    batch.put(cf::meta, "row-cache-probe", "v" + std::to_string(i));
    CAF_REQUIRE(!db->write(batch));
    CAF_CHECK_EQUAL(value_in(*db), "v" + std::to_string(i));
    // A checkpoint flushes the memtables: the value moves into a new file.
    CAF_REQUIRE(!db->checkpoint(tmp.path + "/flush-" + std::to_string(i)));
    CAF_CHECK_EQUAL(value_in(*db), "v" + std::to_string(i));
    CAF_CHECK_EQUAL(value_in(*db), "v" + std::to_string(i)); // cached now
  }
  write_batch last{*db};
  last.put(cf::meta, "row-cache-probe", "v4"); // in the memtable only
  CAF_REQUIRE(!db->write(last));
  CAF_CHECK_EQUAL(value_in(*db), "v4");
  auto sec_db = database::open(dir, open_mode::secondary);
  CAF_REQUIRE(sec_db);
  CAF_CHECK_EQUAL(value_in(**sec_db), "v4");
}

CAF_TEST_FIXTURE_SCOPE_END()
