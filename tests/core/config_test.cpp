// Tests configuration loading: defaults, validation, precedence, `.env`.
#define CAF_SUITE core.config
#include <caf/test/unit_test.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"

using namespace tasks;

namespace {

/// Loads a configuration from the given environment and `.env` values.
caf::expected<config> load(const env_map& env, const env_map& dotenv = {}) {
  return load_config(env, dotenv);
}

/// The error message of a rejected configuration, empty if accepted.
std::string error_of(const env_map& env, const env_map& dotenv = {}) {
  auto cfg = load(env, dotenv);
  return cfg ? std::string{} : message_of(cfg.error());
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

/// A numeric variable, its range and where its value lands.
struct numeric_var {
  const char* name;
  uint64_t min;
  uint64_t max;
  std::function<uint64_t(const config&)> get;
};

const std::vector<numeric_var> numeric_vars = {
    {"TASKS_OUTPUT_MAX_BYTES", 1, 16777216,
     [](const config& c) { return c.output_max_bytes; }},
    {"TASKS_CONCURRENT_PER_SERVER", 1, 256,
     [](const config& c) { return c.concurrent_per_server; }},
    {"TASKS_DEFAULT_TIMEOUT", 1, 600,
     [](const config& c) { return c.default_timeout; }},
    {"TASKS_NUM_WORKERS", 1, 1024,
     [](const config& c) { return c.num_workers; }},
    {"TASKS_MAX_QUEUED", 1, 1000000,
     [](const config& c) { return c.max_queued; }},
    {"TASKS_SSH_CONNECT_TIMEOUT", 1, 300,
     [](const config& c) { return c.ssh_connect_timeout; }},
    {"TASKS_SSH_IDLE_TIMEOUT", 1, 86400,
     [](const config& c) { return c.ssh_idle_timeout; }},
    {"TASKS_TOKEN_TTL", 60, 31536000,
     [](const config& c) { return c.token_ttl; }},
    {"TASKS_RETENTION_DAYS", 0, 36500,
     [](const config& c) { return c.retention_days; }},
};

/// A fresh directory for files the configuration refers to.
struct fixture {
  fixture() {
    auto pattern
        = (std::filesystem::temp_directory_path() / "tasks-config-test-XXXXXX")
              .string();
    dir = mkdtemp(pattern.data());
  }

  ~fixture() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  std::string write(const std::string& name, const std::string& content) {
    auto path = dir + "/" + name;
    std::ofstream out{path, std::ios::binary};
    out << content;
    return path;
  }

  caf::expected<env_map> dotenv(const std::string& content) {
    return read_dotenv(write(".env", content));
  }

  std::string dir;
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(config_tests, fixture)

CAF_TEST(an_empty_environment_yields_the_spec_defaults) {
  auto cfg = load({});
  CAF_REQUIRE(cfg);
  CAF_CHECK_EQUAL(cfg->data_dir, "./data");
  CAF_CHECK_EQUAL(cfg->listen_host, "127.0.0.1");
  CAF_CHECK_EQUAL(cfg->listen_port, 8080u);
  CAF_CHECK_EQUAL(cfg->tls_cert, "");
  CAF_CHECK_EQUAL(cfg->tls_key, "");
  CAF_CHECK_EQUAL(cfg->vault_key_file, "./data/vault.key");
  CAF_CHECK_EQUAL(cfg->store_output_default, false);
  CAF_CHECK_EQUAL(cfg->output_max_bytes, 65536u);
  CAF_CHECK_EQUAL(cfg->concurrent_per_server, 1u);
  CAF_CHECK_EQUAL(cfg->default_timeout, 60u);
  CAF_CHECK_EQUAL(cfg->num_workers, 4u);
  CAF_CHECK_EQUAL(cfg->max_queued, 10000u);
  CAF_CHECK_EQUAL(cfg->ssh_connect_timeout, 10u);
  CAF_CHECK_EQUAL(cfg->ssh_idle_timeout, 60u);
  CAF_CHECK(cfg->host_keys == host_key_policy::tofu);
  CAF_CHECK_EQUAL(cfg->token_ttl, 43200u);
  CAF_CHECK_EQUAL(cfg->retention_days, 0u);
  CAF_CHECK(cfg->log == log_format::text);
  CAF_CHECK(cfg->warnings.empty());
}

CAF_TEST(numeric_variables_accept_both_ends_of_their_range) {
  for (const auto& var : numeric_vars) {
    for (auto value : {var.min, var.max}) {
      auto cfg = load({{var.name, std::to_string(value)}});
      CAF_REQUIRE(cfg);
      CAF_CHECK_EQUAL(var.get(*cfg), value);
    }
  }
}

CAF_TEST(numeric_variables_reject_values_just_outside_their_range) {
  for (const auto& var : numeric_vars) {
    auto range = "expected an integer from " + std::to_string(var.min) + " to "
                 + std::to_string(var.max);
    auto high = std::to_string(var.max + 1);
    CAF_CHECK_EQUAL(error_of({{var.name, high}}),
                    std::string{var.name} + "=" + high
                        + " is invalid: " + range);
    if (var.min > 0) {
      auto low = std::to_string(var.min - 1);
      CAF_CHECK_EQUAL(error_of({{var.name, low}}),
                      std::string{var.name} + "=" + low
                          + " is invalid: " + range);
    }
    CAF_CHECK(contains(error_of({{var.name, "-1"}}), range));
  }
  CAF_CHECK_EQUAL(error_of({{"TASKS_NUM_WORKERS", "0"}}),
                  "TASKS_NUM_WORKERS=0 is invalid: expected an integer from "
                  "1 to 1024");
}

CAF_TEST(numeric_variables_accept_digits_only) {
  for (const auto& var : numeric_vars) {
    for (auto bad : {"abc", "+5", " 5", "5 ", "5x", "0x10", "1e3", "5.0",
                     "1_000", "99999999999999999999999"}) {
      auto msg = error_of({{var.name, bad}});
      CAF_CHECK(contains(msg, var.name));
      CAF_CHECK(contains(msg, " is invalid"));
      CAF_CHECK(contains(msg, "expected an integer from"));
    }
  }
  // Leading blanks are shown quoted, so the reader can see them.
  CAF_CHECK(contains(error_of({{"TASKS_NUM_WORKERS", " 5"}}),
                     "TASKS_NUM_WORKERS=\" 5\" is invalid"));
  CAF_CHECK(contains(error_of({{"TASKS_NUM_WORKERS", "99999999999999999999"}}),
                     "TASKS_NUM_WORKERS=99999999999999999999 is invalid"));
}

CAF_TEST(an_empty_numeric_variable_is_set_and_invalid) {
  for (const auto& var : numeric_vars) {
    auto msg = error_of({{var.name, ""}});
    CAF_CHECK_EQUAL(msg, std::string{var.name}
                             + "=\"\" is invalid (set but empty): expected an "
                               "integer from "
                             + std::to_string(var.min) + " to "
                             + std::to_string(var.max));
  }
}

CAF_TEST(errors_carry_the_invalid_config_code) {
  auto cfg = load({{"TASKS_NUM_WORKERS", "0"}});
  CAF_REQUIRE(!cfg);
  CAF_CHECK(cfg.error() == errc::invalid_config);
}

CAF_TEST(every_invalid_variable_is_reported_at_once) {
  auto msg = error_of({{"TASKS_NUM_WORKERS", "0"},
                       {"TASKS_LOG_FORMAT", "xml"},
                       {"TASKS_LISTEN", "nowhere"}});
  CAF_CHECK(contains(msg, "TASKS_NUM_WORKERS=0"));
  CAF_CHECK(contains(msg, "TASKS_LOG_FORMAT=xml"));
  CAF_CHECK(contains(msg, "TASKS_LISTEN=nowhere"));
}

CAF_TEST(store_output_default_accepts_0_1_true_and_false) {
  for (auto [text, expected] :
       {std::pair{"1", true}, std::pair{"true", true}, std::pair{"0", false},
        std::pair{"false", false}}) {
    auto cfg = load({{"TASKS_STORE_OUTPUT_DEFAULT", text}});
    CAF_REQUIRE(cfg);
    CAF_CHECK_EQUAL(cfg->store_output_default, expected);
  }
  for (auto bad : {"yes", "TRUE", "2", "", " 1", "on"})
    CAF_CHECK(contains(error_of({{"TASKS_STORE_OUTPUT_DEFAULT", bad}}),
                       "expected 0, 1, true or false"));
}

CAF_TEST(host_key_policy_and_log_format_accept_their_names_only) {
  auto cfg = load(
      {{"TASKS_HOST_KEY_POLICY", "strict"}, {"TASKS_LOG_FORMAT", "json"}});
  CAF_REQUIRE(cfg);
  CAF_CHECK(cfg->host_keys == host_key_policy::strict);
  CAF_CHECK(cfg->log == log_format::json);
  cfg = load({{"TASKS_HOST_KEY_POLICY", "tofu"}, {"TASKS_LOG_FORMAT", "text"}});
  CAF_REQUIRE(cfg);
  CAF_CHECK(cfg->host_keys == host_key_policy::tofu);
  CAF_CHECK(cfg->log == log_format::text);
  for (auto bad : {"Strict", "", "none", "tofu "})
    CAF_CHECK(contains(error_of({{"TASKS_HOST_KEY_POLICY", bad}}),
                       "expected tofu or strict"));
  for (auto bad : {"JSON", "", "xml"})
    CAF_CHECK(contains(error_of({{"TASKS_LOG_FORMAT", bad}}),
                       "expected text or json"));
}

CAF_TEST(data_dir_and_vault_key_file_must_not_be_empty) {
  CAF_CHECK_EQUAL(error_of({{"TASKS_DATA_DIR", ""}}),
                  "TASKS_DATA_DIR=\"\" is invalid (set but empty): expected "
                  "a non-empty directory path");
  CAF_CHECK(contains(error_of({{"TASKS_VAULT_KEY_FILE", ""}}),
                     "TASKS_VAULT_KEY_FILE=\"\" is invalid"));
}

CAF_TEST(vault_key_file_defaults_to_a_file_in_the_data_dir) {
  auto cfg = load({{"TASKS_DATA_DIR", "/var/lib/tasks"}});
  CAF_REQUIRE(cfg);
  CAF_CHECK_EQUAL(cfg->data_dir, "/var/lib/tasks");
  CAF_CHECK_EQUAL(cfg->vault_key_file, "/var/lib/tasks/vault.key");
  cfg = load({{"TASKS_DATA_DIR", "/var/lib/tasks/"}});
  CAF_REQUIRE(cfg);
  CAF_CHECK_EQUAL(cfg->vault_key_file, "/var/lib/tasks/vault.key");
  cfg = load({{"TASKS_DATA_DIR", "/d"}, {"TASKS_VAULT_KEY_FILE", "/k/v.key"}});
  CAF_REQUIRE(cfg);
  CAF_CHECK_EQUAL(cfg->vault_key_file, "/k/v.key");
}

CAF_TEST(listen_accepts_ipv4_localhost_and_bracketed_ipv6) {
  struct row {
    const char* text;
    const char* host;
    uint16_t port;
  };
  for (auto [text, host, port] :
       {row{"0.0.0.0:80", "0.0.0.0", 80},
        row{"127.0.0.1:8080", "127.0.0.1", 8080},
        row{"255.255.255.255:65535", "255.255.255.255", 65535},
        row{"localhost:1", "localhost", 1}, row{"[::1]:8443", "::1", 8443},
        row{"[::]:8080", "::", 8080},
        row{"[2001:db8::1]:443", "2001:db8::1", 443}}) {
    auto cfg = load({{"TASKS_LISTEN", text}});
    CAF_REQUIRE(cfg);
    CAF_CHECK_EQUAL(cfg->listen_host, host);
    CAF_CHECK_EQUAL(cfg->listen_port, port);
  }
}

CAF_TEST(listen_rejects_anything_but_host_colon_port) {
  for (auto bad : {"",
                   "127.0.0.1",
                   "127.0.0.1:",
                   ":8080",
                   "127.0.0.1:0",
                   "127.0.0.1:65536",
                   "127.0.0.1:80x",
                   "127.0.0.1:+80",
                   "127.0.0.1: 80",
                   " 127.0.0.1:80",
                   "256.0.0.1:80",
                   "1.2.3:80",
                   "1.2.3.4.5:80",
                   "01.2.3.4:80",
                   "1..3.4:80",
                   "example.com:80",
                   "LOCALHOST:80",
                   "::1:8080",
                   "[::1]8080",
                   "[::1]",
                   "[::1]:",
                   "[zz::1]:80",
                   "[127.0.0.1]:80",
                   "[::1:80"}) {
    auto msg = error_of({{"TASKS_LISTEN", bad}});
    CAF_CHECK(contains(msg, "TASKS_LISTEN="));
    CAF_CHECK(contains(msg, "PORT from 1 to 65535"));
  }
  CAF_CHECK(contains(error_of({{"TASKS_LISTEN", "127.0.0.1:0"}}),
                     "TASKS_LISTEN=127.0.0.1:0 is invalid: expected "
                     "HOST:PORT"));
}

CAF_TEST(tls_needs_both_cert_and_key) {
  auto cert = write("cert.pem", "cert");
  auto msg = error_of({{"TASKS_TLS_CERT", cert}});
  CAF_CHECK_EQUAL(msg, "TASKS_TLS_CERT is set but TASKS_TLS_KEY is not: set "
                       "both to serve HTTPS, or neither");
  msg = error_of({{"TASKS_TLS_KEY", cert}});
  CAF_CHECK(contains(msg, "TASKS_TLS_KEY is set but TASKS_TLS_CERT is not"));
}

CAF_TEST(tls_files_must_be_readable_regular_files) {
  auto cert = write("cert.pem", "cert");
  auto key = write("key.pem", "key");
  auto cfg = load({{"TASKS_TLS_CERT", cert}, {"TASKS_TLS_KEY", key}});
  CAF_REQUIRE(cfg);
  CAF_CHECK_EQUAL(cfg->tls_cert, cert);
  CAF_CHECK_EQUAL(cfg->tls_key, key);
  auto missing = dir + "/missing.pem";
  auto msg = error_of({{"TASKS_TLS_CERT", cert}, {"TASKS_TLS_KEY", missing}});
  CAF_CHECK(contains(msg, "TASKS_TLS_KEY=" + missing + " is invalid"));
  CAF_CHECK(contains(msg, "expected a readable file"));
  CAF_CHECK(!contains(msg, "TASKS_TLS_CERT"));
  msg = error_of({{"TASKS_TLS_CERT", dir}, {"TASKS_TLS_KEY", key}});
  CAF_CHECK(contains(msg, "TASKS_TLS_CERT=" + dir + " is invalid"));
  CAF_CHECK(contains(msg, "not a regular file"));
}

CAF_TEST(an_empty_tls_variable_counts_as_unset) {
  auto cert = write("cert.pem", "cert");
  auto key = write("key.pem", "key");
  auto cfg = load({{"TASKS_TLS_CERT", ""}, {"TASKS_TLS_KEY", ""}},
                  {{"TASKS_TLS_CERT", cert}, {"TASKS_TLS_KEY", key}});
  CAF_REQUIRE(cfg);
  CAF_CHECK_EQUAL(cfg->tls_cert, "");
  CAF_CHECK_EQUAL(cfg->tls_key, "");
}

CAF_TEST(the_environment_wins_over_dotenv) {
  auto cfg = load({{"TASKS_NUM_WORKERS", "8"}},
                  {{"TASKS_NUM_WORKERS", "2"}, {"TASKS_MAX_QUEUED", "5"}});
  CAF_REQUIRE(cfg);
  CAF_CHECK_EQUAL(cfg->num_workers, 8u);
  CAF_CHECK_EQUAL(cfg->max_queued, 5u);
  // An empty value in the environment still overrides, and is invalid.
  CAF_CHECK(contains(
      error_of({{"TASKS_NUM_WORKERS", ""}}, {{"TASKS_NUM_WORKERS", "2"}}),
      "set but empty"));
  // A valid environment value hides an invalid .env value.
  CAF_CHECK(load({{"TASKS_NUM_WORKERS", "3"}}, {{"TASKS_NUM_WORKERS", "x"}}));
}

CAF_TEST(unknown_tasks_variables_are_warnings_not_errors) {
  auto cfg = load({{"TASKS_NUM_WORKER", "8"}, {"PATH", "/bin"}},
                  {{"TASKS_FROBNICATE", "1"}, {"OTHER", "x"}});
  CAF_REQUIRE(cfg);
  CAF_REQUIRE_EQUAL(cfg->warnings.size(), 2u);
  CAF_CHECK(contains(cfg->warnings[0], "TASKS_FROBNICATE"));
  CAF_CHECK(contains(cfg->warnings[0], "in .env"));
  CAF_CHECK(contains(cfg->warnings[1], "TASKS_NUM_WORKER "));
  CAF_CHECK(contains(cfg->warnings[1], "in the environment"));
  CAF_CHECK(contains(cfg->warnings[1], "did you mean TASKS_NUM_WORKERS?"));
  CAF_CHECK_EQUAL(cfg->num_workers, 4u);
  cfg = load({{"TASKS_BOOTSTRAP_ADMIN_PASSWORD", "secret"}});
  CAF_REQUIRE(cfg);
  CAF_CHECK(cfg->warnings.empty());
}

CAF_TEST(describe_lists_every_setting) {
  auto cfg = load(
      {{"TASKS_LISTEN", "[::1]:9000"}, {"TASKS_STORE_OUTPUT_DEFAULT", "true"}});
  CAF_REQUIRE(cfg);
  auto settings = describe(*cfg);
  CAF_CHECK_EQUAL(settings.size(), 17u);
  auto value_of = [&](const std::string& name) {
    for (const auto& [key, value] : settings)
      if (key == name)
        return value;
    return std::string{"<missing>"};
  };
  CAF_CHECK_EQUAL(value_of("TASKS_LISTEN"), "[::1]:9000");
  CAF_CHECK_EQUAL(value_of("TASKS_STORE_OUTPUT_DEFAULT"), "1");
  CAF_CHECK_EQUAL(value_of("TASKS_TLS_CERT"), "(unset)");
  CAF_CHECK_EQUAL(value_of("TASKS_VAULT_KEY_FILE"), "./data/vault.key");
  CAF_CHECK_EQUAL(value_of("TASKS_HOST_KEY_POLICY"), "tofu");
  CAF_CHECK_EQUAL(value_of("TASKS_LOG_FORMAT"), "text");
  CAF_CHECK_EQUAL(value_of("TASKS_OUTPUT_MAX_BYTES"), "65536");
  // Every value parses back to the same configuration.
  env_map env;
  for (const auto& [key, value] : settings)
    if (value != "(unset)")
      env[key] = value;
  auto again = load(env);
  CAF_REQUIRE(again);
  CAF_CHECK(describe(*again) == settings);
}

CAF_TEST(dotenv_reads_comments_export_quotes_and_blanks) {
  auto vars = dotenv("# a comment\n"
                     "   # an indented comment\n"
                     "\n"
                     "TASKS_A=1\n"
                     "export TASKS_B=two\n"
                     "  TASKS_C = spaced value  \n"
                     "TASKS_D=\"say \\\"hi\\\" \\\\ C:\\dir # kept\"\n"
                     "TASKS_E='single $HOME \\n \" kept'\n"
                     "TASKS_F=value # not a comment\n"
                     "TASKS_G=\n"
                     "TASKS_H=\"\"\n"
                     "TASKS_I=\"  padded  \"   \n"
                     "TASKS_J=a=b\n"
                     "TASKS_K=crlf\r\n"
                     "export=plain key\n"
                     "TASKS_A=last wins");
  CAF_REQUIRE(vars);
  env_map expected{
      {"TASKS_A", "last wins"},
      {"TASKS_B", "two"},
      {"TASKS_C", "spaced value"},
      {"TASKS_D", "say \"hi\" \\ C:\\dir # kept"},
      {"TASKS_E", "single $HOME \\n \" kept"},
      {"TASKS_F", "value # not a comment"},
      {"TASKS_G", ""},
      {"TASKS_H", ""},
      {"TASKS_I", "  padded  "},
      {"TASKS_J", "a=b"},
      {"TASKS_K", "crlf"},
      {"export", "plain key"},
  };
  CAF_CHECK(*vars == expected);
  for (const auto& [key, value] : expected)
    CAF_CHECK_EQUAL((*vars)[key], value);
}

CAF_TEST(dotenv_names_file_and_line_of_a_malformed_line) {
  auto path = dir + "/.env";
  auto vars = dotenv("TASKS_A=1\n# fine\nnot a pair\n");
  CAF_REQUIRE(!vars);
  CAF_CHECK(vars.error() == errc::invalid_config);
  CAF_CHECK_EQUAL(message_of(vars.error()), path + ":3: expected KEY=VALUE");
  struct row {
    const char* content;
    const char* message;
  };
  for (auto [content, message] :
       {row{"=value", ":1: expected KEY=VALUE"},
        row{"1KEY=x", ":1: expected KEY=VALUE"},
        row{"TASKS A=x", ":1: expected KEY=VALUE"},
        row{"export =x", ":1: expected KEY=VALUE"},
        row{"TASKS-A=x", ":1: expected KEY=VALUE"},
        row{"A=1\nB=\"open", ":2: unterminated double quote"},
        row{"A='open", ":1: unterminated single quote"},
        row{"A=\"x\" # note", ":1: unexpected text after the closing quote"},
        row{"A='x'y", ":1: unexpected text after the closing quote"}}) {
    vars = dotenv(content);
    CAF_REQUIRE(!vars);
    CAF_CHECK_EQUAL(message_of(vars.error()), path + message);
  }
}

CAF_TEST(a_missing_dotenv_is_empty_and_a_directory_is_an_error) {
  auto vars = read_dotenv(dir + "/absent.env");
  CAF_REQUIRE(vars);
  CAF_CHECK(vars->empty());
  vars = read_dotenv(dir);
  CAF_REQUIRE(!vars);
  CAF_CHECK(contains(message_of(vars.error()), "not a regular file"));
}

CAF_TEST(process_environment_collects_only_tasks_variables) {
  setenv("TASKS_CONFIG_TEST_PROBE", "probe=value", 1);
  setenv("CONFIG_TEST_OTHER", "x", 1);
  auto env = process_environment();
  unsetenv("TASKS_CONFIG_TEST_PROBE");
  unsetenv("CONFIG_TEST_OTHER");
  CAF_CHECK_EQUAL(env["TASKS_CONFIG_TEST_PROBE"], "probe=value");
  CAF_CHECK(env.count("CONFIG_TEST_OTHER") == 0);
  for (const auto& [key, value] : env)
    CAF_CHECK_EQUAL(key.compare(0, 6, "TASKS_"), 0);
}

CAF_TEST(load_config_from_process_combines_environment_and_dotenv) {
  auto path = write("process.env", "TASKS_NUM_WORKERS=2\nTASKS_MAX_QUEUED=7\n");
  setenv("TASKS_NUM_WORKERS", "9", 1);
  auto cfg = load_config_from_process(path);
  unsetenv("TASKS_NUM_WORKERS");
  CAF_REQUIRE(cfg);
  CAF_CHECK_EQUAL(cfg->num_workers, 9u);
  CAF_CHECK_EQUAL(cfg->max_queued, 7u);
  auto bad = write("bad.env", "garbage\n");
  cfg = load_config_from_process(bad);
  CAF_REQUIRE(!cfg);
  CAF_CHECK_EQUAL(message_of(cfg.error()), bad + ":1: expected KEY=VALUE");
}

CAF_TEST_FIXTURE_SCOPE_END()
