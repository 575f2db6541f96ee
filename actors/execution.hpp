// Spawning the execution actors of tasksd in their production shape:
// storage and runners detached (they block), the manager cooperative.
#pragma once

#include <caf/fwd.hpp>

#include "actors/execution_config.hpp"
#include "actors/interfaces.hpp"

namespace tasks::storage {
class store;
} // namespace tasks::storage

namespace tasks {

/// Handles of the running execution actors.
struct execution {
  storage_actor storage;
  task_manager_actor manager;
  std::vector<runner_actor> runners;
};

/// Spawns storage (over `st`, which must outlive the actors), one runner
/// per worker and the task manager.
execution spawn_execution(caf::actor_system& sys, storage::store& st,
                          const execution_config& cfg);

/// Stops the actors of `exec` (after a drain).
void stop_execution(caf::actor_system& sys, const execution& exec);

} // namespace tasks
