// The storage actor: the only owner of the store inside tasksd.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "actors/execution_config.hpp"
#include "actors/interfaces.hpp"

namespace tasks::storage {
class store;
} // namespace tasks::storage

namespace tasks {

class task_metrics;

/// Most changes one group commit writes: bounds a reply's wait.
inline constexpr size_t max_group_changes = 256;

/// Most bytes one group commit writes (task output makes changes large).
inline constexpr size_t max_group_bytes = size_t{4} << 20;

struct storage_state {
  storage::store* st = nullptr;
  execution_config cfg;
  /// Counts tasks reaching a final state; may be null.
  task_metrics* finished = nullptr;
  /// Replies to the changes staged in the store's open group, in staging
  /// order; each runs once with the outcome of the group's write.
  std::vector<std::function<void(const caf::error&)>> waiting;
  /// A flush message is on its way to this actor.
  bool flush_scheduled = false;
  static inline const char* name = "storage";
};

/// Serves `st`, which must outlive the actor, as does `finished` when
/// given. Spawn it detached in tasksd: every write waits for an fsync.
/// Task creates, transitions and audit appends that arrive together share
/// one synced batch (group commit); each is answered once it is stored.
storage_actor::behavior_type
storage_service(storage_actor::stateful_pointer<storage_state> self,
                storage::store* st, execution_config cfg,
                task_metrics* finished = nullptr);

} // namespace tasks
