// The RBAC policy of SPEC §4: one pure function from (principal, action,
// owner) to a decision, so every combination can be tested exhaustively.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/role.hpp"

namespace tasks {

/// What a request wants to do; the API maps each endpoint to one action.
enum class action : uint8_t {
  /// POST /api/servers/:id/tasks; the new task belongs to the caller.
  task_create,
  /// GET /api/tasks/:id; owner = the task's user id.
  task_view,
  /// GET /api/tasks without user_id; non-admins get forced_user_filter().
  task_list,
  /// GET /api/tasks?user_id=N; owner = N, the requested user id.
  task_list_by_user,
  /// POST /api/tasks/:id/cancel; owner = the task's user id.
  task_cancel,
  /// GET /api/servers and GET /api/servers/:id (never returns secrets).
  server_view,
  /// POST/PUT/DELETE /api/servers[/:id].
  server_manage,
  /// GET/POST/PUT/DELETE /api/users[/:id].
  user_manage,
  /// GET /api/audit.
  audit_view,
  /// GET /metrics.
  metrics_view,
};

/// All actions, in numeric order.
inline constexpr action all_actions[]
    = {action::task_create,       action::task_view,   action::task_list,
       action::task_list_by_user, action::task_cancel, action::server_view,
       action::server_manage,     action::user_manage, action::audit_view,
       action::metrics_view};

/// Returns the action's name, e.g. "task_cancel" (used in auth.denied).
std::string to_string(action a);

/// The policy's answer; the API maps it to a status code.
enum class decision : uint8_t {
  /// Go ahead.
  allow,
  /// 403: the role may not do this; it never depends on who owns the object,
  /// so the API can answer it before looking the object up.
  deny_forbidden,
  /// 404: the caller may not know the object exists, so the answer is the
  /// same as for an object that does not exist.
  deny_hidden,
};

/// Returns the decision's name, e.g. "deny_hidden".
std::string to_string(decision d);

/// Decides whether `who` may do `what` to an object owned by `owner_user_id`.
/// The owner is the task's user id for task_view and task_cancel, the
/// requested user id for task_list_by_user, and ignored by every other
/// action. A missing owner where one is needed never grants more than
/// admin rights allow: non-admins get deny_hidden (view, cancel by an
/// operator) or deny_forbidden. Disabled users never get here: authentication
/// rejects their tokens and logins, so the policy has no disabled state.
decision decide(const principal& who, action what,
                std::optional<uint64_t> owner_user_id);

/// True when decide() allows.
bool allowed(const principal& who, action what,
             std::optional<uint64_t> owner_user_id);

/// The user filter a task list must use for `who`: nullopt for admin (sees
/// every task), the caller's own id for everyone else.
std::optional<uint64_t> forced_user_filter(const principal& who);

} // namespace tasks
