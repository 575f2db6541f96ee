#define CAF_SUITE storage.accounts
#include <caf/test/unit_test.hpp>

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

constexpr std::string_view password_hash
    = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHRzYWx0$"
      "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
constexpr std::string_view other_password_hash
    = "$argon2id$v=19$m=65536,t=3,p=1$bmV3c2FsdG5ld3NhbHQ$"
      "bmV3aGFzaG5ld2hhc2huZXdoYXNobmV3aGFzaG5ld2g";

audit_origin admin_origin() {
  audit_origin who;
  who.user_id = 1;
  who.username = "root";
  who.client_ip = "127.0.0.1";
  who.user_agent = "tasksctl";
  return who;
}

std::string hash_of(std::string_view token) {
  return sha256(token);
}

struct fixture : store_fixture {
  token_record make_token(uint64_t user_id, std::string_view token) {
    token_record t;
    t.hash = hash_of(token);
    t.user_id = user_id;
    t.created_at = now();
    t.expires_at = t.created_at + std::chrono::hours{12};
    t.origin = "login";
    return t;
  }

  user add(const std::string& name, role r = role::operator_) {
    auto u = st->add_user(name, r, std::string{password_hash}, admin_origin());
    CAF_REQUIRE(u);
    return *u;
  }

  /// Number of keys of the tokens family starting with `prefix`.
  size_t token_keys(const std::string& prefix) {
    auto c = db->scan(cf::tokens, prefix, keys::prefix_successor(prefix));
    size_t n = 0;
    for (c.seek_first(); c.valid(); c.next())
      ++n;
    CAF_CHECK(!c.status());
    return n;
  }

  /// Checks that neither the audit records nor their index entries contain
  /// `secret` anywhere.
  void check_audit_free_of(std::string_view secret) {
    for (const auto& e : audit()) {
      for (const auto* field : {&e.action, &e.username, &e.command_preview,
                                &e.client_ip, &e.user_agent, &e.metadata})
        CAF_CHECK_EQUAL(field->find(secret), std::string::npos);
    }
    for (auto family : {cf::audit, cf::audit_index}) {
      auto c = db->scan(family, "", "");
      for (c.seek_first(); c.valid(); c.next()) {
        CAF_CHECK_EQUAL(c.key().find(secret), std::string_view::npos);
        CAF_CHECK_EQUAL(c.value().find(secret), std::string_view::npos);
      }
      CAF_CHECK(!c.status());
    }
  }
};

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(accounts_tests, fixture)

CAF_TEST(add_user_assigns_ids_from_one_and_finds_them_by_id_and_name) {
  auto alice = add("alice", role::admin);
  auto bob = add("bob.builder-2_x");
  CAF_CHECK_EQUAL(alice.id, 1u);
  CAF_CHECK_EQUAL(bob.id, 2u);
  CAF_CHECK(alice.created_at != timestamp{});
  auto by_id = st->get_user(2);
  CAF_REQUIRE(by_id);
  CAF_CHECK_EQUAL(by_id->username, "bob.builder-2_x");
  CAF_CHECK(by_id->user_role == role::operator_);
  CAF_CHECK_EQUAL(by_id->password_hash, password_hash);
  CAF_CHECK(!by_id->disabled);
  auto by_name = st->find_user("alice");
  CAF_REQUIRE(by_name);
  CAF_CHECK_EQUAL(by_name->id, 1u);
  CAF_CHECK(by_name->user_role == role::admin);
}

CAF_TEST(add_user_rejects_invalid_usernames) {
  for (std::string name :
       {std::string{}, std::string(65, 'a'), std::string{"with space"},
        std::string{"a/b"}, std::string{"tab\t"}, std::string{"caf\xc3\xa9"},
        std::string{"nul\0x", 5}, std::string{"a:b"}}) {
    auto u = st->add_user(name, role::viewer, "", admin_origin());
    CAF_REQUIRE(!u);
    CAF_CHECK(u.error() == errc::invalid_argument);
    CAF_CHECK(message_of(u.error()).rfind("username: ", 0) == 0);
  }
  CAF_CHECK(
      st->add_user(std::string(64, 'a'), role::viewer, "", admin_origin()));
  auto lists = st->list_users();
  CAF_REQUIRE(lists);
  CAF_CHECK_EQUAL(lists->size(), 1u);
}

CAF_TEST(add_user_rejects_unknown_roles) {
  auto u = st->add_user("eve", static_cast<role>(7), "", admin_origin());
  CAF_REQUIRE(!u);
  CAF_CHECK(u.error() == errc::invalid_argument);
  CAF_CHECK(message_of(u.error()).rfind("role: ", 0) == 0);
}

CAF_TEST(add_user_refuses_a_taken_name) {
  add("alice");
  auto again = st->add_user("alice", role::viewer, "", admin_origin());
  CAF_REQUIRE(!again);
  CAF_CHECK(again.error() == errc::already_exists);
  CAF_CHECK_EQUAL(message_of(again.error()), "user 'alice' already exists");
  // The failed attempt took no id.
  CAF_CHECK_EQUAL(add("bob").id, 2u);
}

CAF_TEST(missing_users_are_not_found) {
  auto by_id = st->get_user(42);
  CAF_REQUIRE(!by_id);
  CAF_CHECK(by_id.error() == errc::not_found);
  CAF_CHECK_EQUAL(message_of(by_id.error()), "user 42 not found");
  auto by_name = st->find_user("ghost");
  CAF_REQUIRE(!by_name);
  CAF_CHECK(by_name.error() == errc::not_found);
  CAF_CHECK_EQUAL(message_of(by_name.error()), "user 'ghost' not found");
}

CAF_TEST(list_users_is_ordered_by_id) {
  std::vector<std::string> names;
  for (int i = 0; i < 300; ++i)
    names.push_back("user" + std::to_string(299 - i));
  for (const auto& name : names)
    add(name);
  auto all = st->list_users();
  CAF_REQUIRE(all);
  CAF_REQUIRE_EQUAL(all->size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    CAF_CHECK_EQUAL((*all)[i].id, i + 1);
    CAF_CHECK_EQUAL((*all)[i].username, names[i]);
  }
}

CAF_TEST(add_user_is_audited_without_the_password_hash) {
  auto alice = add("alice", role::admin);
  auto e = latest_audit();
  CAF_CHECK_EQUAL(e.action, "user.create");
  CAF_CHECK(e.user_id == uint64_t{1});
  CAF_CHECK_EQUAL(e.username, "root");
  CAF_CHECK_EQUAL(e.client_ip, "127.0.0.1");
  CAF_CHECK(contains(e.metadata, "\"role\":\"admin\""));
  CAF_CHECK(contains(e.metadata, "\"target_username\":\"alice\""));
  check_audit_free_of(password_hash);
  check_audit_free_of("$argon2id$");
}

CAF_TEST(update_user_writes_role_disabled_flag_and_password) {
  auto alice = add("alice");
  auto changed = alice;
  changed.user_role = role::viewer;
  changed.disabled = true;
  changed.password_hash = std::string{other_password_hash};
  changed.created_at = timestamp{}; // the store keeps its own
  auto updated = st->update_user(changed, "user.disable", admin_origin());
  CAF_REQUIRE(updated);
  CAF_CHECK(updated->user_role == role::viewer);
  CAF_CHECK(updated->disabled);
  CAF_CHECK(updated->created_at == alice.created_at);
  auto stored = st->get_user(alice.id);
  CAF_REQUIRE(stored);
  CAF_CHECK(stored->user_role == role::viewer);
  CAF_CHECK(stored->disabled);
  CAF_CHECK_EQUAL(stored->password_hash, other_password_hash);
  CAF_CHECK(stored->created_at == alice.created_at);
  auto e = latest_audit();
  CAF_CHECK_EQUAL(e.action, "user.disable");
  CAF_CHECK(contains(e.metadata, "\"role\":\"viewer\""));
  CAF_CHECK(contains(e.metadata, "\"disabled\":true"));
  check_audit_free_of(password_hash);
  check_audit_free_of(other_password_hash);
}

CAF_TEST(update_user_refuses_to_rename_and_unknown_users) {
  auto alice = add("alice");
  auto renamed = alice;
  renamed.username = "alicia";
  auto result = st->update_user(renamed, "user.set_role", admin_origin());
  CAF_REQUIRE(!result);
  CAF_CHECK(result.error() == errc::invalid_argument);
  CAF_CHECK(message_of(result.error()).rfind("username: ", 0) == 0);
  CAF_CHECK(st->find_user("alice"));
  CAF_CHECK(!st->find_user("alicia"));
  auto ghost = alice;
  ghost.id = 99;
  auto missing = st->update_user(ghost, "user.set_role", admin_origin());
  CAF_REQUIRE(!missing);
  CAF_CHECK(missing.error() == errc::not_found);
  auto bad_role = alice;
  bad_role.user_role = static_cast<role>(9);
  auto refused = st->update_user(bad_role, "user.set_role", admin_origin());
  CAF_REQUIRE(!refused);
  CAF_CHECK(refused.error() == errc::invalid_argument);
  // Nothing of it was audited.
  CAF_CHECK_EQUAL(latest_audit().action, "user.create");
}

CAF_TEST(tokens_are_added_found_and_listed) {
  auto alice = add("alice");
  auto bob = add("bob");
  auto t1 = make_token(alice.id, "token-one");
  auto t2 = make_token(bob.id, "token-two");
  CAF_REQUIRE(!st->add_token(t1, admin_origin()));
  CAF_REQUIRE(!st->add_token(t2, admin_origin()));
  auto found = st->find_token(t1.hash);
  CAF_REQUIRE(found);
  CAF_CHECK_EQUAL(found->user_id, alice.id);
  CAF_CHECK_EQUAL(found->hash, t1.hash);
  CAF_CHECK(found->created_at == t1.created_at);
  CAF_CHECK(found->expires_at == t1.expires_at);
  CAF_CHECK_EQUAL(found->origin, "login");
  auto all = st->list_tokens();
  CAF_REQUIRE(all);
  CAF_REQUIRE_EQUAL(all->size(), 2u);
  CAF_CHECK_EQUAL((*all)[0].user_id, alice.id);
  CAF_CHECK_EQUAL((*all)[1].user_id, bob.id);
  CAF_CHECK_EQUAL(token_keys(keys::tokens_of_user_prefix(alice.id)), 1u);
  auto e = latest_audit();
  CAF_CHECK_EQUAL(e.action, "token.create");
  CAF_CHECK(contains(e.metadata, "\"origin\":\"login\""));
  CAF_CHECK(contains(e.metadata, "\"expires_at\":\""
                                     + format_iso8601(t2.expires_at) + "\""));
  for (const auto& t : {t1, t2}) {
    check_audit_free_of(t.hash);
    check_audit_free_of(to_hex(t.hash));
    check_audit_free_of(to_hex(t.hash).substr(0, 16));
  }
  check_audit_free_of("token-one");
}

CAF_TEST(add_token_validates_hash_and_user) {
  auto alice = add("alice");
  auto short_hash = make_token(alice.id, "x");
  short_hash.hash.resize(31);
  auto err = st->add_token(short_hash, admin_origin());
  CAF_CHECK(err == errc::invalid_argument);
  CAF_CHECK(message_of(err).rfind("token: ", 0) == 0);
  auto orphan = make_token(77, "orphan");
  err = st->add_token(orphan, admin_origin());
  CAF_CHECK(err == errc::not_found);
  CAF_CHECK_EQUAL(message_of(err), "user 77 not found");
  CAF_CHECK(!st->find_token(orphan.hash));
  auto t = make_token(alice.id, "twice");
  CAF_REQUIRE(!st->add_token(t, admin_origin()));
  CAF_CHECK(st->add_token(t, admin_origin()) == errc::already_exists);
  auto disabled = alice;
  disabled.disabled = true;
  CAF_REQUIRE(st->update_user(disabled, "user.disable", admin_origin()));
  err = st->add_token(make_token(alice.id, "late"), admin_origin());
  CAF_CHECK(err == errc::conflict);
}

CAF_TEST(find_token_reports_missing_tokens) {
  auto missing = st->find_token(hash_of("nope"));
  CAF_REQUIRE(!missing);
  CAF_CHECK(missing.error() == errc::not_found);
  CAF_CHECK_EQUAL(message_of(missing.error()), "token not found");
}

CAF_TEST(revoke_token_deletes_record_and_index_entry) {
  auto alice = add("alice");
  auto t = make_token(alice.id, "secret-token");
  auto keep = make_token(alice.id, "kept-token");
  CAF_REQUIRE(!st->add_token(t, admin_origin()));
  CAF_REQUIRE(!st->add_token(keep, admin_origin()));
  CAF_REQUIRE(!st->revoke_token(t.hash, admin_origin()));
  auto gone = st->find_token(t.hash);
  CAF_REQUIRE(!gone);
  CAF_CHECK(gone.error() == errc::not_found);
  CAF_CHECK(st->find_token(keep.hash));
  CAF_CHECK_EQUAL(token_keys(keys::tokens_of_user_prefix(alice.id)), 1u);
  CAF_CHECK_EQUAL(token_keys(keys::token_of_user(alice.id, t.hash)), 0u);
  auto e = latest_audit();
  CAF_CHECK_EQUAL(e.action, "token.revoke");
  CAF_CHECK(contains(e.metadata,
                     "\"token_id\":\"" + to_hex(t.hash).substr(0, 8) + "\""));
  check_audit_free_of(t.hash);
  check_audit_free_of(to_hex(t.hash));
  check_audit_free_of("secret-token");
  auto again = st->revoke_token(t.hash, admin_origin());
  CAF_CHECK(again == errc::not_found);
  CAF_CHECK_EQUAL(latest_audit().seq, e.seq);
}

CAF_TEST(disabling_a_user_revokes_only_its_tokens) {
  auto alice = add("alice");
  auto bob = add("bob");
  auto a1 = make_token(alice.id, "a1");
  auto a2 = make_token(alice.id, "a2");
  auto b1 = make_token(bob.id, "b1");
  for (const auto& t : {a1, a2, b1})
    CAF_REQUIRE(!st->add_token(t, admin_origin()));
  auto changed = alice;
  changed.disabled = true;
  CAF_REQUIRE(st->update_user(changed, "user.disable", admin_origin()));
  CAF_CHECK(!st->find_token(a1.hash));
  CAF_CHECK(!st->find_token(a2.hash));
  CAF_CHECK(st->find_token(b1.hash));
  CAF_CHECK_EQUAL(token_keys(keys::tokens_of_user_prefix(alice.id)), 0u);
  CAF_CHECK_EQUAL(token_keys(keys::tokens_of_user_prefix(bob.id)), 1u);
  auto counts = st->counts();
  CAF_REQUIRE(counts);
  CAF_CHECK_EQUAL(counts->tokens, 1u);
  auto e = latest_audit();
  CAF_CHECK_EQUAL(e.action, "user.disable");
  CAF_CHECK(contains(e.metadata, "\"tokens_revoked\":2"));
}

CAF_TEST(a_new_password_revokes_tokens_and_a_new_role_does_not) {
  auto alice = add("alice");
  auto t1 = make_token(alice.id, "t1");
  CAF_REQUIRE(!st->add_token(t1, admin_origin()));
  auto promoted = alice;
  promoted.user_role = role::admin;
  CAF_REQUIRE(st->update_user(promoted, "user.set_role", admin_origin()));
  CAF_CHECK(st->find_token(t1.hash));
  CAF_CHECK_EQUAL(latest_audit().action, "user.set_role");
  auto new_password = promoted;
  new_password.password_hash = std::string{other_password_hash};
  CAF_REQUIRE(st->update_user(new_password, "user.passwd", admin_origin()));
  CAF_CHECK(!st->find_token(t1.hash));
  CAF_CHECK_EQUAL(token_keys(keys::tokens_of_user_prefix(alice.id)), 0u);
  auto e = latest_audit();
  CAF_CHECK_EQUAL(e.action, "user.passwd");
  CAF_CHECK(contains(e.metadata, "\"password_changed\":true"));
  check_audit_free_of(other_password_hash);
}

CAF_TEST(every_account_change_is_audited_in_order) {
  auto alice = add("alice");
  auto t = make_token(alice.id, "tok");
  CAF_REQUIRE(!st->add_token(t, admin_origin()));
  CAF_REQUIRE(!st->revoke_token(t.hash, admin_origin()));
  auto changed = alice;
  changed.user_role = role::viewer;
  CAF_REQUIRE(st->update_user(changed, "user.set_role", admin_origin()));
  auto records = audit();
  std::vector<std::string> actions;
  for (auto i = records.rbegin(); i != records.rend(); ++i)
    actions.push_back(i->action);
  CAF_CHECK_EQUAL(actions,
                  (std::vector<std::string>{"user.create", "token.create",
                                            "token.revoke", "user.set_role"}));
  auto verified = st->verify_audit();
  CAF_REQUIRE(verified);
  CAF_CHECK(!verified->first_bad_seq);
  CAF_CHECK_EQUAL(verified->records, 4u);
}

CAF_TEST(accounts_survive_reopen) {
  auto alice = add("alice", role::admin);
  add("bob");
  auto t = make_token(alice.id, "persistent");
  CAF_REQUIRE(!st->add_token(t, admin_origin()));
  reopen();
  auto found = st->find_user("alice");
  CAF_REQUIRE(found);
  CAF_CHECK_EQUAL(found->id, alice.id);
  CAF_CHECK(found->user_role == role::admin);
  CAF_CHECK_EQUAL(found->password_hash, password_hash);
  auto token = st->find_token(t.hash);
  CAF_REQUIRE(token);
  CAF_CHECK_EQUAL(token->user_id, alice.id);
  // Ids keep counting after a restart.
  CAF_CHECK_EQUAL(add("carol").id, 3u);
  auto all = st->list_users();
  CAF_REQUIRE(all);
  CAF_CHECK_EQUAL(all->size(), 3u);
}

CAF_TEST(a_wrong_master_key_is_refused) {
  add("alice");
  st.reset();
  db.reset();
  auto opened = database::open(dir, open_mode::primary);
  CAF_REQUIRE(opened);
  auto other = store::open(**opened, secret_key::random());
  CAF_REQUIRE(!other);
  CAF_CHECK(other.error() == errc::crypto_failure);
  opened->reset();
  // The right key still opens it.
  open();
  CAF_CHECK(st->find_user("alice"));
}

CAF_TEST_FIXTURE_SCOPE_END()
