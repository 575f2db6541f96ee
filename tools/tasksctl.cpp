// tasksctl: the admin tool. Works on the store directly, never over HTTP.
// Exit codes: 0 success, 1 user error (one-line message), 2 usage error.
#include <cstdio>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "core/config.hpp"
#include "core/error.hpp"
#include "migrations/migrations.hpp"
#include "storage/crypto.hpp"
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

struct server_options {
  std::string name;
  std::string host;
  uint16_t port = 22;
  std::string user;
  uint64_t vault_key = 0;
  std::string key_file;
  bool password_stdin = false;
  std::string host_key;
  uint32_t max_concurrent = 0;
};

/// Reads a secret from stdin: the first line, without its newline.
std::string read_stdin_line() {
  std::string line;
  int c = 0;
  while ((c = std::getchar()) != EOF && c != '\n')
    line += static_cast<char>(c);
  if (!line.empty() && line.back() == '\r')
    line.pop_back();
  return line;
}

/// The audit origin of tasksctl's own changes.
audit_origin tasksctl_origin() {
  audit_origin who;
  who.username = "tasksctl";
  return who;
}

int server_add(const cli_options& opts, const server_options& in) {
  if (in.vault_key == 0 && in.key_file.empty() && !in.password_stdin)
    return fail("server add: give --vault-key, --key-file or "
                "--password-stdin");
  std::optional<std::string> password;
  if (in.password_stdin) {
    password = read_stdin_line();
    if (password->empty())
      return fail("server add: the password on stdin is empty");
  }
  auto cfg = load(opts);
  if (!cfg)
    return fail(message_of(cfg.error()));
  auto opened = open_store(*cfg, storage::open_mode::primary);
  if (!opened)
    return fail(explain(opened.error(), *cfg));
  server s;
  s.name = in.name;
  s.host = in.host;
  s.port = in.port;
  s.username = in.user;
  if (in.vault_key != 0)
    s.vault_key_id = in.vault_key;
  s.key_file = in.key_file;
  s.host_key = in.host_key;
  if (in.max_concurrent != 0)
    s.max_concurrent_tasks = in.max_concurrent;
  auto added = opened->st->add_server(s, password, tasksctl_origin());
  if (password)
    storage::wipe(*password);
  if (!added)
    return fail(message_of(added.error()));
  std::printf("server %llu added: %s (%s@%s:%u)\n",
              (unsigned long long)added->id, added->name.c_str(),
              added->username.c_str(), added->host.c_str(), added->port);
  return 0;
}

int server_list(const cli_options& opts) {
  auto cfg = load(opts);
  if (!cfg)
    return fail(message_of(cfg.error()));
  auto opened = open_store(*cfg, storage::open_mode::secondary);
  if (!opened)
    return fail(explain(opened.error(), *cfg));
  auto servers = opened->st->list_servers();
  if (!servers)
    return fail(message_of(servers.error()));
  std::printf("%-4s %-20s %-30s %s\n", "ID", "NAME", "ADDRESS", "HOST KEY");
  for (const auto& s : *servers) {
    auto address = s.username + "@" + s.host + ":" + std::to_string(s.port);
    std::printf("%-4llu %-20s %-30s %s\n", (unsigned long long)s.id,
                s.name.c_str(), address.c_str(),
                s.host_key.empty() ? "(not pinned)" : s.host_key.c_str());
  }
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
  auto* servers
      = app.add_subcommand("server", "manage the servers tasks run on");
  servers->require_subcommand(1);
  server_options srv;
  auto* add = servers->add_subcommand(
      "add", "register a server (tasksd must be stopped)\n"
             "example: tasksctl server add web1 --host 10.0.0.5 --user "
             "deploy --key-file /etc/tasksd/id_ed25519");
  add->add_option("name", srv.name, "unique server name")->required();
  add->add_option("--host", srv.host, "host name or address")->required();
  add->add_option("--port", srv.port, "SSH port (default 22)");
  add->add_option("--user", srv.user, "remote user name")->required();
  auto* auth = add->add_option_group("auth", "how tasksd logs in");
  auth->add_option("--vault-key", srv.vault_key, "id of a vault key");
  auth->add_option("--key-file", srv.key_file, "path of a private key file");
  auth->add_flag("--password-stdin", srv.password_stdin,
                 "read the password from stdin");
  auth->require_option(1, 0);
  add->add_option("--host-key", srv.host_key,
                  "pin this host key (SHA256:… as ssh-keygen -lf prints)");
  add->add_option("--max-concurrent", srv.max_concurrent,
                  "running tasks on this server at most");
  add->callback([&] { rc = server_add(opts, srv); });
  servers
      ->add_subcommand("list", "list servers (works while tasksd runs)\n"
                               "example: tasksctl server list")
      ->callback([&] { rc = server_list(opts); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    auto exit = app.exit(e);
    return exit == 0 ? 0 : 2;
  }
  return rc;
}
