// What every tasksctl command shares: options, the configuration, opening
// the store, and the exit code conventions (0 ok, 1 user error, 2 usage).
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <caf/expected.hpp>

#include "core/audit_event.hpp"
#include "core/config.hpp"
#include "tools/store_setup.hpp"

namespace tasks::ctl {

/// Options given before the command group.
struct cli_options {
  std::string data_dir;
};

/// Prints `tasksctl: <message>` to stderr; returns exit code 1.
int fail(const std::string& message);

/// The configuration with `--data` taking the place of TASKS_DATA_DIR.
caf::expected<config> load(const cli_options& opts);

/// An error in words an operator can act on.
std::string explain(const caf::error& err, const config& cfg);

/// Loads the configuration into `cfg` and opens its store in `mode`:
/// secondary beside a running tasksd, primary (exclusive) for writes. On
/// failure it prints why (fail()) and returns nullopt; the command exits 1.
std::optional<opened_store> open_for(const cli_options& opts,
                                     storage::open_mode mode, config& cfg);

/// Reads a secret from stdin: the first line, without its newline.
std::string read_stdin_line();

/// The audit origin of tasksctl's own changes.
audit_origin tasksctl_origin();

/// Each command group registers its subcommands; a command's callback sets
/// `rc` to its exit code.
void add_db_commands(CLI::App& app, const cli_options& opts, int& rc);
void add_server_commands(CLI::App& app, const cli_options& opts, int& rc);
void add_audit_commands(CLI::App& app, const cli_options& opts, int& rc);
void add_user_commands(CLI::App& app, const cli_options& opts, int& rc);
void add_token_commands(CLI::App& app, const cli_options& opts, int& rc);
void add_tasks_commands(CLI::App& app, const cli_options& opts, int& rc);
void add_vault_commands(CLI::App& app, const cli_options& opts, int& rc);

} // namespace tasks::ctl
