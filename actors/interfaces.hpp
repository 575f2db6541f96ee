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
    /// A server's address, pin and decrypted credentials for a task.
    caf::replies_to<target_atom, uint64_t>::with<server_access>,
    /// Pins a host key first seen (server.host_key_pinned).
    caf::replies_to<pin_atom, uint64_t, std::string>::with<server>,
    /// Reads a server record (no secrets).
    caf::replies_to<get_atom, server_atom, uint64_t>::with<server>,
    /// Appends an audit record; answers with its seq.
    caf::replies_to<audit_atom, audit_event>::with<uint64_t>>;

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
    caf::reacts_to<idle_atom>>;

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
    /// Tasks left the queue (started or cancelled while queued).
    caf::reacts_to<dequeued_atom, uint64_t>,
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
    /// The task's own deadline (a delayed message to itself).
    caf::reacts_to<timeout_atom>,
    /// Shutdown: cancel now.
    caf::reacts_to<stop_atom>>;

} // namespace tasks
