// tasksctl token: create, list and revoke login tokens.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>

#include "core/error.hpp"
#include "storage/crypto.hpp"
#include "storage/passwords.hpp"
#include "storage/store.hpp"
#include "tools/ctl_common.hpp"
#include "tools/ctl_table.hpp"

namespace tasks::ctl {

namespace {

/// TASKS_TOKEN_TTL's range (SPEC §2).
constexpr uint64_t min_ttl = 60;
constexpr uint64_t max_ttl = 31536000;

/// Hex digits of a token id: what the audit log and `token list` show.
constexpr size_t token_id_size = 8;

struct token_options {
  std::string user;
  uint64_t ttl = 0;
  /// --ttl was given (so 0 is an error, not the default).
  bool ttl_given = false;
  std::string id;
};

/// The id of a token as the store's audit records name it: the first four
/// bytes of its hash in hex.
std::string token_id(const token_record& t) {
  return storage::to_hex(std::string_view{t.hash}.substr(0, 4));
}

int token_create(const cli_options& opts, const token_options& in) {
  auto cfg = load(opts);
  if (!cfg)
    return fail(message_of(cfg.error()));
  auto ttl = in.ttl_given ? in.ttl : uint64_t{cfg->token_ttl};
  if (ttl < min_ttl || ttl > max_ttl)
    return fail("--ttl: must be " + std::to_string(min_ttl) + ".."
                + std::to_string(max_ttl) + " seconds");
  auto opened = open_store(*cfg, storage::open_mode::primary);
  if (!opened)
    return fail(explain(opened.error(), *cfg));
  auto& st = *opened->st;
  auto owner = st.find_user(in.user);
  if (!owner) {
    if (owner.error() == errc::not_found)
      return fail(message_of(owner.error()) + ": see `tasksctl user list`");
    return fail(explain(owner.error(), *cfg));
  }
  if (owner->disabled)
    return fail("user '" + owner->username
                + "' is disabled: enable it first with `tasksctl user enable "
                + owner->username + "`");
  auto token = storage::new_token();
  token_record record;
  record.hash = storage::token_hash(token);
  record.user_id = owner->id;
  record.created_at = now();
  record.expires_at
      = record.created_at + std::chrono::seconds{static_cast<int64_t>(ttl)};
  record.origin = "tasksctl";
  if (auto err = st.add_token(record, tasksctl_origin())) {
    storage::wipe(token);
    return fail(explain(err, *cfg));
  }
  std::fprintf(stderr,
               "token %s for %s expires %s; it is shown only once, on "
               "stdout\n",
               token_id(record).c_str(), owner->username.c_str(),
               format_iso8601(record.expires_at).c_str());
  std::printf("%s\n", token.c_str());
  storage::wipe(token);
  return 0;
}

int token_list(const cli_options& opts) {
  config cfg;
  auto opened = open_for(opts, storage::open_mode::secondary, cfg);
  if (!opened)
    return 1;
  auto tokens = opened->st->list_tokens();
  if (!tokens)
    return fail(message_of(tokens.error()));
  auto users = opened->st->list_users();
  if (!users)
    return fail(message_of(users.error()));
  std::map<uint64_t, std::string> names;
  for (const auto& u : *users)
    names[u.id] = u.username;
  auto current = now();
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : *tokens) {
    auto name = names.count(t.user_id) ? names[t.user_id]
                                       : "#" + std::to_string(t.user_id);
    auto expires = format_iso8601(t.expires_at);
    if (t.expires_at <= current)
      expires += " (expired)";
    rows.push_back(
        {token_id(t), name, format_iso8601(t.created_at), expires, t.origin});
  }
  print_table({"ID", "USER", "CREATED", "EXPIRES", "ORIGIN"}, rows);
  return 0;
}

int token_revoke(const cli_options& opts, const token_options& in) {
  auto id = in.id;
  std::transform(id.begin(), id.end(), id.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (id.size() != token_id_size
      || !std::all_of(id.begin(), id.end(),
                      [](unsigned char c) { return std::isxdigit(c); }))
    return fail("token id: must be the " + std::to_string(token_id_size)
                + " hex digits shown by `tasksctl token list`");
  config cfg;
  auto opened = open_for(opts, storage::open_mode::primary, cfg);
  if (!opened)
    return 1;
  auto& st = *opened->st;
  auto tokens = st.list_tokens();
  if (!tokens)
    return fail(message_of(tokens.error()));
  std::vector<const token_record*> matches;
  for (const auto& t : *tokens)
    if (token_id(t) == id)
      matches.push_back(&t);
  if (matches.empty())
    return fail("no token has id " + id + ": see `tasksctl token list`");
  // Four bytes of a hash collide rarely but can: never guess which one.
  if (matches.size() > 1)
    return fail("token id " + id + " matches " + std::to_string(matches.size())
                + " tokens: end them with `tasksctl user passwd` or `user "
                  "disable` of their owners");
  if (auto err = st.revoke_token(matches.front()->hash, tasksctl_origin()))
    return fail(explain(err, cfg));
  std::fprintf(stderr, "token %s revoked\n", id.c_str());
  return 0;
}

} // namespace

void add_token_commands(CLI::App& app, const cli_options& opts, int& rc) {
  auto* tokens = app.add_subcommand("token", "manage login tokens\n"
                                             "example: tasksctl token list");
  tokens->require_subcommand(1);
  auto in = std::make_shared<token_options>();
  auto* create = tokens->add_subcommand(
      "create", "create a login token for a user and print it once on stdout "
                "(tasksd must be stopped)\n"
                "example: TOKEN=$(tasksctl token create ci-bot --ttl 86400)");
  create->add_option("user", in->user, "user name")->required();
  auto* ttl = create->add_option("--ttl", in->ttl,
                                 "lifetime in seconds, 60..31536000 "
                                 "(default: TASKS_TOKEN_TTL)");
  create->callback([&opts, &rc, in, ttl] {
    in->ttl_given = ttl->count() > 0;
    rc = token_create(opts, *in);
  });
  tokens
      ->add_subcommand("list", "list tokens by id, never the token itself "
                               "(works while tasksd runs)\n"
                               "example: tasksctl token list")
      ->callback([&opts, &rc] { rc = token_list(opts); });
  auto* revoke = tokens->add_subcommand(
      "revoke", "revoke a token by the id `token list` shows (tasksd must be "
                "stopped)\n"
                "example: tasksctl token revoke 1f2e3d4c");
  revoke->add_option("id", in->id, "8 hex digits from `tasksctl token list`")
      ->required();
  revoke->callback([&opts, &rc, in] { rc = token_revoke(opts, *in); });
}

} // namespace tasks::ctl
