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

class task_metrics;

/// Handles of the running execution actors.
struct execution {
  storage_actor storage;
  /// Read-only replicas of `storage` for the API's reads.
  std::vector<storage_actor> readers;
  task_manager_actor manager;
  std::vector<runner_actor> runners;
};

/// Storage actors that serve the API's reads beside the writer.
inline constexpr size_t storage_readers = 2;

/// Sets the scheduler these actors are made for: CAF's sharing policy, whose
/// idle workers block. CAF's default, work stealing, polls and naps 50 µs at
/// a time, and under tasksd's steady trickle of messages those naps were a
/// fifth of its CPU per task (bench/README.md).
///
/// With scheduler_threads() workers: the scheduled actors only route
/// messages (storage, SSH and HTTP work run on threads of their own), and
/// workers sharing one queue contend for its lock and wake each other.
void configure_scheduler(caf::actor_system_config& cfg);

/// One scheduler worker per two cores, at least 1 and at most 4. On two
/// cores one worker ran 1.05–1.07× the tasks/s of two, with 5–11% less CPU
/// per task (bench/README.md).
size_t scheduler_threads();

/// Spawns storage (over `st`, which must outlive the actors) with its
/// readers, one runner per worker and the task manager. `finished`, when
/// given, counts tasks reaching a final state.
execution spawn_execution(caf::actor_system& sys, storage::store& st,
                          const execution_config& cfg,
                          task_metrics* finished = nullptr);

/// Stops the actors of `exec` (after a drain).
void stop_execution(caf::actor_system& sys, const execution& exec);

} // namespace tasks
