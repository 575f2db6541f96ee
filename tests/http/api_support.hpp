// Driving the real tasksd over its REST API in tests: logins, users,
// servers, tasks, audit pages, and polling a task until a condition holds.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "http/api_json.hpp"
#include "support/http_client.hpp"
#include "support/sshd.hpp"
#include "support/tasksd_process.hpp"

namespace tasks::test {

/// A logged-in user of the API.
struct session {
  std::string username;
  std::string password;
  std::string token;
  uint64_t id = 0;
  std::string role;
};

/// Sends one request, with `Authorization: Bearer <token>` unless the token
/// is empty.
http_response call(http_client& c, const std::string& method,
                   const std::string& target, const std::string& token,
                   const std::string& body = "",
                   std::vector<http_header> headers = {});

/// Status and body of a response, for failure messages.
std::string describe(const http_response& res);

/// The body as JSON; a body that is not JSON fails a check.
json body_json(const http_response& res);

/// Whether `res` is `status` with the error body of SPEC §4 carrying `error`
/// (success false, a non-empty message); failures name the response.
bool is_error(const http_response& res, int status, const std::string& error);

/// Logs in through POST /api/auth/login; requires 200.
session login(http_client& c, const std::string& username,
              const std::string& password);

/// Creates a user through POST /api/users (requires 201) and logs in.
session add_user(http_client& c, const session& admin,
                 const std::string& username, const std::string& role);

/// Registers `sshd` as server `name` through POST /api/servers (requires
/// 201); returns its id.
uint64_t add_server(http_client& c, const session& admin, const test_sshd& sshd,
                    const std::string& name);

/// POST /api/servers/:id/tasks with `command` and the members `more`
/// (e.g. `"store_output":true`) added to the body.
http_response post_task(http_client& c, const session& who, uint64_t server_id,
                        const std::string& command,
                        const std::string& more = "",
                        std::vector<http_header> headers = {});

/// post_task() that checks for 202 and returns the task id ("" otherwise).
std::string create_task(http_client& c, const session& who, uint64_t server_id,
                        const std::string& command,
                        const std::string& more = "",
                        std::vector<http_header> headers = {});

/// POST /api/tasks/:id/cancel.
http_response cancel_task(http_client& c, const session& who,
                          const std::string& id);

/// GET /api/tasks/:id as JSON; not valid() unless 200.
json get_task(http_client& c, const session& who, const std::string& id);

/// True for success, failed, timeout and cancelled.
bool is_final_status(const std::string& status);

/// Polls GET /api/tasks/:id every 20 ms until `done` holds for the task;
/// past `limit` a check fails naming `what`. Returns the last task read.
json wait_task(http_client& c, const session& who, const std::string& id,
               const std::function<bool(const json&)>& done,
               std::chrono::milliseconds limit, const std::string& what);

/// Polls `condition` every 10 ms until it holds or `limit` passed; returns
/// its last value.
bool await(const std::function<bool()>& condition,
           std::chrono::milliseconds limit);

/// Waits until the task's status is `status`.
json wait_status(http_client& c, const session& who, const std::string& id,
                 const std::string& status,
                 std::chrono::milliseconds limit = std::chrono::seconds(30));

/// Waits until the task is final.
json wait_final(http_client& c, const session& who, const std::string& id,
                std::chrono::milliseconds limit = std::chrono::seconds(30));

/// GET /api/tasks?`query` by `who` as JSON; not valid() unless 200.
json list_tasks(http_client& c, const session& who, const std::string& query);

/// The ids of a task list, in order.
std::vector<std::string> ids_of(const json& list);

/// The raw bodies of GET /api/audit?`query`, page by page (limit 100)
/// until a short page; a non-200 page fails a check and ends the walk.
std::vector<std::string> audit_pages(http_client& c, const session& admin,
                                     const std::string& query = "");

/// The records of audit_pages(), newest first.
std::vector<json> audit_records(http_client& c, const session& admin,
                                const std::string& query = "");

/// `n` random letters and digits.
std::string random_text(size_t n);

/// Occurrences of `needle` in `text`.
size_t occurrences(const std::string& text, const std::string& needle);

/// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SS[.fff]Z`; nullopt for
/// anything else.
std::optional<double> iso_seconds(const std::string& text);

/// Formats epoch seconds as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
std::string iso_text(double seconds);

/// Whether `text` looks like a UUID v4 in lower-case hex.
bool is_uuid_v4(const std::string& text);

/// The sshd of this test process, started on first use.
test_sshd& shared_sshd();

/// One tasksd, admin logged in, and (with an sshd) that sshd registered as
/// server "sshd".
struct service {
  explicit service(const test_sshd* sshd,
                   std::map<std::string, std::string> env = {});

  /// Reconnects `http` after proc.start() (the port may change).
  void reconnect();

  /// A new client on the current port, without close wait.
  http_client client() const;

  tasksd_process proc;
  http_client http;
  session admin;
  uint64_t server_id = 0;
};

} // namespace tasks::test
