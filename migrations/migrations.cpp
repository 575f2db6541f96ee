// The migration runner.
#include "migrations/migrations.hpp"

#include "core/error.hpp"
#include "migrations/steps.hpp"
#include "storage/database.hpp"
#include "storage/keys.hpp"
#include "storage/store.hpp"

namespace tasks::migrations {

namespace {

std::string encode_version(uint32_t version) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>(version >> shift));
  return out;
}

} // namespace

const std::vector<migration>& shipped() {
  static const std::vector<migration> steps = {
      {1, "initial layout", &apply_001_initial_layout},
  };
  return steps;
}

uint32_t latest_version() {
  return shipped().back().version;
}

caf::expected<migration_report> migrate(storage::database& db,
                                        const std::vector<migration>& steps) {
  auto current = storage::read_schema_version(db);
  if (!current)
    return current.error();
  migration_report report;
  report.from = report.to = *current;
  auto last = steps.empty() ? 0u : steps.back().version;
  if (*current > last)
    return make_error(errc::schema_too_new,
                      "the store in " + db.dir() + " has schema version "
                          + std::to_string(*current) + " but this build knows "
                          + "only up to " + std::to_string(last)
                          + ": upgrade tasksd, or restore a backup");
  for (const auto& step : steps) {
    if (step.version <= report.to)
      continue;
    storage::write_batch batch{db};
    if (auto err = step.apply(db, batch))
      return make_error(errc::storage_failure,
                        "migration " + std::to_string(step.version) + " ("
                            + step.name + ") failed: " + message_of(err));
    batch.put(storage::cf::meta, storage::keys::meta::schema_version,
              encode_version(step.version));
    if (auto err = db.write(batch))
      return err;
    report.to = step.version;
    report.applied.push_back(std::to_string(step.version) + " " + step.name);
  }
  return report;
}

} // namespace tasks::migrations
