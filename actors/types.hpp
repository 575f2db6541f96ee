// Atoms and message types of the actors. Types that hold secrets or live
// SSH sessions are local-only (CAF_ALLOW_UNSAFE_MESSAGE_TYPE): they never
// print and never cross a network.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/expected.hpp>

#include "actors/inspect.hpp"
#include "actors/ssh/exec.hpp"
#include "actors/ssh/session.hpp"
#include "core/error.hpp"
#include "core/role.hpp"
#include "core/user.hpp"

namespace tasks {

// -- atoms (at most 10 characters)
// ---------------------------------------------

using create_atom = caf::atom_constant<caf::atom("create")>;
using transit_atom = caf::atom_constant<caf::atom("transit")>;
using get_atom = caf::atom_constant<caf::atom("get")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using recover_atom = caf::atom_constant<caf::atom("recover")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using pin_atom = caf::atom_constant<caf::atom("pin")>;
using server_atom = caf::atom_constant<caf::atom("server")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
using enqueue_atom = caf::atom_constant<caf::atom("enqueue")>;
using slot_atom = caf::atom_constant<caf::atom("slot")>;
using grant_atom = caf::atom_constant<caf::atom("grant")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using dequeued_atom = caf::atom_constant<caf::atom("dequeued")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using connect_atom = caf::atom_constant<caf::atom("connect")>;
using exec_atom = caf::atom_constant<caf::atom("exec")>;
using timeout_atom = caf::atom_constant<caf::atom("timeout")>;
using drain_atom = caf::atom_constant<caf::atom("drain")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using idle_atom = caf::atom_constant<caf::atom("idle")>;
using audit_atom = caf::atom_constant<caf::atom("audit")>;
using auth_atom = caf::atom_constant<caf::atom("auth")>;
using login_atom = caf::atom_constant<caf::atom("login")>;
using logout_atom = caf::atom_constant<caf::atom("logout")>;
using user_atom = caf::atom_constant<caf::atom("user")>;
using token_atom = caf::atom_constant<caf::atom("token")>;
using find_atom = caf::atom_constant<caf::atom("find")>;
using update_atom = caf::atom_constant<caf::atom("update")>;
using delete_atom = caf::atom_constant<caf::atom("delete")>;
using revoke_atom = caf::atom_constant<caf::atom("revoke")>;
using query_atom = caf::atom_constant<caf::atom("query")>;
using hash_atom = caf::atom_constant<caf::atom("hash")>;
using verify_atom = caf::atom_constant<caf::atom("verify")>;
using deadline_atom = caf::atom_constant<caf::atom("deadline")>;

// -- local-only messages
// ---------------------------------------------------------

/// A session shared between a supervisor (idle) and a task (in use); only
/// one holder uses it at a time.
using session_ptr = std::shared_ptr<ssh::session>;

/// The stop signal of one running command, shared by its task actor (which
/// raises it) and the runner (which waits on it).
using stop_flag = std::shared_ptr<ssh::stop_signal>;

/// Where and how a task reaches its server, with decrypted credentials.
struct server_access {
  uint64_t server_id = 0;
  /// The server's own cap, 0 when it uses the global default.
  uint32_t max_concurrent_tasks = 0;
  ssh::target target;
};

/// A task just moved to running, with how to reach its server: one round
/// trip to the storage actor at the start of every task.
struct task_start {
  task running;
  /// Or why the server could not be read.
  caf::expected<server_access> access;
};

/// The result of connecting: a session, or the task error.
struct connect_result {
  session_ptr session;
  caf::error error;
};

/// One command for a runner.
struct exec_job {
  session_ptr session;
  ssh::exec_request request;
  stop_flag stop;
};

/// What a runner hands back after a command.
struct exec_done {
  ssh::exec_result result;
  /// The session, still usable for the next task; null when it is not.
  session_ptr session;
};

/// A password login as the API received it (the password is a secret).
struct login_request {
  std::string username;
  std::string password;
  /// Client address and user agent, for the audit log and throttling.
  audit_origin origin;
};

/// A successful login: the token is shown to the client once.
struct login_grant {
  std::string token;
  timestamp expires_at{};
  principal who;
};

/// A user to create, or the fields of a user to change (unset = keep).
struct user_change {
  std::optional<std::string> username;
  std::optional<role> user_role;
  std::optional<bool> disabled;
  /// A new password in clear text; hashed before it reaches the store.
  std::optional<std::string> password;
};

/// A server to create or change, with its password when one is given:
/// unset keeps the stored one, empty removes it (see store::update_server).
struct server_change {
  server record;
  std::optional<std::string> password;
};

/// Counters for metrics and tests.
struct manager_stats {
  uint64_t queued = 0;
  uint64_t running = 0;
  uint64_t free_workers = 0;
  uint64_t servers = 0;
  /// (server id, queued tasks) for every server with a supervisor.
  std::vector<std::pair<uint64_t, uint64_t>> queued_by_server;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, manager_stats& x) {
  return f(caf::meta::type_name("manager_stats"), x.queued, x.running,
           x.free_workers, x.servers, x.queued_by_server);
}

} // namespace tasks

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tasks::server_access)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tasks::task_start)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tasks::connect_result)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tasks::exec_job)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tasks::exec_done)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tasks::session_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tasks::login_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tasks::login_grant)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tasks::user_change)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tasks::server_change)
