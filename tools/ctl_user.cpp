// tasksctl user: add, list and change the people who may log in.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "storage/crypto.hpp"
#include "storage/passwords.hpp"
#include "storage/store.hpp"
#include "tools/ctl_common.hpp"
#include "tools/ctl_table.hpp"

namespace tasks::ctl {

namespace {

struct user_options {
  std::string name;
  std::string role_name;
  bool password_stdin = false;
};

bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
         || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/// The API's rule for names, checked before the store is opened so a typo
/// never waits for the lock or a password hash.
std::optional<std::string> check_username(const std::string& name) {
  if (name.empty())
    return "username: must not be empty";
  if (name.size() > limits::name_max_bytes)
    return "username: longer than " + std::to_string(limits::name_max_bytes)
           + " bytes";
  if (!std::all_of(name.begin(), name.end(), is_name_char))
    return "username: only letters, digits, '.', '_' and '-' are allowed";
  return std::nullopt;
}

caf::expected<role> check_role(const std::string& name) {
  if (auto parsed = parse_role(name))
    return *parsed;
  return make_error(errc::invalid_argument,
                    "role: must be admin, operator or viewer (got '" + name
                        + "')");
}

/// A password from stdin, hashed at production cost; the plain text is wiped.
caf::expected<std::string> hash_stdin_password(const std::string& command) {
  auto password = read_stdin_line();
  if (password.empty())
    return make_error(errc::invalid_argument,
                      command + ": the password on stdin is empty");
  if (password.size() > storage::max_password_size) {
    storage::wipe(password);
    return make_error(errc::invalid_argument,
                      "password: longer than "
                          + std::to_string(storage::max_password_size)
                          + " bytes");
  }
  auto phc = storage::hash_password(password);
  storage::wipe(password);
  return phc;
}

std::string not_found_hint(const caf::error& err, const config& cfg) {
  if (err == errc::not_found)
    return message_of(err) + ": see `tasksctl user list`";
  return explain(err, cfg);
}

int user_add(const cli_options& opts, const user_options& in) {
  if (auto problem = check_username(in.name))
    return fail(*problem);
  auto user_role = check_role(in.role_name);
  if (!user_role)
    return fail(message_of(user_role.error()));
  std::optional<std::string> generated;
  caf::expected<std::string> phc{std::string{}};
  if (in.password_stdin) {
    phc = hash_stdin_password("user add");
  } else {
    generated = storage::random_password();
    phc = storage::hash_password(*generated);
  }
  if (!phc)
    return fail(message_of(phc.error()));
  config cfg;
  auto opened = open_for(opts, storage::open_mode::primary, cfg);
  if (!opened)
    return 1;
  auto added
      = opened->st->add_user(in.name, *user_role, *phc, tasksctl_origin());
  if (!added) {
    if (added.error() == errc::already_exists)
      return fail(message_of(added.error())
                  + ": pick another name, or change it with `tasksctl user "
                    "set-role` / `user passwd`");
    return fail(explain(added.error(), cfg));
  }
  std::fprintf(stderr, "user %llu added: %s (%s)\n",
               (unsigned long long)added->id, added->username.c_str(),
               to_string(added->user_role).c_str());
  if (generated) {
    std::fprintf(stderr, "its generated password follows on stdout; it is "
                         "shown only once, so store it now\n");
    std::printf("%s\n", generated->c_str());
    storage::wipe(*generated);
  }
  return 0;
}

int user_list(const cli_options& opts) {
  config cfg;
  auto opened = open_for(opts, storage::open_mode::secondary, cfg);
  if (!opened)
    return 1;
  auto users = opened->st->list_users();
  if (!users)
    return fail(message_of(users.error()));
  std::vector<std::vector<std::string>> rows;
  for (const auto& u : *users)
    rows.push_back({std::to_string(u.id), u.username, to_string(u.user_role),
                    u.disabled ? "yes" : "no", format_iso8601(u.created_at)});
  print_table({"ID", "NAME", "ROLE", "DISABLED", "CREATED"}, rows);
  return 0;
}

/// What one of the changing commands does to the stored user.
struct user_change {
  /// The audit action.
  std::string action;
  /// Returns false (and prints why) when nothing needs to be written.
  std::function<bool(user&)> apply;
  std::string done;
};

/// Opens the store primary, applies `change` to user `name`, writes it.
int change_user(const cli_options& opts, const std::string& name,
                const user_change& change) {
  if (auto problem = check_username(name))
    return fail(*problem);
  config cfg;
  auto opened = open_for(opts, storage::open_mode::primary, cfg);
  if (!opened)
    return 1;
  auto& st = *opened->st;
  auto found = st.find_user(name);
  if (!found)
    return fail(not_found_hint(found.error(), cfg));
  auto changed = *found;
  if (!change.apply(changed))
    return 0;
  auto written = st.update_user(changed, change.action, tasksctl_origin());
  if (!written)
    return fail(explain(written.error(), cfg));
  std::fprintf(stderr, "user %s: %s\n", written->username.c_str(),
               change.done.c_str());
  // tasksctl is the way back in when the API is locked: say so when the
  // store is left without an admin who can log in.
  auto users = st.list_users();
  if (users && std::none_of(users->begin(), users->end(), [](const user& u) {
        return u.user_role == role::admin && !u.disabled;
      }))
    std::fprintf(stderr, "warning: no enabled admin is left; add one with "
                         "`tasksctl user add NAME --role admin`\n");
  return 0;
}

int user_set_role(const cli_options& opts, const user_options& in) {
  auto new_role = check_role(in.role_name);
  if (!new_role)
    return fail(message_of(new_role.error()));
  user_change change;
  change.action = "user.set_role";
  change.done = "role is now " + to_string(*new_role);
  change.apply = [&](user& u) {
    if (u.user_role == *new_role) {
      std::fprintf(stderr, "user %s already has role %s\n", u.username.c_str(),
                   to_string(*new_role).c_str());
      return false;
    }
    u.user_role = *new_role;
    return true;
  };
  return change_user(opts, in.name, change);
}

int user_set_disabled(const cli_options& opts, const user_options& in,
                      bool disabled) {
  user_change change;
  change.action = disabled ? "user.disable" : "user.enable";
  change.done = disabled ? "disabled; its tokens are revoked" : "enabled";
  change.apply = [disabled](user& u) {
    if (u.disabled == disabled) {
      std::fprintf(stderr, "user %s is already %s\n", u.username.c_str(),
                   disabled ? "disabled" : "enabled");
      return false;
    }
    u.disabled = disabled;
    return true;
  };
  return change_user(opts, in.name, change);
}

int user_passwd(const cli_options& opts, const user_options& in) {
  if (auto problem = check_username(in.name))
    return fail(*problem);
  auto phc = hash_stdin_password("user passwd");
  if (!phc)
    return fail(message_of(phc.error()));
  user_change change;
  change.action = "user.passwd";
  change.done = "password changed; its tokens are revoked";
  change.apply = [&phc](user& u) {
    u.password_hash = *phc;
    return true;
  };
  return change_user(opts, in.name, change);
}

} // namespace

void add_user_commands(CLI::App& app, const cli_options& opts, int& rc) {
  auto* users = app.add_subcommand("user", "manage the users who may log in\n"
                                           "example: tasksctl user list");
  users->require_subcommand(1);
  auto in = std::make_shared<user_options>();
  auto* add = users->add_subcommand(
      "add", "add a user (tasksd must be stopped); without --password-stdin "
             "a generated password is printed once on stdout\n"
             "example: printf '%s\\n' \"$PW\" | tasksctl user add alice "
             "--role operator --password-stdin");
  add->add_option("name", in->name, "unique user name (1..64 of A-Za-z0-9._-)")
      ->required();
  add->add_option("--role", in->role_name, "admin, operator or viewer")
      ->required();
  add->add_flag("--password-stdin", in->password_stdin,
                "read the password from the first line of stdin");
  add->callback([&opts, &rc, in] { rc = user_add(opts, *in); });
  users
      ->add_subcommand("list", "list users (works while tasksd runs)\n"
                               "example: tasksctl user list")
      ->callback([&opts, &rc] { rc = user_list(opts); });
  auto* set_role = users->add_subcommand(
      "set-role", "change a user's role (tasksd must be stopped)\n"
                  "example: tasksctl user set-role alice admin");
  set_role->add_option("name", in->name, "user name")->required();
  set_role->add_option("role", in->role_name, "admin, operator or viewer")
      ->required();
  set_role->callback([&opts, &rc, in] { rc = user_set_role(opts, *in); });
  auto* disable = users->add_subcommand(
      "disable", "stop a user from logging in and revoke their tokens "
                 "(tasksd must be stopped)\n"
                 "example: tasksctl user disable alice");
  disable->add_option("name", in->name, "user name")->required();
  disable->callback(
      [&opts, &rc, in] { rc = user_set_disabled(opts, *in, true); });
  auto* enable = users->add_subcommand(
      "enable", "let a disabled user log in again (tasksd must be stopped)\n"
                "example: tasksctl user enable alice");
  enable->add_option("name", in->name, "user name")->required();
  enable->callback(
      [&opts, &rc, in] { rc = user_set_disabled(opts, *in, false); });
  auto* passwd = users->add_subcommand(
      "passwd", "set a user's password from stdin and revoke their tokens "
                "(tasksd must be stopped)\n"
                "example: printf '%s\\n' \"$PW\" | tasksctl user passwd alice "
                "--password-stdin");
  passwd->add_option("name", in->name, "user name")->required();
  // Required so that a password never lands in shell history or `ps`.
  passwd
      ->add_flag("--password-stdin", in->password_stdin,
                 "read the new password from the first line of stdin")
      ->required();
  passwd->callback([&opts, &rc, in] { rc = user_passwd(opts, *in); });
}

} // namespace tasks::ctl
