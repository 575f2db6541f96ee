// Replacing the vault master key without a window in which a crash leaves
// the store sealed under a key that no file holds.
//
// The protocol: the new key goes to `<key file>.new` (0600, fsync'd), ONE
// batch re-seals everything under it (store::reseal_all), then `.new` is
// renamed over the key file and the directory fsync'd. Whoever opens the
// store next and finds a `.new` asks the store which of the two keys it is
// sealed with, and finishes the rename or drops the `.new`.
#pragma once

#include <string>

#include <caf/expected.hpp>

#include "storage/crypto.hpp"
#include "storage/database.hpp"

namespace tasks::storage {

/// Where a rotation keeps the new key until the store is sealed with it.
std::string pending_master_key_path(const std::string& key_file);

/// True when the store in `db` is sealed with `key` (its master key check
/// and its sealed audit key both match); false for a store never started.
caf::expected<bool> store_sealed_with(database& db, const secret_key& key);

/// load_master_key, after completing or rolling back an interrupted
/// rotation. A primary renames or removes the `.new` file; a secondary only
/// picks the key that opens the store.
caf::expected<secret_key>
load_master_key_for(database& db, const std::string& key_file, bool create);

/// Moves `<key file>.new` over the key file and makes the rename durable.
caf::error commit_pending_master_key(const std::string& key_file);

} // namespace tasks::storage
