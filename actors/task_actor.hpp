// The task actor: runs one task from start to its final state, acting on
// its deadline (a message from its supervisor) and its cancellation.
#pragma once

#include <optional>
#include <vector>

#include "actors/execution_config.hpp"
#include "actors/interfaces.hpp"

namespace tasks {

/// Where a task is in its run.
enum class task_phase { starting, connecting, executing, finishing };

struct task_state {
  task t;
  runner_actor runner;
  supervisor_actor supervisor;
  storage_actor storage;
  execution_config cfg;
  /// A warm session lent by the supervisor, or the one this task opened.
  session_ptr session;
  /// The session was lent: if it fails before the command starts, the task
  /// connects afresh once (the server may have closed an idle connection).
  bool session_lent = false;
  /// How to reach the server, read at the start of the task.
  std::optional<server_access> access;
  stop_flag stop = std::make_shared<ssh::stop_signal>();
  task_phase phase = task_phase::starting;
  /// A request to the runner is in flight: the worker is not free yet.
  bool runner_busy = false;
  /// The deadline's message came; a second one means the runner has not
  /// answered within the slack after it.
  bool deadline_passed = false;
  /// The final transition is written (or being written).
  bool finalizing = false;
  bool final_written = false;
  /// The server's cap as last read (0 = the global default).
  uint32_t server_cap = 0;
  /// Who cancelled, for the audit record.
  std::optional<audit_origin> cancelled_by;
  std::vector<caf::typed_response_promise<task>> cancel_waiters;
  static inline const char* name = "task";

  /// The final task once written; for cancel waiters.
  std::optional<task> final_task;
};

/// Runs `t` (queued) on `runner`, reporting to `supervisor` when done.
task_actor::behavior_type
run_task(task_actor::stateful_pointer<task_state> self, task t,
         runner_actor runner, supervisor_actor supervisor,
         storage_actor storage, session_ptr session, execution_config cfg);

} // namespace tasks
