#define CAF_SUITE tools.tasksctl_users
#include <caf/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <sstream>

#include "../storage/store_fixture.hpp"

#include "core/config.hpp"
#include "storage/crypto.hpp"
#include "storage/passwords.hpp"
#include "support/run_tool.hpp"
#include "tools/store_setup.hpp"

using namespace tasks;
using test::run_tasksctl;
using test::tool_result;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> result;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);)
    result.push_back(line);
  return result;
}

/// A data directory that only tasksctl has touched, and an empty working
/// directory so no stray `.env` is read.
struct fixture {
  temp_dir tmp;
  std::string data = tmp.path + "/data";
  std::string cwd = tmp.path + "/cwd";

  fixture() { std::filesystem::create_directory(cwd); }

  tool_result ctl(std::vector<std::string> args, const std::string& input = "",
                  const std::map<std::string, std::string>& env = {}) {
    args.insert(args.begin(), {"--data", data});
    return run_tasksctl(args, input, env, cwd);
  }

  /// Runs a command that must succeed.
  tool_result ok(std::vector<std::string> args, const std::string& input = "") {
    auto result = ctl(std::move(args), input);
    CAF_CHECK_EQUAL(result.err.find("tasksctl:"), std::string::npos);
    CAF_REQUIRE_EQUAL(result.exit_code, 0);
    return result;
  }

  void add_user(const std::string& name, const std::string& role_name,
                const std::string& password) {
    ok({"user", "add", name, "--role", role_name, "--password-stdin"},
       password + "\n");
  }

  config cfg() {
    auto c = load_config({{"TASKS_DATA_DIR", data}}, {});
    CAF_REQUIRE(c);
    return *c;
  }

  /// Opens the store in this process; close it before running tasksctl
  /// again unless the test means to hold it.
  opened_store open(storage::open_mode mode = storage::open_mode::primary) {
    auto opened = open_store(cfg(), mode);
    CAF_REQUIRE(opened);
    return std::move(*opened);
  }

  user find(const std::string& name) {
    auto opened = open();
    auto u = opened.st->find_user(name);
    CAF_REQUIRE(u);
    return *u;
  }

  audit_event latest_audit(const std::string& action_prefix) {
    auto opened = open();
    audit_filter filter;
    filter.action_prefix = action_prefix;
    auto records = opened.st->query_audit(filter, 1);
    CAF_REQUIRE(records);
    CAF_REQUIRE_EQUAL(records->size(), 1u);
    return records->front();
  }

  std::vector<token_record> tokens() {
    auto opened = open();
    auto list = opened.st->list_tokens();
    CAF_REQUIRE(list);
    return *list;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(tasksctl_users_tests, fixture)

CAF_TEST(add_with_password_stdin_stores_a_verifiable_hash) {
  auto result
      = ok({"user", "add", "alice", "--role", "operator", "--password-stdin"},
           "s3cret pw\n");
  CAF_CHECK(result.out.empty());
  CAF_CHECK(result.err.find("s3cret") == std::string::npos);
  auto alice = find("alice");
  CAF_CHECK(alice.user_role == role::operator_);
  CAF_CHECK(!alice.disabled);
  CAF_CHECK(storage::verify_password(alice.password_hash, "s3cret pw"));
  CAF_CHECK(!storage::verify_password(alice.password_hash, "s3cret pw\n"));
  // The production cost, not the tests' cheap one.
  CAF_CHECK(alice.password_hash.find("m=65536,t=3,p=1") != std::string::npos);
  auto record = latest_audit("user.");
  CAF_CHECK_EQUAL(record.action, "user.create");
  CAF_CHECK_EQUAL(record.username, "tasksctl");
  CAF_CHECK(record.metadata.find("s3cret") == std::string::npos);
}

CAF_TEST(add_without_stdin_prints_a_generated_password_once) {
  auto result = ok({"user", "add", "bob", "--role", "viewer"});
  auto lines = lines_of(result.out);
  CAF_REQUIRE_EQUAL(lines.size(), 1u);
  const auto& password = lines.front();
  CAF_CHECK_EQUAL(password.size(), 20u);
  CAF_CHECK(password.find_first_not_of(storage::password_alphabet)
            == std::string::npos);
  CAF_CHECK(result.err.find("only once") != std::string::npos);
  CAF_CHECK(result.err.find(password) == std::string::npos);
  CAF_CHECK(storage::verify_password(find("bob").password_hash, password));
}

CAF_TEST(a_taken_name_is_a_user_error) {
  add_user("alice", "viewer", "pw1");
  auto again = ctl(
      {"user", "add", "alice", "--role", "admin", "--password-stdin"}, "pw2\n");
  CAF_CHECK_EQUAL(again.exit_code, 1);
  CAF_CHECK_EQUAL(lines_of(again.err).size(), 1u);
  CAF_CHECK(again.err.find("tasksctl: user 'alice' already exists") == 0u);
  auto alice = find("alice");
  CAF_CHECK(alice.user_role == role::viewer);
  CAF_CHECK(storage::verify_password(alice.password_hash, "pw1"));
}

CAF_TEST(bad_roles_names_and_passwords_are_user_errors_naming_the_field) {
  auto bad_role = ctl({"user", "add", "carol", "--role", "root"});
  CAF_CHECK_EQUAL(bad_role.exit_code, 1);
  CAF_CHECK(bad_role.err.find("tasksctl: role: must be admin, operator or "
                              "viewer")
            == 0u);
  for (const auto& name :
       std::vector<std::string>{"bad name", "", std::string(65, 'a'), "x/y"}) {
    auto bad_name = ctl({"user", "add", name, "--role", "viewer"});
    CAF_CHECK_EQUAL(bad_name.exit_code, 1);
    CAF_CHECK(bad_name.err.find("tasksctl: username: ") == 0u);
  }
  auto empty = ctl(
      {"user", "add", "carol", "--role", "viewer", "--password-stdin"}, "\n");
  CAF_CHECK_EQUAL(empty.exit_code, 1);
  CAF_CHECK(empty.err.find("password on stdin is empty") != std::string::npos);
  auto set_role = ctl({"user", "set-role", "carol", "boss"});
  CAF_CHECK_EQUAL(set_role.exit_code, 1);
  CAF_CHECK(set_role.err.find("tasksctl: role: ") == 0u);
  auto missing = ctl({"user", "disable", "nobody"});
  CAF_CHECK_EQUAL(missing.exit_code, 1);
  CAF_CHECK(missing.err.find("user 'nobody' not found") != std::string::npos);
  // Nothing was created by any of these.
  auto opened = open();
  auto users = opened.st->list_users();
  CAF_REQUIRE(users);
  CAF_CHECK(users->empty());
}

CAF_TEST(usage_errors_exit_with_2) {
  CAF_CHECK_EQUAL(ctl({"user", "add", "alice"}).exit_code, 2);
  CAF_CHECK_EQUAL(ctl({"user"}).exit_code, 2);
  CAF_CHECK_EQUAL(ctl({"user", "frobnicate"}).exit_code, 2);
  // A password is never an argument.
  CAF_CHECK_EQUAL(ctl({"user", "passwd", "alice"}, "pw\n").exit_code, 2);
  CAF_CHECK_EQUAL(ctl({"user", "passwd", "alice", "pw"}).exit_code, 2);
  CAF_CHECK_EQUAL(ctl({"token", "create"}).exit_code, 2);
  CAF_CHECK_EQUAL(ctl({"token", "create", "alice", "--ttl", "soon"}).exit_code,
                  2);
  CAF_CHECK_EQUAL(ctl({"token", "revoke"}).exit_code, 2);
}

CAF_TEST(help_at_every_level_has_an_example) {
  for (auto args :
       std::vector<std::vector<std::string>>{{"user", "--help"},
                                             {"user", "add", "--help"},
                                             {"user", "list", "--help"},
                                             {"user", "set-role", "--help"},
                                             {"user", "disable", "--help"},
                                             {"user", "enable", "--help"},
                                             {"user", "passwd", "--help"},
                                             {"token", "--help"},
                                             {"token", "create", "--help"},
                                             {"token", "list", "--help"},
                                             {"token", "revoke", "--help"}}) {
    auto result = ctl(args);
    CAF_CHECK_EQUAL(result.exit_code, 0);
    auto example = result.out.find("example: ");
    CAF_CHECK(example != std::string::npos
              && result.out.find("tasksctl " + args.front(), example)
                     != std::string::npos);
  }
}

CAF_TEST(list_prints_the_users_aligned) {
  add_user("a", "admin", "pw");
  add_user("a-much-longer-user.name", "viewer", "pw");
  ok({"user", "disable", "a-much-longer-user.name"});
  auto lines = lines_of(ok({"user", "list"}).out);
  CAF_REQUIRE_EQUAL(lines.size(), 3u);
  const auto& header = lines[0];
  auto name_col = header.find("NAME");
  auto role_col = header.find("ROLE");
  auto disabled_col = header.find("DISABLED");
  auto created_col = header.find("CREATED");
  CAF_REQUIRE_EQUAL(header.find("ID"), 0u);
  CAF_REQUIRE(name_col < role_col && role_col < disabled_col
              && disabled_col < created_col
              && created_col != std::string::npos);
  CAF_CHECK_EQUAL(lines[1].find("1 "), 0u);
  CAF_CHECK_EQUAL(lines[1].find("a "), name_col);
  CAF_CHECK_EQUAL(lines[1].find("admin"), role_col);
  CAF_CHECK_EQUAL(lines[1].find("no"), disabled_col);
  CAF_CHECK_EQUAL(lines[2].find("a-much-longer-user.name"), name_col);
  CAF_CHECK_EQUAL(lines[2].find("viewer"), role_col);
  CAF_CHECK_EQUAL(lines[2].find("yes"), disabled_col);
  for (size_t i = 1; i < lines.size(); ++i)
    CAF_CHECK_EQUAL(lines[i].find("20", created_col), created_col);
}

CAF_TEST(changes_are_written_and_audited) {
  add_user("alice", "viewer", "first pw");
  ok({"user", "set-role", "alice", "admin"});
  CAF_CHECK(find("alice").user_role == role::admin);
  auto record = latest_audit("user.");
  CAF_CHECK_EQUAL(record.action, "user.set_role");
  CAF_CHECK_EQUAL(record.username, "tasksctl");
  ok({"token", "create", "alice"});
  CAF_CHECK_EQUAL(tokens().size(), 1u);
  ok({"user", "disable", "alice"});
  CAF_CHECK(find("alice").disabled);
  CAF_CHECK_EQUAL(latest_audit("user.").action, "user.disable");
  CAF_CHECK(tokens().empty());
  // A disabled user gets no token.
  auto refused = ctl({"token", "create", "alice"});
  CAF_CHECK_EQUAL(refused.exit_code, 1);
  CAF_CHECK(refused.err.find("is disabled") != std::string::npos);
  CAF_CHECK(refused.out.empty());
  ok({"user", "enable", "alice"});
  CAF_CHECK(!find("alice").disabled);
  CAF_CHECK_EQUAL(latest_audit("user.").action, "user.enable");
  ok({"user", "passwd", "alice", "--password-stdin"}, "second pw\n");
  auto alice = find("alice");
  CAF_CHECK(storage::verify_password(alice.password_hash, "second pw"));
  CAF_CHECK(!storage::verify_password(alice.password_hash, "first pw"));
  record = latest_audit("user.");
  CAF_CHECK_EQUAL(record.action, "user.passwd");
  CAF_CHECK_EQUAL(record.username, "tasksctl");
  CAF_CHECK(record.metadata.find("second pw") == std::string::npos);
}

CAF_TEST(token_create_prints_a_token_whose_hash_is_stored) {
  add_user("ci-bot", "operator", "pw");
  auto before = now();
  auto result = ok({"token", "create", "ci-bot", "--ttl", "3600"});
  auto after = now();
  auto lines = lines_of(result.out);
  CAF_REQUIRE_EQUAL(lines.size(), 1u);
  const auto& token = lines.front();
  CAF_CHECK_EQUAL(token.size(), 47u);
  CAF_CHECK_EQUAL(token.rfind("tsk_", 0), 0u);
  CAF_CHECK(result.err.find(token) == std::string::npos);
  auto opened = open();
  auto owner = opened.st->find_user("ci-bot");
  CAF_REQUIRE(owner);
  auto stored = opened.st->find_token(storage::token_hash(token));
  CAF_REQUIRE(stored);
  CAF_CHECK_EQUAL(stored->user_id, owner->id);
  CAF_CHECK_EQUAL(stored->origin, "tasksctl");
  CAF_CHECK(stored->created_at >= before && stored->created_at <= after);
  CAF_CHECK(stored->expires_at == stored->created_at + std::chrono::hours{1});
  audit_filter filter;
  filter.action_prefix = "token.create";
  auto records = opened.st->query_audit(filter, 1);
  CAF_REQUIRE(records && records->size() == 1u);
  CAF_CHECK(records->front().metadata.find(token) == std::string::npos);
}

CAF_TEST(token_ttl_defaults_to_the_config_and_is_range_checked) {
  add_user("ci-bot", "operator", "pw");
  auto result
      = ctl({"token", "create", "ci-bot"}, "", {{"TASKS_TOKEN_TTL", "120"}});
  CAF_REQUIRE_EQUAL(result.exit_code, 0);
  auto stored = tokens();
  CAF_REQUIRE_EQUAL(stored.size(), 1u);
  CAF_CHECK(stored[0].expires_at
            == stored[0].created_at + std::chrono::seconds{120});
  for (std::string ttl : {"0", "59", "31536001"}) {
    auto bad = ctl({"token", "create", "ci-bot", "--ttl", ttl});
    CAF_CHECK_EQUAL(bad.exit_code, 1);
    CAF_CHECK(bad.err.find("tasksctl: --ttl: must be 60..31536000") == 0u);
  }
  CAF_CHECK_EQUAL(tokens().size(), 1u);
  auto unknown = ctl({"token", "create", "nobody"});
  CAF_CHECK_EQUAL(unknown.exit_code, 1);
  CAF_CHECK(unknown.err.find("user 'nobody' not found") != std::string::npos);
}

CAF_TEST(token_list_shows_ids_and_never_the_token) {
  add_user("alice", "viewer", "pw");
  auto token = lines_of(ok({"token", "create", "alice"}).out).front();
  auto hash = storage::token_hash(token);
  auto id = storage::to_hex(hash.substr(0, 4));
  auto out = ok({"token", "list"}).out;
  auto lines = lines_of(out);
  CAF_REQUIRE_EQUAL(lines.size(), 2u);
  CAF_CHECK_EQUAL(lines[0].find("ID"), 0u);
  for (auto column : {"USER", "CREATED", "EXPIRES", "ORIGIN"})
    CAF_CHECK(lines[0].find(column) != std::string::npos);
  CAF_CHECK_EQUAL(lines[1].find(id + " "), 0u);
  CAF_CHECK_EQUAL(lines[1].find("alice"), lines[0].find("USER"));
  CAF_CHECK_EQUAL(lines[1].find("tasksctl"), lines[0].find("ORIGIN"));
  CAF_CHECK(out.find(token) == std::string::npos);
  CAF_CHECK(out.find(token.substr(4, 8)) == std::string::npos);
  CAF_CHECK(out.find(storage::to_hex(hash)) == std::string::npos);
}

CAF_TEST(token_revoke_by_id_removes_it) {
  add_user("alice", "viewer", "pw");
  auto first = lines_of(ok({"token", "create", "alice"}).out).front();
  auto second = lines_of(ok({"token", "create", "alice"}).out).front();
  auto id = storage::to_hex(storage::token_hash(first).substr(0, 4));
  auto unknown
      = ctl({"token", "revoke", id == "00000000" ? "00000001" : "00000000"});
  CAF_CHECK_EQUAL(unknown.exit_code, 1);
  CAF_CHECK(unknown.err.find("tasksctl: no token has id") == 0u);
  auto malformed = ctl({"token", "revoke", first});
  CAF_CHECK_EQUAL(malformed.exit_code, 1);
  CAF_CHECK(malformed.err.find("tasksctl: token id: ") == 0u);
  CAF_CHECK_EQUAL(tokens().size(), 2u);
  ok({"token", "revoke", id});
  auto left = tokens();
  CAF_REQUIRE_EQUAL(left.size(), 1u);
  CAF_CHECK(left[0].hash == storage::token_hash(second));
  auto record = latest_audit("token.");
  CAF_CHECK_EQUAL(record.action, "token.revoke");
  CAF_CHECK(record.metadata.find(id) != std::string::npos);
  auto again = ctl({"token", "revoke", id});
  CAF_CHECK_EQUAL(again.exit_code, 1);
}

CAF_TEST(an_ambiguous_token_id_revokes_nothing) {
  add_user("alice", "viewer", "pw");
  {
    // Two hashes that share their first four bytes, as SHA-256 rarely does.
    auto opened = open();
    auto owner = opened.st->find_user("alice");
    CAF_REQUIRE(owner);
    for (char last : {'a', 'b'}) {
      token_record t;
      t.hash = std::string{"\x12\x34\x56\x78"} + std::string(27, 'x') + last;
      t.user_id = owner->id;
      t.expires_at = now() + std::chrono::hours{1};
      t.origin = "tasksctl";
      CAF_REQUIRE(!opened.st->add_token(t, {}));
    }
  }
  auto result = ctl({"token", "revoke", "12345678"});
  CAF_CHECK_EQUAL(result.exit_code, 1);
  CAF_CHECK(result.err.find("tasksctl: token id 12345678 matches 2 tokens")
            == 0u);
  CAF_CHECK_EQUAL(lines_of(result.err).size(), 1u);
  CAF_CHECK_EQUAL(tokens().size(), 2u);
  // Upper-case hex is the same id.
  CAF_CHECK_EQUAL(ctl({"token", "revoke", "1234567A"}).exit_code, 1);
  CAF_CHECK_EQUAL(tokens().size(), 2u);
}

CAF_TEST(writing_commands_fail_clearly_while_the_store_is_held) {
  add_user("alice", "viewer", "pw");
  auto held = open();
  auto expected = "tasksctl: tasksd is running on " + data
                  + ": stop it, or use the REST API\n";
  for (auto args : std::vector<std::vector<std::string>>{
           {"user", "add", "bob", "--role", "viewer"},
           {"user", "set-role", "alice", "admin"},
           {"user", "disable", "alice"},
           {"user", "enable", "alice"},
           {"token", "create", "alice"},
           {"token", "revoke", "0123abcd"}}) {
    auto result = ctl(args);
    CAF_CHECK_EQUAL(result.exit_code, 1);
    CAF_CHECK_EQUAL(result.err, expected);
    CAF_CHECK(result.out.empty());
  }
  auto passwd = ctl({"user", "passwd", "alice", "--password-stdin"}, "pw2\n");
  CAF_CHECK_EQUAL(passwd.exit_code, 1);
  CAF_CHECK_EQUAL(passwd.err, expected);
  // Read-only commands use a secondary instance.
  auto list = ctl({"user", "list"});
  CAF_CHECK_EQUAL(list.exit_code, 0);
  CAF_CHECK(list.out.find("alice") != std::string::npos);
  CAF_CHECK_EQUAL(ctl({"token", "list"}).exit_code, 0);
}

CAF_TEST_FIXTURE_SCOPE_END()
