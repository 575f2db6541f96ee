// Configuration: strict validation of every SPEC §2 variable.
#include "core/config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string_view>
#include <vector>

#include <arpa/inet.h>
#include <unistd.h>

#include "core/error.hpp"
#include "core/utf8.hpp"

namespace tasks {

namespace {

constexpr std::string_view var_prefix = "TASKS_";

/// Every variable tasksd reads; any other TASKS_* name is probably a typo.
constexpr std::string_view known_variables[] = {
    "TASKS_DATA_DIR",
    "TASKS_LISTEN",
    "TASKS_TLS_CERT",
    "TASKS_TLS_KEY",
    "TASKS_VAULT_KEY_FILE",
    "TASKS_STORE_OUTPUT_DEFAULT",
    "TASKS_OUTPUT_MAX_BYTES",
    "TASKS_CONCURRENT_PER_SERVER",
    "TASKS_DEFAULT_TIMEOUT",
    "TASKS_NUM_WORKERS",
    "TASKS_MAX_QUEUED",
    "TASKS_SSH_CONNECT_TIMEOUT",
    "TASKS_SSH_IDLE_TIMEOUT",
    "TASKS_HOST_KEY_POLICY",
    "TASKS_TOKEN_TTL",
    "TASKS_RETENTION_DAYS",
    "TASKS_LOG_FORMAT",
    // Used by the first start only (SPEC §1); a secret, never described.
    "TASKS_BOOTSTRAP_ADMIN_PASSWORD",
};

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

/// Renders a value for an error message; quoted whenever a bare rendering
/// would hide something (emptiness, blanks, control characters).
std::string show(std::string_view value) {
  auto clean = utf8::sanitize(value);
  bool bare = !clean.empty();
  for (unsigned char c : clean)
    if (c <= 0x20 || c == 0x7F || c == '"' || c == '\\')
      bare = false;
  if (bare)
    return clean;
  std::string out = "\"";
  for (unsigned char c : clean) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

/// Digits only: no sign, no blanks, no suffix, no overflow.
bool parse_uint(std::string_view text, uint64_t& out) {
  if (text.empty())
    return false;
  uint64_t value = 0;
  for (auto c : text) {
    if (c < '0' || c > '9')
      return false;
    auto digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10)
      return false;
    value = value * 10 + digit;
  }
  out = value;
  return true;
}

bool is_ipv4(std::string_view text) {
  int parts = 0;
  size_t pos = 0;
  while (true) {
    auto end = std::min(text.find('.', pos), text.size());
    auto part = text.substr(pos, end - pos);
    uint64_t octet = 0;
    // "010" is octal to inet_aton but decimal to a human: refuse both.
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')
        || !parse_uint(part, octet) || octet > 255)
      return false;
    ++parts;
    if (end == text.size())
      return parts == 4;
    pos = end + 1;
  }
}

bool is_ipv6(std::string_view text) {
  std::string copy{text};
  in6_addr addr;
  return inet_pton(AF_INET6, copy.c_str(), &addr) == 1;
}

/// Splits `HOST:PORT`; IPv6 hosts come in brackets, returned without.
bool parse_listen(std::string_view text, std::string& host, uint16_t& port) {
  std::string_view host_part;
  std::string_view port_part;
  if (starts_with(text, "[")) {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size()
        || text[close + 1] != ':')
      return false;
    host_part = text.substr(1, close - 1);
    port_part = text.substr(close + 2);
    if (!is_ipv6(host_part))
      return false;
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
      return false;
    host_part = text.substr(0, colon);
    port_part = text.substr(colon + 1);
    if (host_part != "localhost" && !is_ipv4(host_part))
      return false;
  }
  uint64_t value = 0;
  if (!parse_uint(port_part, value) || value < 1 || value > 65535)
    return false;
  host = std::string{host_part};
  port = static_cast<uint16_t>(value);
  return true;
}

/// Why `path` cannot serve as a readable file, or empty when it can.
std::string unreadable_reason(const std::string& path) {
  std::error_code ec;
  auto st = std::filesystem::status(path, ec);
  if (ec)
    return ec.message();
  if (!std::filesystem::is_regular_file(st))
    return "not a regular file";
  std::ifstream in{path};
  if (!in)
    return std::strerror(errno);
  return {};
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    auto diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      auto above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string unknown_variable_warning(const std::string& name,
                                     const char* where) {
  auto msg = "unknown variable " + name + " " + where + " ignored";
  std::string_view best;
  size_t best_distance = 3; // beyond two edits a suggestion is a guess
  for (auto known : known_variables) {
    auto d = edit_distance(name, known);
    if (d < best_distance) {
      best = known;
      best_distance = d;
    }
  }
  if (best.empty())
    return msg + " (a typo?)";
  return msg + " (did you mean " + std::string{best} + "?)";
}

/// Validates one merged set of variables, collecting every error at once
/// so that a broken deployment is fixed in one round, not one per restart.
class validator {
public:
  explicit validator(env_map values) : values_(std::move(values)) {
    // nop
  }

  const std::string* find(const char* name) const {
    auto i = values_.find(name);
    return i == values_.end() ? nullptr : &i->second;
  }

  void fail(std::string msg) { errors_.emplace_back(std::move(msg)); }

  void fail_value(const char* name, const std::string& value,
                  const std::string& expected) {
    auto empty_note = value.empty() ? " (set but empty)" : "";
    fail(std::string{name} + "=" + show(value) + " is invalid" + empty_note
         + ": expected " + expected);
  }

  template <class T>
  void read_uint(const char* name, T& out, uint64_t min, uint64_t max) {
    auto value = find(name);
    if (!value)
      return;
    uint64_t parsed = 0;
    if (!parse_uint(*value, parsed) || parsed < min || parsed > max) {
      fail_value(name, *value,
                 "an integer from " + std::to_string(min) + " to "
                     + std::to_string(max));
      return;
    }
    out = static_cast<T>(parsed);
  }

  void read_path(const char* name, std::string& out, const char* what) {
    auto value = find(name);
    if (!value)
      return;
    if (value->empty())
      fail_value(name, *value, std::string{"a non-empty "} + what + " path");
    else
      out = *value;
  }

  std::string join_errors() const {
    std::string out;
    for (const auto& e : errors_) {
      if (!out.empty())
        out += "; ";
      out += e;
    }
    return out;
  }

  bool ok() const { return errors_.empty(); }

private:
  env_map values_;
  std::vector<std::string> errors_;
};

void read_listen(validator& v, config& cfg) {
  auto value = v.find("TASKS_LISTEN");
  if (value && !parse_listen(*value, cfg.listen_host, cfg.listen_port))
    v.fail_value("TASKS_LISTEN", *value,
                 "HOST:PORT with HOST an IPv4 address, localhost or an IPv6 "
                 "address in brackets such as [::1], and PORT from 1 to "
                 "65535");
}

void read_tls(validator& v, config& cfg) {
  // An empty value counts as unset, so the environment can switch off TLS
  // that a .env file turns on.
  auto cert = v.find("TASKS_TLS_CERT");
  auto key = v.find("TASKS_TLS_KEY");
  bool has_cert = cert && !cert->empty();
  bool has_key = key && !key->empty();
  if (has_cert != has_key) {
    auto set = has_cert ? "TASKS_TLS_CERT" : "TASKS_TLS_KEY";
    auto missing = has_cert ? "TASKS_TLS_KEY" : "TASKS_TLS_CERT";
    v.fail(std::string{set} + " is set but " + missing
           + " is not: set both to serve HTTPS, or neither");
    return;
  }
  if (!has_cert)
    return;
  for (auto [name, path] :
       {std::pair{"TASKS_TLS_CERT", cert}, std::pair{"TASKS_TLS_KEY", key}}) {
    auto reason = unreadable_reason(*path);
    if (!reason.empty())
      v.fail_value(name, *path, "a readable file (" + reason + ")");
  }
  cfg.tls_cert = *cert;
  cfg.tls_key = *key;
}

/// The value is a secret: errors name the variable and the rule only.
void read_bootstrap_password(validator& v, config& cfg) {
  constexpr size_t max_bytes = 1024; // storage::max_password_size
  auto value = v.find("TASKS_BOOTSTRAP_ADMIN_PASSWORD");
  if (!value)
    return;
  if (value->size() > max_bytes) {
    v.fail("TASKS_BOOTSTRAP_ADMIN_PASSWORD is invalid (value not shown): "
           "expected at most 1024 bytes, or empty to generate a password");
    return;
  }
  cfg.bootstrap_admin_password = *value;
}

void read_choices(validator& v, config& cfg) {
  if (auto value = v.find("TASKS_STORE_OUTPUT_DEFAULT")) {
    if (*value == "1" || *value == "true")
      cfg.store_output_default = true;
    else if (*value == "0" || *value == "false")
      cfg.store_output_default = false;
    else
      v.fail_value("TASKS_STORE_OUTPUT_DEFAULT", *value, "0, 1, true or false");
  }
  if (auto value = v.find("TASKS_HOST_KEY_POLICY")) {
    if (*value == "tofu")
      cfg.host_keys = host_key_policy::tofu;
    else if (*value == "strict")
      cfg.host_keys = host_key_policy::strict;
    else
      v.fail_value("TASKS_HOST_KEY_POLICY", *value, "tofu or strict");
  }
  if (auto value = v.find("TASKS_LOG_FORMAT")) {
    if (*value == "text")
      cfg.log = log_format::text;
    else if (*value == "json")
      cfg.log = log_format::json;
    else
      v.fail_value("TASKS_LOG_FORMAT", *value, "text or json");
  }
}

} // namespace

env_map process_environment() {
  env_map result;
  for (auto entry = environ; entry && *entry; ++entry) {
    std::string_view var{*entry};
    auto eq = var.find('=');
    if (eq == std::string_view::npos || !starts_with(var, var_prefix))
      continue;
    result.emplace(std::string{var.substr(0, eq)},
                   std::string{var.substr(eq + 1)});
  }
  return result;
}

caf::expected<config> load_config(const env_map& environment,
                                  const env_map& dotenv) {
  config cfg;
  env_map merged;
  for (const auto* source : {&dotenv, &environment}) {
    auto where = source == &dotenv ? "in .env" : "in the environment";
    for (const auto& [name, value] : *source) {
      if (!starts_with(name, var_prefix))
        continue;
      merged[name] = value;
      auto known = std::find(std::begin(known_variables),
                             std::end(known_variables), name);
      if (known == std::end(known_variables))
        cfg.warnings.emplace_back(unknown_variable_warning(name, where));
    }
  }
  validator v{std::move(merged)};
  v.read_path("TASKS_DATA_DIR", cfg.data_dir, "directory");
  read_listen(v, cfg);
  read_tls(v, cfg);
  v.read_path("TASKS_VAULT_KEY_FILE", cfg.vault_key_file, "file");
  read_choices(v, cfg);
  v.read_uint("TASKS_OUTPUT_MAX_BYTES", cfg.output_max_bytes, 1, 16777216);
  v.read_uint("TASKS_CONCURRENT_PER_SERVER", cfg.concurrent_per_server, 1, 256);
  v.read_uint("TASKS_DEFAULT_TIMEOUT", cfg.default_timeout, 1, 600);
  v.read_uint("TASKS_NUM_WORKERS", cfg.num_workers, 1, 1024);
  v.read_uint("TASKS_MAX_QUEUED", cfg.max_queued, 1, 1000000);
  v.read_uint("TASKS_SSH_CONNECT_TIMEOUT", cfg.ssh_connect_timeout, 1, 300);
  v.read_uint("TASKS_SSH_IDLE_TIMEOUT", cfg.ssh_idle_timeout, 1, 86400);
  v.read_uint("TASKS_TOKEN_TTL", cfg.token_ttl, 60, 31536000);
  v.read_uint("TASKS_RETENTION_DAYS", cfg.retention_days, 0, 36500);
  read_bootstrap_password(v, cfg);
  if (!v.ok())
    return make_error(errc::invalid_config, v.join_errors());
  if (cfg.vault_key_file.empty())
    cfg.vault_key_file = cfg.data_dir.back() == '/'
                             ? cfg.data_dir + "vault.key"
                             : cfg.data_dir + "/vault.key";
  return cfg;
}

caf::expected<config> load_config_from_process(const std::string& dotenv_path) {
  auto dotenv = read_dotenv(dotenv_path);
  if (!dotenv)
    return std::move(dotenv.error());
  return load_config(process_environment(), *dotenv);
}

std::vector<std::pair<std::string, std::string>> describe(const config& cfg) {
  auto listen_host = cfg.listen_host.find(':') == std::string::npos
                         ? cfg.listen_host
                         : "[" + cfg.listen_host + "]";
  auto or_unset
      = [](const std::string& x) { return x.empty() ? "(unset)" : x; };
  return {
      {"TASKS_DATA_DIR", cfg.data_dir},
      {"TASKS_LISTEN", listen_host + ":" + std::to_string(cfg.listen_port)},
      {"TASKS_TLS_CERT", or_unset(cfg.tls_cert)},
      {"TASKS_TLS_KEY", or_unset(cfg.tls_key)},
      {"TASKS_VAULT_KEY_FILE", cfg.vault_key_file},
      {"TASKS_STORE_OUTPUT_DEFAULT", cfg.store_output_default ? "1" : "0"},
      {"TASKS_OUTPUT_MAX_BYTES", std::to_string(cfg.output_max_bytes)},
      {"TASKS_CONCURRENT_PER_SERVER",
       std::to_string(cfg.concurrent_per_server)},
      {"TASKS_DEFAULT_TIMEOUT", std::to_string(cfg.default_timeout)},
      {"TASKS_NUM_WORKERS", std::to_string(cfg.num_workers)},
      {"TASKS_MAX_QUEUED", std::to_string(cfg.max_queued)},
      {"TASKS_SSH_CONNECT_TIMEOUT", std::to_string(cfg.ssh_connect_timeout)},
      {"TASKS_SSH_IDLE_TIMEOUT", std::to_string(cfg.ssh_idle_timeout)},
      {"TASKS_HOST_KEY_POLICY", to_string(cfg.host_keys)},
      {"TASKS_TOKEN_TTL", std::to_string(cfg.token_ttl)},
      {"TASKS_RETENTION_DAYS", std::to_string(cfg.retention_days)},
      {"TASKS_LOG_FORMAT", to_string(cfg.log)},
  };
}

std::string to_string(host_key_policy p) {
  return p == host_key_policy::strict ? "strict" : "tofu";
}

std::string to_string(log_format f) {
  return f == log_format::json ? "json" : "text";
}

} // namespace tasks
