// Opening and migrating the store for tasksd and tasksctl.
#include "tools/store_setup.hpp"

#include "core/log.hpp"
#include "migrations/migrations.hpp"
#include "storage/rotate_master.hpp"

namespace tasks {

caf::expected<opened_store> open_store(const config& cfg,
                                       storage::open_mode mode) {
  opened_store result;
  auto db = storage::database::open(cfg.data_dir, mode);
  if (!db)
    return db.error();
  result.db = std::move(*db);
  if (mode == storage::open_mode::primary) {
    auto report = migrations::migrate(*result.db);
    if (!report)
      return report.error();
    for (const auto& step : report->applied)
      log::info("applied migration {}", step);
  }
  // Finishes or rolls back an interrupted `vault rotate-master` first.
  auto master = storage::load_master_key_for(
      *result.db, cfg.vault_key_file, mode == storage::open_mode::primary);
  if (!master)
    return master.error();
  storage::store_options options;
  options.output_max_bytes = cfg.output_max_bytes;
  auto st = storage::store::open(*result.db, *master, options);
  if (!st)
    return st.error();
  result.st = std::move(*st);
  return result;
}

} // namespace tasks
