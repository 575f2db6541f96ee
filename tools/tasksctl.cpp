// tasksctl: the admin tool. Works on the store directly, never over HTTP.
// Exit codes: 0 success, 1 user error (one-line message), 2 usage error.
#include <CLI/CLI.hpp>

#include "core/log.hpp"
#include "tools/ctl_common.hpp"

int main(int argc, char** argv) {
  using namespace tasks::ctl;
  // Results go to stdout for scripts; notices such as applied migrations
  // go to stderr.
  tasks::log::init(tasks::log_format::text);
  CLI::App app{"tasksctl: manage a tasksd store (users, servers, keys, "
               "audit log)"};
  app.require_subcommand(1);
  cli_options opts;
  app.add_option("--data", opts.data_dir,
                 "store directory (default: TASKS_DATA_DIR or ./data)");
  int rc = 0;
  add_db_commands(app, opts, rc);
  add_server_commands(app, opts, rc);
  add_audit_commands(app, opts, rc);
  add_user_commands(app, opts, rc);
  add_token_commands(app, opts, rc);
  add_tasks_commands(app, opts, rc);
  add_vault_commands(app, opts, rc);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    auto exit = app.exit(e);
    return exit == 0 ? 0 : 2;
  }
  return rc;
}
