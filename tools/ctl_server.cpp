// tasksctl server: register and list the servers tasks run on.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "storage/crypto.hpp"
#include "storage/store.hpp"
#include "tools/ctl_common.hpp"

namespace tasks::ctl {

namespace {

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
  config cfg;
  auto opened = open_for(opts, storage::open_mode::primary, cfg);
  if (!opened)
    return 1;
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
  config cfg;
  auto opened = open_for(opts, storage::open_mode::secondary, cfg);
  if (!opened)
    return 1;
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

int server_rm(const cli_options& opts, const std::string& which) {
  config cfg;
  auto opened = open_for(opts, storage::open_mode::primary, cfg);
  if (!opened)
    return 1;
  auto& st = *opened->st;
  // A name wins over an id, as for `vault rm`.
  auto found = st.find_server(which);
  if (!found) {
    auto digits = !which.empty()
                  && which.find_first_not_of("0123456789") == std::string::npos
                  && which.size() <= 19;
    if (digits)
      found = st.get_server(std::stoull(which));
  }
  if (!found)
    return fail("no server named or numbered '" + which
                + "': see `tasksctl server list`");
  if (auto err = st.remove_server(found->id, tasksctl_origin()))
    return fail(message_of(err));
  std::printf("server %llu removed: %s\n", (unsigned long long)found->id,
              found->name.c_str());
  return 0;
}

} // namespace

void add_server_commands(CLI::App& app, const cli_options& opts, int& rc) {
  auto* servers
      = app.add_subcommand("server", "manage the servers tasks run on");
  servers->require_subcommand(1);
  auto srv = std::make_shared<server_options>();
  auto* add = servers->add_subcommand(
      "add", "register a server (tasksd must be stopped)\n"
             "example: tasksctl server add web1 --host 10.0.0.5 --user "
             "deploy --key-file /etc/tasksd/id_ed25519");
  add->add_option("name", srv->name, "unique server name")->required();
  add->add_option("--host", srv->host, "host name or address")->required();
  add->add_option("--port", srv->port, "SSH port (default 22)");
  add->add_option("--user", srv->user, "remote user name")->required();
  auto* auth = add->add_option_group("auth", "how tasksd logs in");
  auth->add_option("--vault-key", srv->vault_key, "id of a vault key");
  auth->add_option("--key-file", srv->key_file, "path of a private key file");
  auth->add_flag("--password-stdin", srv->password_stdin,
                 "read the password from stdin");
  auth->require_option(1, 0);
  add->add_option("--host-key", srv->host_key,
                  "pin this host key (SHA256:… as ssh-keygen -lf prints)");
  add->add_option("--max-concurrent", srv->max_concurrent,
                  "running tasks on this server at most");
  add->callback([&opts, &rc, srv] { rc = server_add(opts, *srv); });
  servers
      ->add_subcommand("list", "list servers (works while tasksd runs)\n"
                               "example: tasksctl server list")
      ->callback([&opts, &rc] { rc = server_list(opts); });
  auto which = std::make_shared<std::string>();
  auto* rm = servers->add_subcommand(
      "rm", "remove a server (tasksd must be stopped); its queued tasks fail "
            "when tasksd next starts\n"
            "example: tasksctl server rm web1");
  rm->add_option("server", *which, "server name or id")->required();
  rm->callback([&opts, &rc, which] { rc = server_rm(opts, *which); });
}

} // namespace tasks::ctl
