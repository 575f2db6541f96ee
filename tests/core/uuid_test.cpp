// Tests task id generation and the strict canonical parser.
#define CAF_SUITE core.uuid
#include <caf/test/unit_test.hpp>

#include <set>
#include <string>

#include "core/uuid.hpp"

using namespace tasks;

namespace {

constexpr auto canonical = "0f8fad5b-d9cb-469f-a165-70867728950e";

} // namespace

CAF_TEST(new_ids_are_random_rfc4122_version_4) {
  auto id = new_task_id();
  CAF_CHECK(id.version() == boost::uuids::uuid::version_random_number_based);
  CAF_CHECK(id.variant() == boost::uuids::uuid::variant_rfc_4122);
  auto text = to_string(id);
  CAF_CHECK_EQUAL(text.size(), 36u);
  CAF_CHECK_EQUAL(text[14], '4');
}

CAF_TEST(new_ids_do_not_repeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i)
    seen.insert(to_string(new_task_id()));
  CAF_CHECK_EQUAL(seen.size(), 10000u);
}

CAF_TEST(ids_round_trip_through_their_canonical_form) {
  for (int i = 0; i < 100; ++i) {
    auto id = new_task_id();
    auto parsed = parse_task_id(to_string(id));
    CAF_REQUIRE(parsed);
    CAF_CHECK(*parsed == id);
  }
  auto parsed = parse_task_id(canonical);
  CAF_REQUIRE(parsed);
  CAF_CHECK_EQUAL(to_string(*parsed), canonical);
}

CAF_TEST(parsing_accepts_any_case_and_prints_lower_case) {
  auto parsed = parse_task_id("0F8FAD5B-D9CB-469F-A165-70867728950E");
  CAF_REQUIRE(parsed);
  CAF_CHECK_EQUAL(to_string(*parsed), canonical);
}

CAF_TEST(parsing_rejects_every_other_form) {
  for (auto bad : {
           "",
           "{0f8fad5b-d9cb-469f-a165-70867728950e}", // braces
           "0f8fad5bd9cb469fa16570867728950e",       // no dashes
           "0f8fad5b-d9cb-469f-a165-70867728950",    // 35 characters
           "0f8fad5b-d9cb-469f-a165-70867728950e0",  // 37 characters
           "0f8fad5b-d9cb-469f-a165-70867728950g",   // not hex
           "0f8fad5b-d9cb-469f-a165_70867728950e",   // wrong separator
           "0f8fad5-bd9cb-469f-a165-70867728950e",   // dash misplaced
           "0f8fad5b-d9cb-469f-a165-70867728950 ",   // blank
           " 0f8fad5b-d9cb-469f-a165-70867728950e",  // blank
           "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
           "+f8fad5b-d9cb-469f-a165-70867728950e",
       })
    CAF_CHECK(!parse_task_id(bad));
}
