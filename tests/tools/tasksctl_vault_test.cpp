#define CAF_SUITE tools.tasksctl_vault
#include <caf/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "tasksctl_fixture.hpp"

#include "core/error.hpp"
#include "storage/crypto.hpp"
#include "support/run_tool.hpp"

using namespace tasks;

namespace {

struct fixture : tasksctl_fixture {
  /// Makes an ed25519 key pair with ssh-keygen; returns the private key path.
  std::string make_key(const std::string& name,
                       const std::string& passphrase = "") {
    auto path = tmp.path + "/" + name;
    auto r = test::run_tool(
        "/usr/bin/ssh-keygen",
        {"-q", "-t", "ed25519", "-N", passphrase, "-C", name, "-f", path});
    CAF_REQUIRE_EQUAL(r.exit_code, 0);
    return path;
  }

  static std::string read_file(const std::string& path) {
    std::ifstream in{path, std::ios::binary};
    return {std::istreambuf_iterator<char>{in}, {}};
  }

  std::vector<vault_entry> entries() {
    auto list = st().list_vault_entries();
    CAF_REQUIRE(list);
    return *list;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(tasksctl_vault_tests, fixture)

CAF_TEST(import_list_rm_round_trip) {
  auto plain = make_key("plain");
  auto locked = make_key("locked", "pass phrase");
  close();
  auto r = run({"vault", "import", "plain-key", "--key-file", plain});
  CAF_CHECK_EQUAL(r.err, "");
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  CAF_CHECK(r.out.rfind("vault entry 1 imported: plain-key\n", 0) == 0);
  r = run({"vault", "import", "locked-key", "--key-file", locked,
           "--passphrase-stdin"},
          "pass phrase\n");
  CAF_CHECK_EQUAL(r.err, "");
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  CAF_CHECK(r.out.rfind("vault entry 2 imported: locked-key (with "
                        "passphrase)\n",
                        0)
            == 0);
  // The secrets round trip through the store.
  open();
  auto list = entries();
  CAF_REQUIRE_EQUAL(list.size(), 2u);
  auto first = st().open_vault_entry(list[0]);
  CAF_REQUIRE(first);
  CAF_CHECK(first->key_text == read_file(plain));
  CAF_CHECK(first->passphrase.empty());
  auto second = st().open_vault_entry(list[1]);
  CAF_REQUIRE(second);
  CAF_CHECK(second->key_text == read_file(locked));
  CAF_CHECK(second->passphrase == "pass phrase");
  auto records = st().query_audit(audit_filter{}, 1);
  CAF_REQUIRE(records);
  CAF_CHECK_EQUAL(records->front().action, "vault.import");
  CAF_CHECK(records->front().metadata.find("pass phrase") == std::string::npos);
  close();
  // The list shows names, never key material.
  r = run({"vault", "list"});
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  CAF_CHECK(first_column(r.out) == std::vector<std::string>({"1", "2"}));
  CAF_CHECK(r.out.rfind("ID  NAME        CREATED\n", 0) == 0);
  CAF_CHECK(r.out.find("plain-key") != std::string::npos);
  CAF_CHECK(r.out.find("PRIVATE") == std::string::npos);
  CAF_CHECK(r.out.find("pass phrase") == std::string::npos);
  // Taken names, missing files, public keys and empty passphrases refused.
  r = run({"vault", "import", "plain-key", "--key-file", plain});
  CAF_CHECK_EQUAL(r.exit_code, 1);
  CAF_CHECK(r.err.find("already exists") != std::string::npos);
  r = run({"vault", "import", "x", "--key-file", plain + ".pub"});
  CAF_CHECK_EQUAL(r.exit_code, 1);
  CAF_CHECK(r.err.find("not a PEM or OpenSSH private key")
            != std::string::npos);
  r = run({"vault", "import", "x", "--key-file", tmp.path + "/missing"});
  CAF_CHECK_EQUAL(r.exit_code, 1);
  r = run({"vault", "import", "x", "--key-file", locked, "--passphrase-stdin"},
          "\n");
  CAF_CHECK_EQUAL(r.exit_code, 1);
  CAF_CHECK_EQUAL(r.err, "tasksctl: vault import: the passphrase on stdin is "
                         "empty\n");
  CAF_CHECK_EQUAL(run({"vault", "import", "x"}).exit_code, 2);
  // rm by name and by id; an entry a server uses is refused.
  open();
  server s;
  s.name = "web1";
  s.host = "127.0.0.1";
  s.username = "deploy";
  s.vault_key_id = 2;
  CAF_REQUIRE(st().add_server(s, std::nullopt, {}));
  close();
  r = run({"vault", "rm", "locked-key"});
  CAF_CHECK_EQUAL(r.exit_code, 1);
  CAF_CHECK(r.err.find("is used by server 'web1'") != std::string::npos);
  r = run({"vault", "rm", "plain-key"});
  CAF_CHECK_EQUAL(r.err, "");
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_CHECK_EQUAL(r.out, "vault entry 1 removed: plain-key\n");
  r = run({"vault", "rm", "1"});
  CAF_CHECK_EQUAL(r.exit_code, 1);
  CAF_CHECK(r.err.find("no vault entry named or numbered '1'")
            != std::string::npos);
  open();
  CAF_REQUIRE(!st().remove_server(1, {}));
  close();
  r = run({"vault", "rm", "2"});
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_CHECK_EQUAL(r.out, "vault entry 2 removed: locked-key\n");
  r = run({"vault", "list"});
  CAF_CHECK_EQUAL(r.exit_code, 0);
  CAF_CHECK(first_column(r.out).empty());
}

CAF_TEST(writing_commands_while_the_store_is_held_say_to_stop_tasksd) {
  auto key = make_key("k");
  auto expected = "tasksctl: tasksd is running on " + cfg.data_dir
                  + ": stop it, or use the REST API\n";
  auto r = run({"vault", "import", "k", "--key-file", key});
  CAF_CHECK_EQUAL(r.exit_code, 1);
  CAF_CHECK_EQUAL(r.err, expected);
  r = run({"vault", "rm", "k"});
  CAF_CHECK_EQUAL(r.exit_code, 1);
  CAF_CHECK_EQUAL(r.err, expected);
  CAF_CHECK_EQUAL(run({"vault", "list"}).exit_code, 0);
}

CAF_TEST(rotate_master_reseals_everything_and_old_records_still_verify) {
  auto key = make_key("k", "pp");
  auto key_text = read_file(key);
  auto entry = st().add_vault_entry("k", key_text, "pp", {});
  CAF_REQUIRE(entry);
  server s;
  s.name = "web1";
  s.host = "127.0.0.1";
  s.username = "deploy";
  s.vault_key_id = entry->id;
  auto with_key = st().add_server(s, std::nullopt, {});
  CAF_REQUIRE(with_key);
  s.name = "web2";
  s.vault_key_id.reset();
  auto with_password = st().add_server(s, std::string{"secret pw"}, {});
  CAF_REQUIRE(with_password);
  auto records_before = st().head()->seq;
  close();
  auto old_key = read_file(cfg.vault_key_file);
  auto r = run({"vault", "rotate-master"});
  CAF_CHECK_EQUAL(r.err, "");
  CAF_REQUIRE_EQUAL(r.exit_code, 0);
  CAF_CHECK(r.out.rfind("master key rotated: 1 vault entries, 1 server "
                        "passwords and the audit key re-sealed\n",
                        0)
            == 0);
  CAF_CHECK(r.out.find("back up " + cfg.vault_key_file) != std::string::npos);
  auto new_key = read_file(cfg.vault_key_file);
  CAF_CHECK_EQUAL(new_key.size(), 32u);
  CAF_CHECK(new_key != old_key);
  CAF_CHECK(!std::filesystem::exists(cfg.vault_key_file + ".new"));
  CAF_CHECK((std::filesystem::status(cfg.vault_key_file).permissions()
             & std::filesystem::perms::all)
            == (std::filesystem::perms::owner_read
                | std::filesystem::perms::owner_write));
  // Everything opens under the new key; the chain verifies end to end.
  open();
  auto opened_entry = st().get_vault_entry(entry->id);
  CAF_REQUIRE(opened_entry);
  auto secret = st().open_vault_entry(*opened_entry);
  CAF_REQUIRE(secret);
  CAF_CHECK(secret->key_text == key_text);
  CAF_CHECK(secret->passphrase == "pp");
  auto pw_server = st().get_server(with_password->id);
  CAF_REQUIRE(pw_server);
  auto pw = st().server_password(*pw_server);
  CAF_REQUIRE(pw);
  CAF_CHECK(*pw == "secret pw");
  auto verified = st().verify_audit();
  CAF_REQUIRE(verified);
  CAF_CHECK(!verified->first_bad_seq);
  CAF_CHECK_EQUAL(verified->records, records_before + 1);
  auto last = st().query_audit(audit_filter{}, 1);
  CAF_REQUIRE(last);
  CAF_CHECK_EQUAL(last->front().action, "vault.rotate_master");
  CAF_CHECK(last->front().metadata.find("secret pw") == std::string::npos);
  close();
  // The old key no longer opens the store.
  auto old_file = tmp.path + "/old.key";
  {
    std::ofstream out{old_file, std::ios::binary};
    out << old_key;
  }
  std::filesystem::permissions(old_file,
                               std::filesystem::perms::owner_read
                                   | std::filesystem::perms::owner_write);
  auto with_old = cfg;
  with_old.vault_key_file = old_file;
  auto refused = open_store(with_old, storage::open_mode::secondary);
  CAF_REQUIRE(!refused);
  CAF_CHECK(refused.error() == errc::crypto_failure);
  auto old_run
      = test::run_tasksctl({"--data", cfg.data_dir, "vault", "list"}, "",
                           {{"TASKS_VAULT_KEY_FILE", old_file}}, tmp.path);
  CAF_CHECK_EQUAL(old_run.exit_code, 1);
  CAF_CHECK(old_run.err.find("does not belong to the store")
            != std::string::npos);
  // A second rotation works too, and the audit chain still verifies.
  CAF_CHECK_EQUAL(run({"vault", "rotate-master"}).exit_code, 0);
  open();
  auto again = st().verify_audit();
  CAF_REQUIRE(again);
  CAF_CHECK(!again->first_bad_seq);
  CAF_CHECK(st().open_vault_entry(*st().get_vault_entry(entry->id)));
}

CAF_TEST(rotate_master_while_the_store_is_held_changes_nothing) {
  auto before = read_file(cfg.vault_key_file);
  auto r = run({"vault", "rotate-master"});
  CAF_CHECK_EQUAL(r.exit_code, 1);
  CAF_CHECK_EQUAL(r.err, "tasksctl: tasksd is running on " + cfg.data_dir
                             + ": stop it, or use the REST API\n");
  CAF_CHECK(read_file(cfg.vault_key_file) == before);
  CAF_CHECK(!std::filesystem::exists(cfg.vault_key_file + ".new"));
}

CAF_TEST(a_rotation_interrupted_before_the_batch_rolls_back) {
  CAF_REQUIRE(st().add_vault_entry("k", "-----BEGIN x", "", {}));
  close();
  auto old_key = read_file(cfg.vault_key_file);
  auto pending = cfg.vault_key_file + ".new";
  CAF_REQUIRE(
      !storage::write_master_key(pending, storage::secret_key::random()));
  // A secondary leaves the files alone and uses the old key.
  {
    auto o = open_store(cfg, storage::open_mode::secondary);
    CAF_REQUIRE(o);
    CAF_CHECK(std::filesystem::exists(pending));
  }
  open();
  CAF_CHECK(!std::filesystem::exists(pending));
  CAF_CHECK(read_file(cfg.vault_key_file) == old_key);
  auto list = st().list_vault_entries();
  CAF_REQUIRE(list);
  CAF_CHECK(st().open_vault_entry(list->front()));
}

CAF_TEST(a_rotation_interrupted_after_the_batch_completes) {
  CAF_REQUIRE(st().add_vault_entry("k", "-----BEGIN x", "p", {}));
  auto fresh = storage::secret_key::random();
  auto pending = cfg.vault_key_file + ".new";
  CAF_REQUIRE(!storage::write_master_key(pending, fresh));
  CAF_REQUIRE(st().reseal_all(fresh, {}));
  close(); // the crash: the rename never happened
  auto fresh_bytes = std::string{fresh.view()};
  {
    auto o = open_store(cfg, storage::open_mode::secondary);
    CAF_REQUIRE(o);
    CAF_CHECK(std::filesystem::exists(pending));
    auto list = o->st->list_vault_entries();
    CAF_REQUIRE(list);
    CAF_CHECK(o->st->open_vault_entry(list->front()));
  }
  open();
  CAF_CHECK(!std::filesystem::exists(pending));
  CAF_CHECK(read_file(cfg.vault_key_file) == fresh_bytes);
  auto list = st().list_vault_entries();
  CAF_REQUIRE(list);
  auto secret = st().open_vault_entry(list->front());
  CAF_REQUIRE(secret);
  CAF_CHECK(secret->passphrase == "p");
  auto verified = st().verify_audit();
  CAF_REQUIRE(verified);
  CAF_CHECK(!verified->first_bad_seq);
}

CAF_TEST(help_has_an_example_at_every_level) {
  for (auto args : std::vector<std::vector<std::string>>{
           {"vault", "--help"},
           {"vault", "import", "--help"},
           {"vault", "list", "--help"},
           {"vault", "rm", "--help"},
           {"vault", "rotate-master", "--help"}}) {
    auto r = run(args);
    CAF_CHECK_EQUAL(r.exit_code, 0);
    CAF_CHECK(r.out.find("example: tasksctl vault") != std::string::npos);
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
