// Tests task status names, the transition table and role names.
#define CAF_SUITE core.status
#include <caf/test/unit_test.hpp>

#include <string>

#include "core/role.hpp"
#include "core/status.hpp"

using namespace tasks;

namespace {

/// True where SPEC §3 allows a move from the row's status to the column's.
bool allowed(status from, status to) {
  using s = status;
  static constexpr bool table[6][6] = {
      //             queued running success failed timeout cancelled
      /* queued    */ {false, true, false, true, false, true},
      /* running   */ {false, false, true, true, true, true},
      /* success   */ {false, false, false, false, false, false},
      /* failed    */ {false, false, false, false, false, false},
      /* timeout   */ {false, false, false, false, false, false},
      /* cancelled */ {false, false, false, false, false, false},
  };
  static_assert(static_cast<int>(s::cancelled) == 5);
  return table[static_cast<int>(from)][static_cast<int>(to)];
}

} // namespace

CAF_TEST(numeric_values_never_change) {
  CAF_CHECK_EQUAL(static_cast<int>(status::queued), 0);
  CAF_CHECK_EQUAL(static_cast<int>(status::running), 1);
  CAF_CHECK_EQUAL(static_cast<int>(status::success), 2);
  CAF_CHECK_EQUAL(static_cast<int>(status::failed), 3);
  CAF_CHECK_EQUAL(static_cast<int>(status::timeout), 4);
  CAF_CHECK_EQUAL(static_cast<int>(status::cancelled), 5);
  CAF_CHECK_EQUAL(static_cast<int>(role::admin), 0);
  CAF_CHECK_EQUAL(static_cast<int>(role::operator_), 1);
  CAF_CHECK_EQUAL(static_cast<int>(role::viewer), 2);
}

CAF_TEST(transitions_follow_the_legal_table) {
  for (auto from : all_statuses)
    for (auto to : all_statuses) {
      CAF_MESSAGE(to_string(from) << " -> " << to_string(to));
      CAF_CHECK_EQUAL(can_transition(from, to), allowed(from, to));
    }
}

CAF_TEST(a_final_state_never_changes) {
  for (auto from : all_statuses) {
    if (!is_final(from))
      continue;
    for (auto to : all_statuses)
      CAF_CHECK(!can_transition(from, to));
  }
}

CAF_TEST(only_queued_and_running_are_not_final) {
  CAF_CHECK(!is_final(status::queued));
  CAF_CHECK(!is_final(status::running));
  CAF_CHECK(is_final(status::success));
  CAF_CHECK(is_final(status::failed));
  CAF_CHECK(is_final(status::timeout));
  CAF_CHECK(is_final(status::cancelled));
}

CAF_TEST(no_status_moves_to_itself_or_back_to_queued) {
  for (auto s : all_statuses) {
    CAF_CHECK(!can_transition(s, s));
    CAF_CHECK(!can_transition(s, status::queued));
  }
}

CAF_TEST(status_names_round_trip) {
  CAF_CHECK_EQUAL(to_string(status::queued), "queued");
  CAF_CHECK_EQUAL(to_string(status::running), "running");
  CAF_CHECK_EQUAL(to_string(status::success), "success");
  CAF_CHECK_EQUAL(to_string(status::failed), "failed");
  CAF_CHECK_EQUAL(to_string(status::timeout), "timeout");
  CAF_CHECK_EQUAL(to_string(status::cancelled), "cancelled");
  for (auto s : all_statuses) {
    auto parsed = parse_status(to_string(s));
    CAF_REQUIRE(parsed);
    CAF_CHECK(*parsed == s);
  }
}

CAF_TEST(status_parsing_is_exact) {
  for (auto bad : {"", "Queued", "QUEUED", "queued ", " queued", "done",
                   "canceled", "unknown", "0"})
    CAF_CHECK(!parse_status(bad));
}

CAF_TEST(role_names_round_trip_and_parse_exactly) {
  CAF_CHECK_EQUAL(to_string(role::admin), "admin");
  CAF_CHECK_EQUAL(to_string(role::operator_), "operator");
  CAF_CHECK_EQUAL(to_string(role::viewer), "viewer");
  for (auto r : {role::admin, role::operator_, role::viewer}) {
    auto parsed = parse_role(to_string(r));
    CAF_REQUIRE(parsed);
    CAF_CHECK(*parsed == r);
  }
  for (auto bad : {"", "operator_", "Admin", "root", "viewer ", "1"})
    CAF_CHECK(!parse_role(bad));
}
