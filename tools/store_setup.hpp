// Opening the store the way tasksd and tasksctl both need it: database,
// migrations (primary only), master key, store.
#pragma once

#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "core/config.hpp"
#include "storage/database.hpp"
#include "storage/store.hpp"

namespace tasks {

/// An open database with the store bound to it (members are destroyed in
/// reverse order: the store before the database it refers to).
struct opened_store {
  std::unique_ptr<storage::database> db;
  std::unique_ptr<storage::store> st;
};

/// Opens the store of `cfg`. A primary is migrated first and creates the
/// vault key file when absent; a secondary needs both to exist.
caf::expected<opened_store> open_store(const config& cfg,
                                       storage::open_mode mode);

} // namespace tasks
