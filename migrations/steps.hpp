// The shipped schema steps, one file each.
#pragma once

#include <caf/error.hpp>

namespace tasks::storage {
class database;
class write_batch;
} // namespace tasks::storage

namespace tasks::migrations {

/// 001: column families (created on open) and the id counters.
caf::error apply_001_initial_layout(storage::database& db,
                                    storage::write_batch& batch);

} // namespace tasks::migrations
