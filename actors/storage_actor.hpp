// The storage actor: the only owner of the store inside tasksd.
#pragma once

#include "actors/execution_config.hpp"
#include "actors/interfaces.hpp"

namespace tasks::storage {
class store;
} // namespace tasks::storage

namespace tasks {

struct storage_state {
  storage::store* st = nullptr;
  execution_config cfg;
  static inline const char* name = "storage";
};

/// Serves `st`, which must outlive the actor. Spawn it detached in tasksd:
/// every write waits for an fsync.
storage_actor::behavior_type
storage_service(storage_actor::stateful_pointer<storage_state> self,
                storage::store* st, execution_config cfg);

} // namespace tasks
