// tasksctl db: status, migrations and backups.
#include <cstdio>
#include <filesystem>
#include <memory>

#include <sys/stat.h>

#include "core/error.hpp"
#include "migrations/migrations.hpp"
#include "storage/store.hpp"
#include "tools/ctl_common.hpp"

namespace tasks::ctl {

namespace {

int db_status(const cli_options& opts) {
  config cfg;
  auto opened = open_for(opts, storage::open_mode::secondary, cfg);
  if (!opened)
    return 1;
  auto counts = opened->st->counts();
  if (!counts)
    return fail(message_of(counts.error()));
  auto head = opened->st->head();
  if (!head)
    return fail(message_of(head.error()));
  auto& db = *opened->db;
  auto version = storage::read_schema_version(db);
  if (!version)
    return fail(message_of(version.error()));
  std::printf("store            %s\n", cfg.data_dir.c_str());
  std::printf("schema version   %u (this build: %u)\n", *version,
              migrations::latest_version());
  std::printf("tasks            %llu\n", (unsigned long long)counts->tasks);
  std::printf("audit records    %llu (head seq %llu)\n",
              (unsigned long long)counts->audit_records,
              (unsigned long long)head->seq);
  std::printf("users            %llu\n", (unsigned long long)counts->users);
  std::printf("tokens           %llu\n", (unsigned long long)counts->tokens);
  std::printf("servers          %llu\n", (unsigned long long)counts->servers);
  std::printf("vault entries    %llu\n",
              (unsigned long long)counts->vault_entries);
  uint64_t total = 0;
  for (size_t i = 0; i < storage::column_family_names.size(); ++i) {
    auto size = db.size_on_disk(static_cast<storage::cf>(i));
    total += size;
    if (size > 0)
      std::printf("  %-14s %llu bytes\n", storage::column_family_names[i],
                  (unsigned long long)size);
  }
  std::printf("size on disk     %llu bytes (flushed tables)\n",
              (unsigned long long)total);
  return 0;
}

int db_migrate(const cli_options& opts) {
  auto cfg = load(opts);
  if (!cfg)
    return fail(message_of(cfg.error()));
  auto db = storage::database::open(cfg->data_dir, storage::open_mode::primary);
  if (!db)
    return fail(explain(db.error(), *cfg));
  auto report = migrations::migrate(**db);
  if (!report)
    return fail(message_of(report.error()));
  if (report->applied.empty())
    std::printf("schema version %u is current\n", report->to);
  for (const auto& step : report->applied)
    std::printf("applied %s\n", step.c_str());
  return 0;
}

int db_backup(const cli_options& opts, const std::string& target) {
  auto cfg = load(opts);
  if (!cfg)
    return fail(message_of(cfg.error()));
  std::error_code ec;
  if (std::filesystem::exists(target, ec))
    return fail("db backup: " + target
                + " already exists: give a directory that does not exist yet");
  if (!std::filesystem::exists(cfg->data_dir + "/CURRENT", ec))
    return fail("no store in " + cfg->data_dir
                + " (check --data or TASKS_DATA_DIR)");
  {
    // A checkpoint of a secondary is not supported by RocksDB
    // (facebook/rocksdb#11167): the running primary may roll the MANIFEST
    // or delete files the secondary listed. So a backup takes the store
    // exclusively.
    auto db
        = storage::database::open(cfg->data_dir, storage::open_mode::primary);
    if (!db)
      return fail(explain(db.error(), *cfg));
    // The backup holds what the store holds: private to its owner, as the
    // data directory is.
    auto old_mask = ::umask(077);
    auto err = (*db)->checkpoint(target);
    ::umask(old_mask);
    if (err)
      return fail("db backup: " + message_of(err));
  }
  auto copy = *cfg;
  copy.data_dir = target; // the same vault key file
  auto opened = open_store(copy, storage::open_mode::secondary);
  if (!opened)
    return fail("db backup: the backup in " + target
                + " does not open: " + message_of(opened.error()));
  auto verified = opened->st->verify_audit();
  if (!verified)
    return fail("db backup: cannot verify the backup in " + target + ": "
                + message_of(verified.error()));
  if (verified->first_bad_seq)
    return fail("db backup: the audit chain in " + target + " is broken at seq "
                + std::to_string(*verified->first_bad_seq) + ": "
                + verified->problem);
  std::printf("backup written to %s\n", target.c_str());
  std::printf("backup verified: %llu audit records\n",
              (unsigned long long)verified->records);
  std::printf("the backup does not contain the vault key file %s: back it up "
              "separately (the backup cannot be opened without it)\n",
              cfg->vault_key_file.c_str());
  return 0;
}

} // namespace

void add_db_commands(CLI::App& app, const cli_options& opts, int& rc) {
  auto* db = app.add_subcommand("db", "inspect and maintain the store");
  db->require_subcommand(1);
  db->add_subcommand("status", "schema version, record counts, sizes on disk "
                               "(works while tasksd runs)\n"
                               "example: tasksctl --data /var/lib/tasksd db "
                               "status")
      ->callback([&opts, &rc] { rc = db_status(opts); });
  db->add_subcommand("migrate", "apply pending schema migrations (tasksd "
                                "must be stopped)\n"
                                "example: tasksctl db migrate")
      ->callback([&opts, &rc] { rc = db_migrate(opts); });
  auto target = std::make_shared<std::string>();
  auto* backup = db->add_subcommand(
      "backup", "write a consistent copy of the store (a RocksDB checkpoint) "
                "to DIR and verify it; tasksd must be stopped. The vault key "
                "file is not copied: back it up separately\n"
                "example: tasksctl db backup /var/backups/tasksd-2026-11-26");
  backup->add_option("dir", *target, "a directory that does not exist yet")
      ->required();
  backup->callback([&opts, &rc, target] { rc = db_backup(opts, *target); });
}

} // namespace tasks::ctl
