// Every typed actor interface of tasksd (CAF 0.17 syntax), one line per
// handler. See DESIGN.md "Actors and the path of a request".
#pragma once

#include <cstdint>
#include <vector>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/types.hpp"

namespace tasks {

/// The only owner of the store in tasksd; every state change is one batch.
using storage_actor = caf::typed_actor<
    /// Validates and stores a queued task (task.create).
    caf::replies_to<create_atom, new_task, audit_origin>::with<task>,
    /// Moves a task to a new status with its result (task.start/finish/…).
    caf::replies_to<transit_atom, task_id, task_transition,
                    audit_origin>::with<task>,
    /// Reads a task, with its output when the flag is set.
    caf::replies_to<get_atom, task_id, bool>::with<task>,
    /// Lists tasks newest first.
    caf::replies_to<list_atom, task_filter>::with<std::vector<task>>,
    /// Start-up recovery: running tasks fail as interrupted; returns the
    /// queued ones, oldest first.
    caf::replies_to<recover_atom>::with<std::vector<task>>,
    /// Moves a queued task to running (task.start) and reads its server's
    /// address, pin and decrypted credentials.
    caf::replies_to<start_atom, task_id>::with<task_start>,
    /// Pins a host key first seen (server.host_key_pinned).
    caf::replies_to<pin_atom, uint64_t, std::string>::with<server>,
    /// Reads a server record (no secrets).
    caf::replies_to<get_atom, server_atom, uint64_t>::with<server>,
    /// Appends an audit record; answers with its seq.
    caf::replies_to<audit_atom, audit_event>::with<uint64_t>,
    /// Audit records matching the filter, newest first: `limit` records
    /// after skipping `offset`.
    caf::replies_to<query_atom, audit_filter, uint64_t,
                    uint64_t>::with<std::vector<audit_event>>,
    /// Every server (no secrets), by id.
    caf::replies_to<list_atom, server_atom>::with<std::vector<server>>,
    /// Adds a server (server.create).
    caf::replies_to<create_atom, server_change, audit_origin>::with<server>,
    /// Changes a server (server.update).
    caf::replies_to<update_atom, server_change, audit_origin>::with<server>,
    /// Removes a server (server.delete).
    caf::replies_to<delete_atom, server_atom, uint64_t,
                    audit_origin>::with<uint64_t>,
    /// The token record stored under a token hash (errc::not_found).
    caf::replies_to<find_atom, token_atom, std::string>::with<token_record>,
    /// Stores a new login token (token.create and auth.login).
    caf::replies_to<create_atom, token_record,
                    audit_origin>::with<token_record>,
    /// Revokes a token by hash (token.revoke); false when it is unknown.
    caf::replies_to<revoke_atom, std::string, audit_origin>::with<bool>,
    /// One user by id, or by name.
    caf::replies_to<get_atom, user_atom, uint64_t>::with<user>,
    caf::replies_to<find_atom, user_atom, std::string>::with<user>,
    /// Every user, by id.
    caf::replies_to<list_atom, user_atom>::with<std::vector<user>>,
    /// Adds a user with a password hash (user.create).
    caf::replies_to<create_atom, user_atom, std::string, role, std::string,
                    audit_origin>::with<user>,
    /// Writes a changed user, audited as the given action (user.*).
    caf::replies_to<update_atom, user, std::string, audit_origin>::with<user>>;

/// Authentication and the user accounts: owns the token cache, so every
/// change that can invalidate a token goes through it.
using rbac_actor = caf::typed_actor<
    /// The principal behind a bearer token; errc::unauthenticated when the
    /// token is malformed, unknown, expired, revoked or its user disabled.
    caf::replies_to<auth_atom, std::string>::with<principal>,
    /// A password login; errc::unauthenticated on bad credentials (audited
    /// auth.login_failed), errc::throttled while the username or client
    /// address is slowed down after failures.
    caf::replies_to<login_atom, login_request>::with<login_grant>,
    /// Revokes the token (auth.logout).
    caf::replies_to<logout_atom, std::string, audit_origin>::with<bool>,
    /// Every user, by id.
    caf::replies_to<list_atom, user_atom>::with<std::vector<user>>,
    /// One user.
    caf::replies_to<get_atom, user_atom, uint64_t>::with<user>,
    /// Creates a user: username, role and password are required.
    caf::replies_to<create_atom, user_atom, user_change,
                    audit_origin>::with<user>,
    /// Changes role, disabled flag or password of a user.
    caf::replies_to<update_atom, user_atom, uint64_t, user_change,
                    audit_origin>::with<user>>;

/// Hashes and verifies passwords on a thread of its own: argon2 takes
/// ~0.3 s and must never block the cooperative scheduler.
using hasher_actor = caf::typed_actor<
    /// An argon2id PHC string for the password.
    caf::replies_to<hash_atom, std::string>::with<std::string>,
    /// Whether the password matches the PHC string.
    caf::replies_to<verify_atom, std::string, std::string>::with<bool>>;

/// Runs blocking SSH work on a thread of its own: one per global worker.
using runner_actor = caf::typed_actor<
    /// Connects and logs in.
    caf::replies_to<connect_atom, server_access>::with<connect_result>,
    /// Runs one command until it exits, times out or is cancelled.
    caf::replies_to<exec_atom, exec_job>::with<exec_done>>;

/// One per server: the FIFO of queued tasks and the per-server cap.
using supervisor_actor = caf::typed_actor<
    /// Appends a queued task.
    caf::reacts_to<enqueue_atom, task>,
    /// A global worker for the next queued task.
    caf::reacts_to<grant_atom, runner_actor>,
    /// Cancels a queued or running task of this server.
    caf::replies_to<cancel_atom, task_id, audit_origin>::with<task>,
    /// A task actor finished: its worker, its session (null if spent) and
    /// the server's current cap (0 = default).
    caf::reacts_to<done_atom, task_id, runner_actor, session_ptr, uint32_t>,
    /// Stops starting tasks; answers once none is running.
    caf::replies_to<drain_atom>::with<uint64_t>,
    /// Cancels every running task (end of the shutdown grace period).
    caf::reacts_to<stop_atom>,
    /// Closes idle sessions that outlived the idle timeout.
    caf::reacts_to<idle_atom>,
    /// The earliest deadline of a running task has come (a delayed message
    /// to itself; the number tells a superseded one).
    caf::reacts_to<deadline_atom, uint64_t>>;

/// Creates tasks, routes them, and shares the global workers fairly.
using task_manager_actor = caf::typed_actor<
    /// Creates a task (429/503 cases) and queues it on its server.
    caf::replies_to<create_atom, new_task, audit_origin>::with<task>,
    /// Cancels a task by id.
    caf::replies_to<cancel_atom, task_id, audit_origin>::with<task>,
    /// A supervisor asks for one worker.
    caf::reacts_to<slot_atom, uint64_t>,
    /// A worker returns to the pool.
    caf::reacts_to<release_atom, runner_actor>,
    /// Tasks of a server left its queue (started or cancelled while
    /// queued): server id, count.
    caf::reacts_to<dequeued_atom, uint64_t, uint64_t>,
    /// Runs start-up recovery; answers with the number of requeued tasks.
    caf::replies_to<recover_atom>::with<uint64_t>,
    /// Graceful shutdown: stop accepting, let running tasks finish within
    /// the grace period, cancel the rest; answers when none is running.
    caf::replies_to<drain_atom>::with<uint64_t>,
    /// Queue depth, running tasks, free workers.
    caf::replies_to<stats_atom>::with<manager_stats>>;

/// One per running task.
using task_actor = caf::typed_actor<
    /// Cancels the task; answers with the final task.
    caf::replies_to<cancel_atom, audit_origin>::with<task>,
    /// The task's deadline, from its supervisor; a second one (a delayed
    /// message to itself, `timeouts::runner_slack` later) gives up on a
    /// runner that never answered.
    caf::reacts_to<timeout_atom>,
    /// Shutdown: cancel now.
    caf::reacts_to<stop_atom>>;

} // namespace tasks
