#define CAF_SUITE storage.servers
#include <caf/test/unit_test.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "storage/crypto.hpp"
#include "storage/keys.hpp"
#include "storage/store.hpp"
#include "storage/store_fixture.hpp"

using namespace tasks;
using namespace tasks::storage;

namespace {

constexpr std::string_view password = "correct horse battery staple";
constexpr std::string_view key_text
    = "-----BEGIN OPENSSH PRIVATE KEY-----\n"
      "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
      "-----END OPENSSH PRIVATE KEY-----\n";
constexpr std::string_view passphrase = "open sesame 42";
constexpr std::string_view fp1
    = "SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8";
constexpr std::string_view fp2
    = "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s";

audit_origin admin_origin() {
  audit_origin who;
  who.user_id = 1;
  who.username = "root";
  who.client_ip = "127.0.0.1";
  return who;
}

server make_server(std::string name) {
  server s;
  s.name = std::move(name);
  s.host = "10.0.0.5";
  s.port = 2222;
  s.username = "deploy";
  s.key_file = "/etc/tasksd/id_ed25519";
  return s;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

struct fixture : store_fixture {
  server add(server s, std::optional<std::string> pw = std::nullopt) {
    auto added = st->add_server(std::move(s), pw, admin_origin());
    CAF_REQUIRE(added);
    return *added;
  }

  vault_entry import(const std::string& name,
                     std::string_view pass = passphrase) {
    auto v = st->add_vault_entry(name, std::string{key_text}, std::string{pass},
                                 admin_origin());
    CAF_REQUIRE(v);
    return *v;
  }

  /// The stored server; by value, so no check holds a dangling reference.
  server stored(uint64_t id) {
    auto s = st->get_server(id);
    CAF_REQUIRE(s);
    return *s;
  }

  server named(const std::string& name) {
    auto s = st->find_server(name);
    CAF_REQUIRE(s);
    return *s;
  }

  /// Expects `s` to be refused as invalid with a message about `field`.
  void check_invalid(server s, std::string_view field,
                     std::optional<std::string> pw = std::nullopt) {
    auto result = st->add_server(std::move(s), pw, admin_origin());
    CAF_REQUIRE(!result);
    CAF_CHECK(result.error() == errc::invalid_argument);
    auto message = message_of(result.error());
    if (!starts_with(message, std::string{field} + ": "))
      CAF_FAIL("expected a message about " << field << ", got: " << message);
  }

  /// Checks that no stored byte outside the sealed values holds `secret`:
  /// neither the audit log nor the server and vault families.
  void check_store_free_of(std::string_view secret) {
    for (const auto& e : audit())
      for (const auto* field : {&e.action, &e.username, &e.command_preview,
                                &e.client_ip, &e.user_agent, &e.metadata})
        CAF_CHECK_EQUAL(field->find(secret), std::string::npos);
    for (auto family :
         {cf::audit, cf::audit_index, cf::servers, cf::vault, cf::meta}) {
      auto c = db->scan(family, "", "");
      for (c.seek_first(); c.valid(); c.next()) {
        CAF_CHECK_EQUAL(c.key().find(secret), std::string_view::npos);
        CAF_CHECK_EQUAL(c.value().find(secret), std::string_view::npos);
      }
      CAF_CHECK(!c.status());
    }
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(servers_tests, fixture)

// -- servers ------------------------------------------------------------------

CAF_TEST(add_server_assigns_ids_and_finds_them_by_id_and_name) {
  auto web = add(make_server("web-1"));
  auto db_server = add(make_server("db.internal_2"));
  CAF_CHECK_EQUAL(web.id, 1u);
  CAF_CHECK_EQUAL(db_server.id, 2u);
  CAF_CHECK(web.created_at != timestamp{});
  auto by_id = st->get_server(1);
  CAF_REQUIRE(by_id);
  CAF_CHECK_EQUAL(by_id->name, "web-1");
  CAF_CHECK_EQUAL(by_id->host, "10.0.0.5");
  CAF_CHECK_EQUAL(by_id->port, 2222u);
  CAF_CHECK_EQUAL(by_id->username, "deploy");
  CAF_CHECK_EQUAL(by_id->key_file, "/etc/tasksd/id_ed25519");
  CAF_CHECK(by_id->sealed_password.empty());
  auto by_name = st->find_server("db.internal_2");
  CAF_REQUIRE(by_name);
  CAF_CHECK_EQUAL(by_name->id, 2u);
  auto all = st->list_servers();
  CAF_REQUIRE(all);
  CAF_REQUIRE_EQUAL(all->size(), 2u);
  CAF_CHECK_EQUAL((*all)[0].name, "web-1");
  CAF_CHECK_EQUAL((*all)[1].name, "db.internal_2");
}

CAF_TEST(missing_servers_are_not_found) {
  auto by_id = st->get_server(7);
  CAF_REQUIRE(!by_id);
  CAF_CHECK(by_id.error() == errc::not_found);
  CAF_CHECK_EQUAL(message_of(by_id.error()), "server 7 not found");
  auto by_name = st->find_server("ghost");
  CAF_REQUIRE(!by_name);
  CAF_CHECK(by_name.error() == errc::not_found);
  CAF_CHECK_EQUAL(message_of(by_name.error()), "server 'ghost' not found");
}

CAF_TEST(add_server_rejects_invalid_names) {
  for (std::string name :
       {std::string{}, std::string(65, 'n'), std::string{"two words"},
        std::string{"a/b"}, std::string{"caf\xc3\xa9"}}) {
    auto s = make_server("x");
    s.name = name;
    check_invalid(s, "name");
  }
  add(make_server(std::string(64, 'n')));
}

CAF_TEST(add_server_rejects_invalid_hosts) {
  for (std::string host :
       {std::string{}, std::string(254, 'h'), std::string{"10.0.0.5 evil"},
        std::string{"host\n"}, std::string{"a\tb"}, std::string{"x\x7f"}}) {
    auto s = make_server("web");
    s.host = host;
    check_invalid(s, "host");
  }
  auto longest = make_server("web");
  longest.host = std::string(253, 'h');
  add(longest);
}

CAF_TEST(add_server_rejects_port_zero) {
  auto s = make_server("web");
  s.port = 0;
  check_invalid(s, "port");
  s.port = 65535;
  add(s);
}

CAF_TEST(add_server_rejects_invalid_ssh_usernames) {
  for (std::string username :
       {std::string{}, std::string(65, 'u'), std::string{"root admin"},
        std::string{"ro\x01ot"}}) {
    auto s = make_server("web");
    s.username = username;
    check_invalid(s, "username");
  }
}

CAF_TEST(add_server_requires_an_auth_method) {
  auto s = make_server("web");
  s.key_file.clear();
  auto result = st->add_server(s, std::nullopt, admin_origin());
  CAF_REQUIRE(!result);
  CAF_CHECK(result.error() == errc::invalid_argument);
  CAF_CHECK_EQUAL(message_of(result.error()),
                  "auth: configure a vault key, a key file or a password");
  // A sealed password smuggled in by the caller is no auth method.
  s.sealed_password = "not really sealed";
  check_invalid(s, "auth");
  check_invalid(s, "password", std::string{});
  auto with_password = add(s, std::string{password});
  CAF_CHECK(!with_password.sealed_password.empty());
  CAF_CHECK(with_password.sealed_password != "not really sealed");
}

CAF_TEST(add_server_requires_an_existing_vault_entry) {
  auto s = make_server("web");
  s.key_file.clear();
  s.vault_key_id = 3;
  check_invalid(s, "vault_key_id");
  auto v = import("deploy");
  s.vault_key_id = v.id;
  auto added = add(s);
  CAF_CHECK(added.vault_key_id == v.id);
}

CAF_TEST(add_server_checks_max_concurrent_tasks) {
  for (uint32_t cap : {0u, 257u, 100000u}) {
    auto s = make_server("web");
    s.max_concurrent_tasks = cap;
    check_invalid(s, "max_concurrent_tasks");
  }
  auto s = make_server("web");
  s.max_concurrent_tasks = 256;
  CAF_CHECK(add(s).max_concurrent_tasks == 256u);
  auto stored = st->find_server("web");
  CAF_REQUIRE(stored);
  CAF_CHECK(stored->max_concurrent_tasks == 256u);
}

CAF_TEST(add_server_checks_the_host_key_format) {
  auto base = std::string{fp1};
  for (std::string fp :
       {std::string{"SHA256:short"}, std::string{"MD5:"} + base.substr(7),
        base + "=", base.substr(0, base.size() - 1) + "=", base + "A",
        std::string{"sha256:"} + base.substr(7),
        base.substr(0, base.size() - 1) + "-", std::string{"SHA256:"}}) {
    auto s = make_server("web");
    s.host_key = fp;
    check_invalid(s, "host_key");
  }
  auto s = make_server("web");
  s.host_key = base;
  CAF_CHECK_EQUAL(add(s).host_key, base);
}

CAF_TEST(add_server_refuses_a_taken_name) {
  add(make_server("web"));
  auto again = st->add_server(make_server("web"), std::nullopt, admin_origin());
  CAF_REQUIRE(!again);
  CAF_CHECK(again.error() == errc::already_exists);
  CAF_CHECK_EQUAL(message_of(again.error()), "server 'web' already exists");
}

CAF_TEST(add_server_is_audited_without_the_password) {
  auto s = add(make_server("web"), std::string{password});
  auto e = latest_audit();
  CAF_CHECK_EQUAL(e.action, "server.create");
  CAF_CHECK(e.server_id == s.id);
  CAF_CHECK(e.user_id == uint64_t{1});
  CAF_CHECK(contains(e.metadata, "\"name\":\"web\""));
  CAF_CHECK(contains(e.metadata, "\"host\":\"10.0.0.5\""));
  CAF_CHECK(contains(e.metadata, "\"port\":2222"));
  CAF_CHECK(contains(e.metadata, "\"auth\":\"key_file,password\""));
  check_store_free_of(password);
}

CAF_TEST(server_password_round_trips_and_is_bound_to_its_server) {
  auto s = add(make_server("web"), std::string{password});
  CAF_CHECK(!contains(s.sealed_password, password));
  auto opened = st->server_password(s);
  CAF_REQUIRE(opened);
  CAF_CHECK_EQUAL(*opened, password);
  auto stored = st->get_server(s.id);
  CAF_REQUIRE(stored);
  auto again = st->server_password(*stored);
  CAF_REQUIRE(again);
  CAF_CHECK_EQUAL(*again, password);
  // The same sealed bytes under another server's id do not open.
  auto other = add(make_server("db"));
  other.sealed_password = s.sealed_password;
  auto moved = st->server_password(other);
  CAF_REQUIRE(!moved);
  CAF_CHECK(moved.error() == errc::crypto_failure);
  auto none = st->server_password(*st->get_server(other.id));
  CAF_REQUIRE(!none);
  CAF_CHECK(none.error() == errc::not_found);
  check_store_free_of(password);
}

CAF_TEST(update_server_changes_fields_and_keeps_the_password) {
  auto s = add(make_server("web"), std::string{password});
  auto changed = s;
  changed.host = "web.example.org";
  changed.port = 22;
  changed.sealed_password.clear(); // the caller's copy is ignored
  changed.created_at = timestamp{};
  auto updated = st->update_server(changed, std::nullopt, admin_origin());
  CAF_REQUIRE(updated);
  CAF_CHECK_EQUAL(updated->host, "web.example.org");
  CAF_CHECK_EQUAL(updated->port, 22u);
  CAF_CHECK(updated->created_at == s.created_at);
  CAF_CHECK_EQUAL(updated->sealed_password, s.sealed_password);
  auto stored = st->get_server(s.id);
  CAF_REQUIRE(stored);
  CAF_CHECK_EQUAL(stored->host, "web.example.org");
  auto opened = st->server_password(*stored);
  CAF_REQUIRE(opened);
  CAF_CHECK_EQUAL(*opened, password);
  auto e = latest_audit();
  CAF_CHECK_EQUAL(e.action, "server.update");
  CAF_CHECK(e.server_id == s.id);
  CAF_CHECK(contains(e.metadata, "\"host\":\"web.example.org\""));
}

CAF_TEST(update_server_replaces_and_removes_the_password) {
  auto s = add(make_server("web"), std::string{password});
  auto replaced
      = st->update_server(s, std::string{"new password!"}, admin_origin());
  CAF_REQUIRE(replaced);
  auto opened = st->server_password(*replaced);
  CAF_REQUIRE(opened);
  CAF_CHECK_EQUAL(*opened, "new password!");
  CAF_CHECK(contains(latest_audit().metadata, "\"password_changed\":true"));
  auto removed = st->update_server(s, std::string{}, admin_origin());
  CAF_REQUIRE(removed);
  CAF_CHECK(removed->sealed_password.empty());
  CAF_CHECK(!st->server_password(*removed));
  // Without the password and the key file nothing is left to log in with.
  auto bare = *removed;
  bare.key_file.clear();
  auto refused = st->update_server(bare, std::nullopt, admin_origin());
  CAF_REQUIRE(!refused);
  CAF_CHECK(refused.error() == errc::invalid_argument);
  CAF_CHECK(starts_with(message_of(refused.error()), "auth: "));
  check_store_free_of(password);
  check_store_free_of("new password!");
}

CAF_TEST(update_server_validates_like_add_server) {
  auto s = add(make_server("web"));
  auto bad = s;
  bad.port = 0;
  auto result = st->update_server(bad, std::nullopt, admin_origin());
  CAF_REQUIRE(!result);
  CAF_CHECK(result.error() == errc::invalid_argument);
  bad = s;
  bad.vault_key_id = 5;
  result = st->update_server(bad, std::nullopt, admin_origin());
  CAF_REQUIRE(!result);
  CAF_CHECK(starts_with(message_of(result.error()), "vault_key_id: "));
  auto ghost = s;
  ghost.id = 42;
  result = st->update_server(ghost, std::nullopt, admin_origin());
  CAF_REQUIRE(!result);
  CAF_CHECK(result.error() == errc::not_found);
  CAF_CHECK_EQUAL(message_of(result.error()), "server 42 not found");
  CAF_CHECK_EQUAL(latest_audit().action, "server.create");
}

CAF_TEST(update_server_renames_and_moves_the_name_entry) {
  auto web = add(make_server("web"));
  add(make_server("db"));
  auto renamed = web;
  renamed.name = "frontend";
  auto updated = st->update_server(renamed, std::nullopt, admin_origin());
  CAF_REQUIRE(updated);
  CAF_CHECK_EQUAL(updated->name, "frontend");
  CAF_CHECK_EQUAL(named("frontend").id, web.id);
  CAF_CHECK(!st->find_server("web"));
  CAF_CHECK(contains(latest_audit().metadata, "\"previous_name\":\"web\""));
  // The old name is free again, a taken one is refused.
  add(make_server("web"));
  auto clash = *updated;
  clash.name = "db";
  auto refused = st->update_server(clash, std::nullopt, admin_origin());
  CAF_REQUIRE(!refused);
  CAF_CHECK(refused.error() == errc::already_exists);
  CAF_CHECK_EQUAL(message_of(refused.error()), "server 'db' already exists");
  CAF_CHECK_EQUAL(named("frontend").id, web.id);
  auto invalid_name = *updated;
  invalid_name.name = "no spaces";
  auto invalid = st->update_server(invalid_name, std::nullopt, admin_origin());
  CAF_REQUIRE(!invalid);
  CAF_CHECK(invalid.error() == errc::invalid_argument);
}

CAF_TEST(remove_server_deletes_record_and_name) {
  auto web = add(make_server("web"));
  CAF_REQUIRE(!st->remove_server(web.id, admin_origin()));
  CAF_CHECK(st->get_server(web.id).error() == errc::not_found);
  CAF_CHECK(st->find_server("web").error() == errc::not_found);
  auto e = latest_audit();
  CAF_CHECK_EQUAL(e.action, "server.delete");
  CAF_CHECK(e.server_id == web.id);
  CAF_CHECK(contains(e.metadata, "\"name\":\"web\""));
  auto again = st->remove_server(web.id, admin_origin());
  CAF_CHECK(again == errc::not_found);
  CAF_CHECK_EQUAL(message_of(again), "server 1 not found");
  // Ids are never reused.
  CAF_CHECK_EQUAL(add(make_server("web")).id, 2u);
}

// -- host keys ----------------------------------------------------------------

CAF_TEST(pin_host_key_trusts_on_first_use_and_never_repins) {
  auto s = add(make_server("web"));
  auto before = audit().size();
  auto pinned = st->pin_host_key(s.id, std::string{fp1}, admin_origin());
  CAF_REQUIRE(pinned);
  CAF_CHECK_EQUAL(pinned->host_key, fp1);
  CAF_CHECK_EQUAL(stored(s.id).host_key, fp1);
  auto e = latest_audit();
  CAF_CHECK_EQUAL(e.action, "server.host_key_pinned");
  CAF_CHECK(e.server_id == s.id);
  CAF_CHECK(contains(e.metadata, "\"fingerprint\":\"" + std::string{fp1}));
  CAF_CHECK_EQUAL(audit().size(), before + 1);
  // The same key again: unchanged and not audited again.
  auto same = st->pin_host_key(s.id, std::string{fp1}, admin_origin());
  CAF_REQUIRE(same);
  CAF_CHECK_EQUAL(same->host_key, fp1);
  CAF_CHECK_EQUAL(audit().size(), before + 1);
  // Another key: a conflict, and the pin stays.
  auto other = st->pin_host_key(s.id, std::string{fp2}, admin_origin());
  CAF_REQUIRE(!other);
  CAF_CHECK(other.error() == errc::conflict);
  CAF_CHECK_EQUAL(message_of(other.error()),
                  "host key mismatch: pinned " + std::string{fp1} + ", offered "
                      + std::string{fp2});
  CAF_CHECK_EQUAL(stored(s.id).host_key, fp1);
  CAF_CHECK_EQUAL(audit().size(), before + 1);
}

CAF_TEST(pin_host_key_validates_its_input) {
  auto s = add(make_server("web"));
  auto bad = st->pin_host_key(s.id, "SHA256:abc", admin_origin());
  CAF_REQUIRE(!bad);
  CAF_CHECK(bad.error() == errc::invalid_argument);
  CAF_CHECK(starts_with(message_of(bad.error()), "host_key: "));
  auto missing = st->pin_host_key(99, std::string{fp1}, admin_origin());
  CAF_REQUIRE(!missing);
  CAF_CHECK(missing.error() == errc::not_found);
}

CAF_TEST(update_server_keeps_the_pin_unless_given_another) {
  auto s = add(make_server("web"));
  CAF_REQUIRE(st->pin_host_key(s.id, std::string{fp1}, admin_origin()));
  auto changed = s; // a copy from before the pin: host_key empty
  changed.port = 2200;
  auto updated = st->update_server(changed, std::nullopt, admin_origin());
  CAF_REQUIRE(updated);
  CAF_CHECK_EQUAL(updated->host_key, fp1);
  changed.host_key = std::string{fp2};
  updated = st->update_server(changed, std::nullopt, admin_origin());
  CAF_REQUIRE(updated);
  CAF_CHECK_EQUAL(stored(s.id).host_key, fp2);
}

// -- vault --------------------------------------------------------------------

CAF_TEST(vault_entries_seal_and_open_key_and_passphrase) {
  auto v = import("deploy");
  CAF_CHECK_EQUAL(v.id, 1u);
  CAF_CHECK_EQUAL(v.name, "deploy");
  CAF_CHECK(!contains(v.sealed_key, key_text));
  CAF_CHECK(!v.sealed_passphrase.empty());
  auto stored = st->get_vault_entry(v.id);
  CAF_REQUIRE(stored);
  auto secret = st->open_vault_entry(*stored);
  CAF_REQUIRE(secret);
  CAF_CHECK_EQUAL(secret->key_text, key_text);
  CAF_CHECK_EQUAL(secret->passphrase, passphrase);
  auto plain = import("no-passphrase", "");
  CAF_CHECK(plain.sealed_passphrase.empty());
  auto opened = st->open_vault_entry(plain);
  CAF_REQUIRE(opened);
  CAF_CHECK_EQUAL(opened->key_text, key_text);
  CAF_CHECK(opened->passphrase.empty());
  auto all = st->list_vault_entries();
  CAF_REQUIRE(all);
  CAF_REQUIRE_EQUAL(all->size(), 2u);
  CAF_CHECK_EQUAL((*all)[0].name, "deploy");
  CAF_CHECK_EQUAL((*all)[1].name, "no-passphrase");
  auto e = latest_audit();
  CAF_CHECK_EQUAL(e.action, "vault.import");
  CAF_CHECK(contains(e.metadata, "\"name\":\"no-passphrase\""));
  check_store_free_of(key_text);
  check_store_free_of("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ");
  check_store_free_of(passphrase);
}

CAF_TEST(a_vault_entry_copied_to_another_id_does_not_open) {
  auto first = import("first");
  auto second = import("second");
  auto moved = first;
  moved.id = second.id;
  auto opened = st->open_vault_entry(moved);
  CAF_REQUIRE(!opened);
  CAF_CHECK(opened.error() == errc::crypto_failure);
  // Nor does a passphrase moved between the two fields.
  auto swapped = first;
  swapped.sealed_passphrase = first.sealed_key;
  CAF_CHECK(!st->open_vault_entry(swapped));
  auto key_as_passphrase = first;
  key_as_passphrase.sealed_key = first.sealed_passphrase;
  CAF_CHECK(!st->open_vault_entry(key_as_passphrase));
  CAF_CHECK(st->open_vault_entry(first));
}

CAF_TEST(add_vault_entry_validates_name_and_key) {
  for (std::string name : {std::string{}, std::string(65, 'v'),
                           std::string{"my key"}, std::string{"k/1"}}) {
    auto v
        = st->add_vault_entry(name, std::string{key_text}, "", admin_origin());
    CAF_REQUIRE(!v);
    CAF_CHECK(v.error() == errc::invalid_argument);
    CAF_CHECK(starts_with(message_of(v.error()), "name: "));
  }
  auto empty = st->add_vault_entry("deploy", "", "", admin_origin());
  CAF_REQUIRE(!empty);
  CAF_CHECK(empty.error() == errc::invalid_argument);
  CAF_CHECK(starts_with(message_of(empty.error()), "key_text: "));
  import("deploy");
  auto twice = st->add_vault_entry("deploy", std::string{key_text}, "",
                                   admin_origin());
  CAF_REQUIRE(!twice);
  CAF_CHECK(twice.error() == errc::already_exists);
  CAF_CHECK_EQUAL(message_of(twice.error()),
                  "vault entry 'deploy' already exists");
  auto missing = st->get_vault_entry(9);
  CAF_REQUIRE(!missing);
  CAF_CHECK(missing.error() == errc::not_found);
  CAF_CHECK_EQUAL(message_of(missing.error()), "vault entry 9 not found");
}

CAF_TEST(remove_vault_entry_is_blocked_by_a_referencing_server) {
  auto v = import("deploy");
  auto s = make_server("web");
  s.key_file.clear();
  s.vault_key_id = v.id;
  s = add(s);
  auto blocked = st->remove_vault_entry(v.id, admin_origin());
  CAF_CHECK(blocked == errc::conflict);
  CAF_CHECK(contains(message_of(blocked), "'web'"));
  CAF_CHECK(st->get_vault_entry(v.id));
  CAF_REQUIRE(!st->remove_server(s.id, admin_origin()));
  CAF_REQUIRE(!st->remove_vault_entry(v.id, admin_origin()));
  CAF_CHECK(st->get_vault_entry(v.id).error() == errc::not_found);
  auto e = latest_audit();
  CAF_CHECK_EQUAL(e.action, "vault.delete");
  CAF_CHECK(contains(e.metadata, "\"name\":\"deploy\""));
  CAF_CHECK(st->remove_vault_entry(v.id, admin_origin()) == errc::not_found);
  // The name is free again.
  CAF_CHECK_EQUAL(import("deploy").id, 2u);
}

CAF_TEST(every_server_and_vault_change_is_audited_without_secrets) {
  auto v = import("deploy");
  auto s = make_server("web");
  s.vault_key_id = v.id;
  s = add(s, std::string{password});
  CAF_REQUIRE(
      st->update_server(s, std::string{"rotated-pass"}, admin_origin()));
  CAF_REQUIRE(st->pin_host_key(s.id, std::string{fp1}, admin_origin()));
  CAF_REQUIRE(!st->remove_server(s.id, admin_origin()));
  CAF_REQUIRE(!st->remove_vault_entry(v.id, admin_origin()));
  auto records = audit();
  std::vector<std::string> actions;
  for (auto i = records.rbegin(); i != records.rend(); ++i)
    actions.push_back(i->action);
  CAF_CHECK_EQUAL(
      actions, (std::vector<std::string>{
                   "vault.import", "server.create", "server.update",
                   "server.host_key_pinned", "server.delete", "vault.delete"}));
  for (const auto& e : records) {
    CAF_CHECK(e.user_id == uint64_t{1});
    CAF_CHECK_EQUAL(e.username, "root");
  }
  check_store_free_of(password);
  check_store_free_of("rotated-pass");
  check_store_free_of(key_text);
  check_store_free_of(passphrase);
  auto verified = st->verify_audit();
  CAF_REQUIRE(verified);
  CAF_CHECK(!verified->first_bad_seq);
}

CAF_TEST(servers_and_vault_entries_survive_reopen) {
  auto v = import("deploy");
  auto s = make_server("web");
  s.vault_key_id = v.id;
  s.max_concurrent_tasks = 4;
  s = add(s, std::string{password});
  CAF_REQUIRE(st->pin_host_key(s.id, std::string{fp1}, admin_origin()));
  reopen();
  auto stored = st->find_server("web");
  CAF_REQUIRE(stored);
  CAF_CHECK_EQUAL(stored->id, s.id);
  CAF_CHECK_EQUAL(stored->host_key, fp1);
  CAF_CHECK(stored->vault_key_id == v.id);
  CAF_CHECK(stored->max_concurrent_tasks == 4u);
  auto pw = st->server_password(*stored);
  CAF_REQUIRE(pw);
  CAF_CHECK_EQUAL(*pw, password);
  auto entry = st->get_vault_entry(v.id);
  CAF_REQUIRE(entry);
  auto secret = st->open_vault_entry(*entry);
  CAF_REQUIRE(secret);
  CAF_CHECK_EQUAL(secret->key_text, key_text);
  CAF_CHECK_EQUAL(secret->passphrase, passphrase);
  CAF_CHECK_EQUAL(add(make_server("db")).id, 2u);
  CAF_CHECK_EQUAL(import("backup").id, 2u);
  auto counts = st->counts();
  CAF_REQUIRE(counts);
  CAF_CHECK_EQUAL(counts->servers, 2u);
  CAF_CHECK_EQUAL(counts->vault_entries, 2u);
}

CAF_TEST(a_wrong_master_key_opens_nothing) {
  import("deploy");
  st.reset();
  db.reset();
  auto opened = database::open(dir, open_mode::primary);
  CAF_REQUIRE(opened);
  auto other = store::open(**opened, secret_key::random());
  CAF_REQUIRE(!other);
  CAF_CHECK(other.error() == errc::crypto_failure);
  opened->reset();
  open();
  auto entry = st->get_vault_entry(1);
  CAF_REQUIRE(entry);
  CAF_CHECK(st->open_vault_entry(*entry));
}

CAF_TEST_FIXTURE_SCOPE_END()
