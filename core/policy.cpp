// The RBAC decision table of SPEC §4.
#include "core/policy.hpp"

namespace tasks {

namespace {

bool owns(const principal& who, std::optional<uint64_t> owner) {
  return owner && *owner == who.user_id;
}

// Object actions (view, cancel) check the role first and ownership second,
// so deny_forbidden never depends on the owner and leaks nothing about it.
decision decide_operator(const principal& who, action what,
                         std::optional<uint64_t> owner) {
  switch (what) {
    case action::task_create:
    case action::task_list:
    case action::server_view: return decision::allow;
    case action::task_view:
    case action::task_cancel:
      return owns(who, owner) ? decision::allow : decision::deny_hidden;
    case action::task_list_by_user:
      // The requested id is the caller's own input, so a 403 for another id
      // reveals nothing (SPEC: "user_id is admin-only").
      return owns(who, owner) ? decision::allow : decision::deny_forbidden;
    case action::server_manage:
    case action::user_manage:
    case action::audit_view:
    case action::metrics_view: return decision::deny_forbidden;
  }
  return decision::deny_forbidden;
}

decision decide_viewer(const principal& who, action what,
                       std::optional<uint64_t> owner) {
  switch (what) {
    case action::task_list:
    case action::server_view: return decision::allow;
    case action::task_view:
      // A viewer creates nothing, but may own tasks from before a demotion.
      return owns(who, owner) ? decision::allow : decision::deny_hidden;
    case action::task_list_by_user:
      return owns(who, owner) ? decision::allow : decision::deny_forbidden;
    case action::task_create:
    case action::task_cancel: // SPEC: "viewer: 403", even for an own task.
    case action::server_manage:
    case action::user_manage:
    case action::audit_view:
    case action::metrics_view: return decision::deny_forbidden;
  }
  return decision::deny_forbidden;
}

} // namespace

std::string to_string(action a) {
  switch (a) {
    case action::task_create: return "task_create";
    case action::task_view: return "task_view";
    case action::task_list: return "task_list";
    case action::task_list_by_user: return "task_list_by_user";
    case action::task_cancel: return "task_cancel";
    case action::server_view: return "server_view";
    case action::server_manage: return "server_manage";
    case action::user_manage: return "user_manage";
    case action::audit_view: return "audit_view";
    case action::metrics_view: return "metrics_view";
  }
  return "unknown";
}

std::string to_string(decision d) {
  switch (d) {
    case decision::allow: return "allow";
    case decision::deny_forbidden: return "deny_forbidden";
    case decision::deny_hidden: return "deny_hidden";
  }
  return "unknown";
}

// metrics_view is admin-only: /metrics shows queue depth per server, running
// tasks and request counts across every user, which operators and viewers
// cannot otherwise see (they see only their own tasks). A scraper therefore
// needs an admin token; a narrower scrape credential would be a new role.
decision decide(const principal& who, action what,
                std::optional<uint64_t> owner_user_id) {
  switch (who.user_role) {
    case role::admin: return decision::allow;
    case role::operator_: return decide_operator(who, what, owner_user_id);
    case role::viewer: return decide_viewer(who, what, owner_user_id);
  }
  // A role byte this binary does not know: fail closed.
  return decision::deny_forbidden;
}

bool allowed(const principal& who, action what,
             std::optional<uint64_t> owner_user_id) {
  return decide(who, what, owner_user_id) == decision::allow;
}

std::optional<uint64_t> forced_user_filter(const principal& who) {
  if (who.user_role == role::admin)
    return std::nullopt;
  return who.user_id;
}

} // namespace tasks
