// Migration 001: the initial layout. The column families of
// storage/column_families.hpp are created when the primary opens; this step
// starts the id counters at 1 unless they exist.
#include "migrations/steps.hpp"

#include "storage/database.hpp"
#include "storage/keys.hpp"

namespace tasks::migrations {

caf::error apply_001_initial_layout(storage::database& db,
                                    storage::write_batch& batch) {
  namespace meta = storage::keys::meta;
  for (auto counter :
       {meta::next_user_id, meta::next_server_id, meta::next_vault_id}) {
    auto value = db.get(storage::cf::meta, counter);
    if (!value)
      return value.error();
    if (*value)
      continue; // idempotent: never reset a counter in use
    std::string one;
    storage::keys::put_u64(one, 1);
    batch.put(storage::cf::meta, counter, one);
  }
  return {};
}

} // namespace tasks::migrations
