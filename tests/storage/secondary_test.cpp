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

CAF_TEST_FIXTURE_SCOPE_END()
