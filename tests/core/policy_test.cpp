// Tests the RBAC policy against the SPEC §4 table, written out by hand.
#define CAF_SUITE core.policy
#include <caf/test/unit_test.hpp>

#include <cstdint>
#include <iterator>
#include <optional>
#include <set>
#include <tuple>

#include "core/policy.hpp"
#include "core/role.hpp"

using namespace tasks;

namespace {

constexpr uint64_t me = 7;
constexpr uint64_t someone_else = 8;

/// Who owns the object the action concerns, seen from the caller.
enum class owner_kind { own, others, none };

constexpr owner_kind all_owner_kinds[]
    = {owner_kind::own, owner_kind::others, owner_kind::none};

std::optional<uint64_t> owner_id(owner_kind k) {
  switch (k) {
    case owner_kind::own: return me;
    case owner_kind::others: return someone_else;
    case owner_kind::none: return std::nullopt;
  }
  return std::nullopt;
}

const char* name_of(owner_kind k) {
  switch (k) {
    case owner_kind::own: return "own";
    case owner_kind::others: return "other's";
    case owner_kind::none: return "none";
  }
  return "?";
}

principal caller(role r) {
  return principal{me, "caller", r};
}

constexpr auto A = decision::allow;
constexpr auto F = decision::deny_forbidden;
constexpr auto H = decision::deny_hidden;

struct row {
  role who;
  action what;
  decision own;
  decision others;
  decision none;
};

using ac = action;

// The expected decision for every role x action x ownership, from SPEC §4.
// Columns: own object, another user's object, no owner given.
const row expected_table[] = {
    // admin may do everything.
    {role::admin, ac::task_create, A, A, A},
    {role::admin, ac::task_view, A, A, A},
    {role::admin, ac::task_list, A, A, A},
    {role::admin, ac::task_list_by_user, A, A, A},
    {role::admin, ac::task_cancel, A, A, A},
    {role::admin, ac::server_view, A, A, A},
    {role::admin, ac::server_manage, A, A, A},
    {role::admin, ac::user_manage, A, A, A},
    {role::admin, ac::audit_view, A, A, A},
    {role::admin, ac::metrics_view, A, A, A},
    // operator: creates, views and cancels own; others' tasks do not exist.
    {role::operator_, ac::task_create, A, A, A},
    {role::operator_, ac::task_view, A, H, H},
    {role::operator_, ac::task_list, A, A, A},
    {role::operator_, ac::task_list_by_user, A, F, F},
    {role::operator_, ac::task_cancel, A, H, H},
    {role::operator_, ac::server_view, A, A, A},
    {role::operator_, ac::server_manage, F, F, F},
    {role::operator_, ac::user_manage, F, F, F},
    {role::operator_, ac::audit_view, F, F, F},
    {role::operator_, ac::metrics_view, F, F, F},
    // viewer: creates nothing, cancels nothing, sees only own tasks.
    {role::viewer, ac::task_create, F, F, F},
    {role::viewer, ac::task_view, A, H, H},
    {role::viewer, ac::task_list, A, A, A},
    {role::viewer, ac::task_list_by_user, A, F, F},
    {role::viewer, ac::task_cancel, F, F, F},
    {role::viewer, ac::server_view, A, A, A},
    {role::viewer, ac::server_manage, F, F, F},
    {role::viewer, ac::user_manage, F, F, F},
    {role::viewer, ac::audit_view, F, F, F},
    {role::viewer, ac::metrics_view, F, F, F},
};

decision expected(const row& r, owner_kind k) {
  switch (k) {
    case owner_kind::own: return r.own;
    case owner_kind::others: return r.others;
    case owner_kind::none: return r.none;
  }
  return r.none;
}

} // namespace

CAF_TEST(the_table_covers_every_role_and_action_once) {
  std::set<std::tuple<int, int>> seen;
  for (const auto& r : expected_table)
    CAF_CHECK(
        seen.emplace(static_cast<int>(r.who), static_cast<int>(r.what)).second);
  CAF_CHECK_EQUAL(seen.size(), 3u * std::size(all_actions));
}

CAF_TEST(every_role_action_and_ownership_matches_the_table) {
  size_t checked = 0;
  for (const auto& r : expected_table)
    for (auto k : all_owner_kinds) {
      // The label makes a failure name the combination.
      auto label = to_string(r.who) + " " + to_string(r.what) + " " + name_of(k)
                   + ": ";
      auto got = decide(caller(r.who), r.what, owner_id(k));
      auto want = expected(r, k);
      CAF_CHECK_EQUAL(label + to_string(got), label + to_string(want));
      CAF_CHECK_EQUAL(allowed(caller(r.who), r.what, owner_id(k)),
                      want == decision::allow);
      ++checked;
    }
  CAF_CHECK_EQUAL(checked, 90u);
}

CAF_TEST(viewer_cannot_cancel_even_own_task) {
  auto viewer = caller(role::viewer);
  CAF_CHECK_EQUAL(to_string(decide(viewer, action::task_cancel, me)),
                  "deny_forbidden");
  CAF_CHECK(!allowed(viewer, action::task_cancel, me));
  // ...but may still look at a task owned from before a demotion.
  CAF_CHECK(allowed(viewer, action::task_view, me));
}

CAF_TEST(operator_sees_others_tasks_as_not_found) {
  auto op = caller(role::operator_);
  CAF_CHECK_EQUAL(to_string(decide(op, action::task_view, someone_else)),
                  "deny_hidden");
  CAF_CHECK_EQUAL(to_string(decide(op, action::task_cancel, someone_else)),
                  "deny_hidden");
  CAF_CHECK(allowed(op, action::task_view, me));
  CAF_CHECK(allowed(op, action::task_cancel, me));
}

CAF_TEST(user_id_filter_is_admin_only_for_other_ids) {
  for (auto r : {role::operator_, role::viewer}) {
    CAF_CHECK(allowed(caller(r), action::task_list_by_user, me));
    CAF_CHECK_EQUAL(
        to_string(decide(caller(r), action::task_list_by_user, someone_else)),
        "deny_forbidden");
  }
  CAF_CHECK(
      allowed(caller(role::admin), action::task_list_by_user, someone_else));
}

// The API answers deny_forbidden before it looks the task up; that is only
// safe if the 403 is the same whoever owns the task.
CAF_TEST(forbidden_on_a_task_never_depends_on_its_owner) {
  for (auto r : {role::admin, role::operator_, role::viewer})
    for (auto a : {action::task_view, action::task_cancel}) {
      auto own = decide(caller(r), a, me) == decision::deny_forbidden;
      auto others
          = decide(caller(r), a, someone_else) == decision::deny_forbidden;
      auto none
          = decide(caller(r), a, std::nullopt) == decision::deny_forbidden;
      CAF_CHECK_EQUAL(own, others);
      CAF_CHECK_EQUAL(own, none);
    }
}

CAF_TEST(only_admin_sees_every_task_in_lists) {
  CAF_CHECK(forced_user_filter(caller(role::admin)) == std::nullopt);
  CAF_CHECK(forced_user_filter(caller(role::operator_)) == me);
  CAF_CHECK(forced_user_filter(caller(role::viewer)) == me);
}

CAF_TEST(an_unknown_role_is_denied_everything) {
  auto stranger = caller(static_cast<role>(42));
  for (auto a : all_actions)
    for (auto k : all_owner_kinds)
      CAF_CHECK_EQUAL(to_string(decide(stranger, a, owner_id(k))),
                      "deny_forbidden");
  CAF_CHECK(forced_user_filter(stranger) == me);
}

CAF_TEST(action_and_decision_names) {
  CAF_CHECK_EQUAL(to_string(action::task_create), "task_create");
  CAF_CHECK_EQUAL(to_string(action::task_view), "task_view");
  CAF_CHECK_EQUAL(to_string(action::task_list), "task_list");
  CAF_CHECK_EQUAL(to_string(action::task_list_by_user), "task_list_by_user");
  CAF_CHECK_EQUAL(to_string(action::task_cancel), "task_cancel");
  CAF_CHECK_EQUAL(to_string(action::server_view), "server_view");
  CAF_CHECK_EQUAL(to_string(action::server_manage), "server_manage");
  CAF_CHECK_EQUAL(to_string(action::user_manage), "user_manage");
  CAF_CHECK_EQUAL(to_string(action::audit_view), "audit_view");
  CAF_CHECK_EQUAL(to_string(action::metrics_view), "metrics_view");
  CAF_CHECK_EQUAL(to_string(decision::allow), "allow");
  CAF_CHECK_EQUAL(to_string(decision::deny_forbidden), "deny_forbidden");
  CAF_CHECK_EQUAL(to_string(decision::deny_hidden), "deny_hidden");
}
