// Numbered, idempotent schema steps. The store records the applied version
// in meta; each step and its version bump commit in one batch, so a crash
// mid-migration leaves the previous version and the step runs again.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

namespace tasks::storage {
class database;
class write_batch;
} // namespace tasks::storage

namespace tasks::migrations {

/// One schema step: brings a store from version - 1 to version.
struct migration {
  uint32_t version = 0;
  std::string name;
  /// Adds the step's changes to the batch; must be safe to run again.
  std::function<caf::error(storage::database&, storage::write_batch&)> apply;
};

/// The steps this build ships, in order.
const std::vector<migration>& shipped();

/// The version a store has after every shipped step.
uint32_t latest_version();

/// What migrate() did.
struct migration_report {
  uint32_t from = 0;
  uint32_t to = 0;
  std::vector<std::string> applied;
};

/// Applies the pending `steps` in order. A store newer than the last step
/// is refused with errc::schema_too_new.
caf::expected<migration_report>
migrate(storage::database& db, const std::vector<migration>& steps = shipped());

} // namespace tasks::migrations
