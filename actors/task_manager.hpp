// The task manager: creates tasks, routes them to their server's
// supervisor, shares the global workers round-robin, recovers at start and
// drains on shutdown.
#pragma once

#include <deque>
#include <map>
#include <unordered_map>
#include <vector>

#include "actors/execution_config.hpp"
#include "actors/interfaces.hpp"

namespace tasks {

struct manager_state {
  storage_actor storage;
  execution_config cfg;
  std::unordered_map<uint64_t, supervisor_actor> supervisors;
  /// Workers not running a task.
  std::vector<runner_actor> free;
  /// Servers waiting for a worker, served in turn.
  std::deque<uint64_t> waiting;
  uint64_t total_workers = 0;
  uint64_t queued = 0;
  /// Queued tasks per server, for metrics.
  std::map<uint64_t, uint64_t> queued_by_server;
  bool accepting = true;
  static inline const char* name = "task_manager";
};

/// Manages tasks with the given workers (one runner per global slot).
task_manager_actor::behavior_type
task_manager(task_manager_actor::stateful_pointer<manager_state> self,
             storage_actor storage, std::vector<runner_actor> runners,
             execution_config cfg);

} // namespace tasks
