// The storage actor: the only owner of the store inside tasksd.
#pragma once

#include "actors/execution_config.hpp"
#include "actors/interfaces.hpp"

namespace tasks::storage {
class store;
} // namespace tasks::storage

namespace tasks {

class task_metrics;

struct storage_state {
  storage::store* st = nullptr;
  execution_config cfg;
  /// Counts tasks reaching a final state; may be null.
  task_metrics* finished = nullptr;
  static inline const char* name = "storage";
};

/// Serves `st`, which must outlive the actor, as does `finished` when
/// given. Spawn it detached in tasksd: every write waits for an fsync.
storage_actor::behavior_type
storage_service(storage_actor::stateful_pointer<storage_state> self,
                storage::store* st, execution_config cfg,
                task_metrics* finished = nullptr);

} // namespace tasks
