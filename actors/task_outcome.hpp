// How a run's result becomes a task's final state: plain functions, tested
// without actors.
#pragma once

#include <string>

#include "actors/ssh/exec.hpp"
#include "core/task.hpp"

namespace tasks {

/// A failure without an exit code (connect, auth, host key, channel).
task_transition failure(std::string error);

/// The final state of a task stopped before anything ran remotely:
/// `timeout` or `cancelled`; a cancel by the service itself (shutdown) says
/// so in the error.
task_transition stopped_transition(ssh::stop_reason reason, bool by_service);

/// The final state of a command that ran: success for exit code 0, failed
/// for any other code, timeout/cancelled when stopped, failed with the
/// channel error otherwise. Output moves into the transition only when
/// the task stores output.
task_transition outcome_of(ssh::exec_result& result, bool store_output,
                           ssh::stop_reason reason, bool by_service);

} // namespace tasks
