// tasksctl vault: private keys sealed in the store for servers to log in with.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "storage/crypto.hpp"
#include "storage/rotate_master.hpp"
#include "storage/store.hpp"
#include "tools/ctl_common.hpp"
#include "tools/ctl_table.hpp"

namespace tasks::ctl {

namespace {

/// Larger than any private key OpenSSH writes (RSA 16384 is ~12 KiB).
constexpr size_t key_file_max_bytes = 64 * 1024;

struct import_options {
  std::string name;
  std::string key_file;
  bool passphrase_stdin = false;
};

/// Reads a private key file whole; an error message when it is not one.
std::string read_key_file(const std::string& path, std::string& key_text) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    return "cannot read " + path;
  key_text.assign(std::istreambuf_iterator<char>{in}, {});
  if (in.bad())
    return "cannot read " + path;
  if (key_text.size() > key_file_max_bytes)
    return path + " is larger than " + std::to_string(key_file_max_bytes / 1024)
           + " KiB: not a private key";
  if (key_text.find("-----BEGIN ") == std::string::npos
      || key_text.find("PRIVATE KEY-----") == std::string::npos)
    return path
           + " is not a PEM or OpenSSH private key (give the private "
             "key, not the .pub file)";
  return {};
}

int vault_import(const cli_options& opts, const import_options& in) {
  std::string key_text;
  if (auto problem = read_key_file(in.key_file, key_text); !problem.empty()) {
    storage::wipe(key_text);
    return fail("vault import: " + problem);
  }
  std::string passphrase;
  if (in.passphrase_stdin) {
    passphrase = read_stdin_line();
    if (passphrase.empty()) {
      storage::wipe(key_text);
      return fail("vault import: the passphrase on stdin is empty");
    }
  }
  auto wipe_all = [&] {
    storage::wipe(key_text);
    storage::wipe(passphrase);
  };
  auto cfg = load(opts);
  if (!cfg) {
    wipe_all();
    return fail(message_of(cfg.error()));
  }
  auto opened = open_store(*cfg, storage::open_mode::primary);
  if (!opened) {
    wipe_all();
    return fail(explain(opened.error(), *cfg));
  }
  auto entry = opened->st->add_vault_entry(in.name, key_text, passphrase,
                                           tasksctl_origin());
  wipe_all();
  if (!entry)
    return fail("vault import: " + message_of(entry.error()));
  std::printf("vault entry %llu imported: %s%s\n",
              (unsigned long long)entry->id, entry->name.c_str(),
              in.passphrase_stdin ? " (with passphrase)" : "");
  std::printf("use it with: tasksctl server add NAME --host H --user U "
              "--vault-key %llu\n",
              (unsigned long long)entry->id);
  return 0;
}

int vault_list(const cli_options& opts) {
  config cfg;
  auto opened = open_for(opts, storage::open_mode::secondary, cfg);
  if (!opened)
    return 1;
  auto entries = opened->st->list_vault_entries();
  if (!entries)
    return fail(message_of(entries.error()));
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : *entries)
    rows.push_back(
        {std::to_string(e.id), e.name, format_iso8601(e.created_at)});
  print_table({"ID", "NAME", "CREATED"}, rows);
  return 0;
}

int vault_rm(const cli_options& opts, const std::string& which) {
  config cfg;
  auto opened = open_for(opts, storage::open_mode::primary, cfg);
  if (!opened)
    return 1;
  auto entries = opened->st->list_vault_entries();
  if (!entries)
    return fail(message_of(entries.error()));
  // A name wins over an id: names may be all digits.
  auto match
      = std::find_if(entries->begin(), entries->end(),
                     [&](const vault_entry& e) { return e.name == which; });
  if (match == entries->end())
    match = std::find_if(
        entries->begin(), entries->end(),
        [&](const vault_entry& e) { return std::to_string(e.id) == which; });
  if (match == entries->end())
    return fail("vault rm: no vault entry named or numbered '" + which
                + "' (see tasksctl vault list)");
  if (auto err = opened->st->remove_vault_entry(match->id, tasksctl_origin())) {
    if (err == errc::conflict)
      return fail("vault rm: " + message_of(err)
                  + ": remove the server or change its key first");
    return fail("vault rm: " + message_of(err));
  }
  std::printf("vault entry %llu removed: %s\n", (unsigned long long)match->id,
              match->name.c_str());
  return 0;
}

int vault_rotate_master(const cli_options& opts) {
  config cfg;
  auto opened = open_for(opts, storage::open_mode::primary, cfg);
  if (!opened)
    return 1;
  const auto& key_file = cfg.vault_key_file;
  auto pending = storage::pending_master_key_path(key_file);
  // The new key is on disk before anything is sealed with it; a crash at
  // any point leaves a state the next open_store finishes or rolls back.
  auto fresh = storage::secret_key::random();
  if (auto err = storage::write_master_key(pending, fresh))
    return fail("vault rotate-master: " + message_of(err));
  auto report = opened->st->reseal_all(fresh, tasksctl_origin());
  if (!report) {
    // A failed synced write may still have landed: drop the new key only
    // when the store provably does not need it.
    auto sealed_new = storage::store_sealed_with(*opened->db, fresh);
    if (sealed_new && !*sealed_new) {
      std::remove(pending.c_str());
      return fail("vault rotate-master: nothing changed: "
                  + message_of(report.error()));
    }
    return fail("vault rotate-master: " + message_of(report.error()) + "; "
                + pending
                + " is kept: the next tasksctl or tasksd start "
                  "decides which key the store is sealed with");
  }
  if (auto err = storage::commit_pending_master_key(key_file))
    return fail("vault rotate-master: the store is sealed with the new key in "
                + pending + " but " + message_of(err)
                + "; the next tasksctl or tasksd start moves it into place");
  std::printf("master key rotated: %llu vault entries, %llu server passwords "
              "and the audit key re-sealed\n",
              (unsigned long long)report->vault_entries,
              (unsigned long long)report->server_passwords);
  std::printf("back up %s now: backups made before this need the old key\n",
              key_file.c_str());
  return 0;
}

} // namespace

void add_vault_commands(CLI::App& app, const cli_options& opts, int& rc) {
  auto* vault = app.add_subcommand(
      "vault", "private keys sealed with the vault master key\n"
               "example: tasksctl vault import deploy-key --key-file "
               "~/.ssh/id_ed25519");
  vault->require_subcommand(1);
  auto imp = std::make_shared<import_options>();
  auto* import = vault->add_subcommand(
      "import", "seal a private key into the store (tasksd must be stopped); "
                "a passphrase comes only from stdin\n"
                "example: tasksctl vault import deploy-key --key-file "
                "id_ed25519 --passphrase-stdin < passphrase.txt");
  import->add_option("name", imp->name, "unique entry name")->required();
  import->add_option("--key-file", imp->key_file, "the private key file")
      ->required();
  import->add_flag("--passphrase-stdin", imp->passphrase_stdin,
                   "read the key's passphrase from stdin (first line)");
  import->callback([&opts, &rc, imp] { rc = vault_import(opts, *imp);
});
vault
    ->add_subcommand("list", "list vault entries, never key material (works "
                             "while tasksd runs)\n"
                             "example: tasksctl vault list")
    ->callback([&opts, &rc] { rc = vault_list(opts); });
auto which = std::make_shared<std::string>();
auto* rm = vault->add_subcommand(
    "rm", "remove a vault entry no server uses (tasksd must be stopped)\n"
          "example: tasksctl vault rm deploy-key");
rm->add_option("entry", *which, "the entry's name or id")->required();
rm->callback([&opts, &rc, which] { rc = vault_rm(opts, *which); });
vault
    ->add_subcommand(
        "rotate-master",
        "generate a new vault master key and re-seal every vault entry, "
        "server password and the audit key under it in one atomic write; "
        "old audit records still verify (tasksd must be stopped)\n"
        "example: tasksctl vault rotate-master")
    ->callback([&opts, &rc] { rc = vault_rotate_master(opts); });
} // namespace tasks::ctl

} // namespace tasks::ctl
