// JSON response bodies: rapidjson's Writer for structure, and every string
// from users or remote servers escaped so that invalid UTF-8 becomes U+FFFD
// instead of invalid JSON (rapidjson copies bad bytes through).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/audit_event.hpp"
#include "core/json_string.hpp"
#include "core/role.hpp"
#include "core/server.hpp"
#include "core/task.hpp"
#include "core/user.hpp"

namespace tasks::http {

/// The escaper lives in core/ (tasksctl shares it); http code keeps its name.
using ::tasks::append_json_string;

/// {"success": false, "error": code, "message": message}.
std::string error_body(std::string_view code, std::string_view message);

/// {"success": true, "message": message}.
std::string success_body(std::string_view message);

/// A task as SPEC §3 names its fields; stdout/stderr only when stored.
std::string task_json(const task& t);

/// {"tasks": [...], "count": n, "limit": l, "offset": o}; the entries carry
/// no stdout/stderr (GET /api/tasks/:id has them).
std::string task_list_json(const std::vector<task>& tasks, size_t limit,
                           size_t offset);

/// A server without secrets: which credentials exist, never their values.
std::string server_json(const server& s);
std::string server_list_json(const std::vector<server>& servers);

/// A user without the password hash.
std::string user_json(const user& u);
std::string user_list_json(const std::vector<user>& users);

/// {"id", "username", "role"}: the caller as /api/auth/me shows it.
std::string principal_json(const principal& who);

/// Audit records with hashes in hex and metadata as a JSON object.
std::string audit_list_json(const std::vector<audit_event>& events,
                            size_t limit, size_t offset);

} // namespace tasks::http
