// Configuration from the environment and `.env` (SPEC §2).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

namespace tasks {

/// How an unknown SSH host key is treated.
enum class host_key_policy { tofu, strict };

/// How the service log is written to stderr.
enum class log_format { text, json };

/// The validated configuration; defaults are SPEC §2's.
struct config {
  std::string data_dir = "./data";
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  /// Both set, or both empty.
  std::string tls_cert;
  std::string tls_key;
  /// Defaults to `<data_dir>/vault.key`.
  std::string vault_key_file;
  bool store_output_default = false;
  uint64_t output_max_bytes = 65536;
  uint32_t concurrent_per_server = 1;
  uint32_t default_timeout = 60;
  uint32_t num_workers = 4;
  uint32_t max_queued = 10000;
  uint32_t ssh_connect_timeout = 10;
  /// Seconds a warm SSH session may stay unused before it is closed.
  uint32_t ssh_idle_timeout = 60;
  host_key_policy host_keys = host_key_policy::tofu;
  uint32_t token_ttl = 43200;
  uint32_t retention_days = 0;
  log_format log = log_format::text;
  /// TASKS_BOOTSTRAP_ADMIN_PASSWORD: the first start's admin password
  /// (empty = generate one). A secret: describe() never shows it.
  std::string bootstrap_admin_password;
  /// Non-fatal findings, e.g. an unknown TASKS_* variable (a likely typo).
  std::vector<std::string> warnings;
};

/// Variable name to value.
using env_map = std::map<std::string, std::string>;

/// The TASKS_* variables of the process environment.
env_map process_environment();

/// Reads a `.env` file: `KEY=VALUE` lines, blank lines, an optional
/// `export ` prefix, values optionally in single or double quotes.
/// `#` starts a comment only at the start of a line: `A=1 # x` sets A to
/// `1 # x`. Unquoted values are trimmed; in double quotes `\"` and `\\` are
/// escapes (any other backslash is kept), single quotes are literal; after a
/// closing quote only blanks may follow. A missing file is an empty map; a
/// malformed line is an error naming the file and line number, such as
/// `.env:3: expected KEY=VALUE`.
caf::expected<env_map> read_dotenv(const std::string& path);

/// Builds the configuration from `.env` values overridden by the
/// environment. An invalid value is an errc::invalid_config error whose
/// message names the variable, the value and the allowed range; all invalid
/// values are reported at once, joined by "; ". Integers are digits only; an
/// empty value is invalid, except for TASKS_TLS_CERT/KEY, where it means
/// unset. Unknown TASKS_* names become `warnings`.
caf::expected<config> load_config(const env_map& environment,
                                  const env_map& dotenv);

/// load_config(process_environment(), read_dotenv(dotenv_path)).
caf::expected<config> load_config_from_process(const std::string& dotenv_path
                                               = ".env");

/// Every setting as (variable, value) for the start-up log; never secrets.
std::vector<std::pair<std::string, std::string>> describe(const config& cfg);

/// Returns "tofu" or "strict".
std::string to_string(host_key_policy p);

/// Returns "text" or "json".
std::string to_string(log_format f);

} // namespace tasks
