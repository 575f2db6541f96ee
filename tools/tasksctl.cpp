// tasksctl: the admin tool. Works on the store directly, never over HTTP.
// Exit codes: 0 success, 1 user error (one-line message), 2 usage error.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "core/config.hpp"
#include "core/error.hpp"
#include "migrations/migrations.hpp"
#include "storage/store.hpp"
#include "tools/store_setup.hpp"

namespace {

using namespace tasks;

struct cli_options {
  std::string data_dir;
};

int fail(const std::string& message) {
  std::fprintf(stderr, "tasksctl: %s\n", message.c_str());
  return 1;
}

/// The configuration with `--data` taking the place of TASKS_DATA_DIR.
caf::expected<config> load(const cli_options& opts) {
  auto env = process_environment();
  if (!opts.data_dir.empty())
    env["TASKS_DATA_DIR"] = opts.data_dir;
  auto dotenv = read_dotenv(".env");
  if (!dotenv)
    return dotenv.error();
  return load_config(env, *dotenv);
}

std::string explain(const caf::error& err, const config& cfg) {
  if (err == errc::store_locked)
    return "tasksd is running on " + cfg.data_dir
           + ": stop it, or use the REST API";
  return message_of(err);
}

int db_status(const cli_options& opts) {
  auto cfg = load(opts);
  if (!cfg)
    return fail(message_of(cfg.error()));
  auto opened = open_store(*cfg, storage::open_mode::secondary);
  if (!opened)
    return fail(explain(opened.error(), *cfg));
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
  std::printf("store            %s\n", cfg->data_dir.c_str());
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

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"tasksctl: manage a tasksd store (users, servers, keys, "
               "audit log)"};
  app.require_subcommand(1);
  cli_options opts;
  app.add_option("--data", opts.data_dir,
                 "store directory (default: TASKS_DATA_DIR or ./data)");
  auto* db = app.add_subcommand("db", "inspect and maintain the store");
  db->require_subcommand(1);
  int rc = 0;
  db->add_subcommand("status", "schema version, record counts, sizes on disk "
                               "(works while tasksd runs)\n"
                               "example: tasksctl --data /var/lib/tasksd db "
                               "status")
      ->callback([&] { rc = db_status(opts); });
  db->add_subcommand("migrate", "apply pending schema migrations (tasksd "
                                "must be stopped)\n"
                                "example: tasksctl db migrate")
      ->callback([&] { rc = db_migrate(opts); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    auto exit = app.exit(e);
    return exit == 0 ? 0 : 2;
  }
  return rc;
}
