#define CAF_SUITE actors.rbac
#include <caf/test/unit_test.hpp>

#include "../storage/store_fixture.hpp"
#include <atomic>
#include <memory>

#include <caf/all.hpp>

#include "actors/rbac.hpp"
#include "actors/shared_token_cache.hpp"
#include "actors/storage_actor.hpp"
#include "core/error.hpp"

using namespace tasks;
using namespace std::chrono_literals;

namespace {

constexpr const char* bad_credentials = "invalid username or password";

/// A clock the test moves by hand.
struct manual_clock {
  std::shared_ptr<std::atomic<int64_t>> micros
      = std::make_shared<std::atomic<int64_t>>(to_micros(tasks::now()));

  timestamp now() const { return from_micros(micros->load()); }

  void advance(std::chrono::microseconds d) { *micros += d.count(); }

  std::function<timestamp()> fn() const {
    return [m = micros] { return from_micros(m->load()); };
  }
};

/// A real store, the real storage actor, the rbac actor with two hashers
/// at the test cost; requests from a scoped actor.
struct fixture : store_fixture {
  manual_clock clock;
  rbac_config cfg;
  caf::actor_system_config sys_cfg;
  std::unique_ptr<caf::actor_system> sys;
  std::unique_ptr<caf::scoped_actor> self;
  storage_actor storage;
  rbac_actor rbac;
  audit_origin admin{1, "root", "10.0.0.1", "admin-ui"};

  fixture() {
    cfg.token_ttl = 3600s;
    cfg.per_user.max_failures = 3;
    cfg.per_address.max_failures = 6;
    cfg.cost = storage::password_cost::for_tests();
    cfg.clock = clock.fn();
    cfg.tokens = std::make_shared<shared_token_cache>(cfg.max_cached_tokens,
                                                      cfg.cache_lifetime);
    sys_cfg.set("scheduler.max-threads", 2);
    sys = std::make_unique<caf::actor_system>(sys_cfg);
    self = std::make_unique<caf::scoped_actor>(*sys);
    storage = sys->spawn<caf::detached>(
        [store = st.get()](storage_actor::stateful_pointer<storage_state> s) {
          return storage_service(s, store, execution_config{});
        });
  }

  ~fixture() {
    if (rbac)
      (*self)->send_exit(rbac, caf::exit_reason::user_shutdown);
    (*self)->send_exit(storage, caf::exit_reason::user_shutdown);
    // A detached actor's thread ends only once no handle refers to it.
    rbac = nullptr;
    storage = nullptr;
    self.reset();
    sys.reset(); // waits for the actors, before the store closes
  }

  void start() {
    auto spawned = spawn_rbac(*sys, storage, cfg);
    CAF_REQUIRE(spawned);
    rbac = *spawned;
  }

  template <class T, class Handle, class... Ts>
  caf::expected<T> ask(const Handle& h, Ts&&... xs) {
    caf::expected<T> result = caf::make_error(caf::sec::request_timeout);
    (*self)
        ->request(h, std::chrono::seconds{30}, std::forward<Ts>(xs)...)
        .receive([&](T& x) { result = std::move(x); },
                 [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  user add_user(const std::string& name, const std::string& password,
                role r = role::operator_) {
    auto phc = storage::hash_password(password, cfg.cost);
    CAF_REQUIRE(phc);
    auto u = st->add_user(name, r, *phc, admin);
    CAF_REQUIRE(u);
    return *u;
  }

  caf::expected<login_grant> login(const std::string& name,
                                   const std::string& password,
                                   const std::string& ip = "192.0.2.7") {
    login_request req{name, password, audit_origin{}};
    req.origin.client_ip = ip;
    req.origin.user_agent = "curl/8.0";
    return ask<login_grant>(rbac, login_atom::value, std::move(req));
  }

  caf::expected<principal> auth(const std::string& token) {
    return ask<principal>(rbac, auth_atom::value, token);
  }

  /// What an HTTP thread reads from the shared cache, without the actor.
  std::optional<principal> cached(const std::string& token) {
    return cached_principal(*cfg.tokens, token, clock.now());
  }

  caf::expected<user> update(uint64_t id, user_change change) {
    return ask<user>(rbac, update_atom::value, user_atom::value, id,
                     std::move(change), admin);
  }

  caf::expected<user> create(user_change change) {
    return ask<user>(rbac, create_atom::value, user_atom::value,
                     std::move(change), admin);
  }

  std::vector<audit_event> audit_with(const std::string& action) {
    audit_filter filter;
    filter.action_prefix = action;
    auto records = st->query_audit(filter, 100);
    CAF_REQUIRE(records);
    return *records;
  }

  /// True when `text` occurs in any field of any audit record.
  bool audit_mentions(const std::string& text) {
    for (const auto& e : audit())
      for (const auto* field : {&e.action, &e.username, &e.command_preview,
                                &e.client_ip, &e.user_agent, &e.metadata})
        if (field->find(text) != std::string::npos)
          return true;
    return false;
  }
};

bool is(const caf::error& err, errc code, const std::string& message) {
  return err == code && message_of(err) == message;
}

template <class T>
bool fails_with(const caf::expected<T>& x, errc code,
                const std::string& message) {
  if (x)
    return false;
  if (!is(x.error(), code, message)) {
    CAF_MESSAGE("got: " << message_of(x.error()));
    return false;
  }
  return true;
}

user_change new_user(std::string name, role r, std::string password) {
  user_change change;
  change.username = std::move(name);
  change.user_role = r;
  change.password = std::move(password);
  return change;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(rbac_tests, fixture)

CAF_TEST(a_login_returns_a_token_that_auth_accepts) {
  start();
  auto alice = add_user("alice", "correct horse");
  auto grant = login("alice", "correct horse");
  CAF_REQUIRE(grant);
  CAF_CHECK_EQUAL(grant->token.size(), 47u);
  CAF_CHECK_EQUAL(grant->token.substr(0, 4), "tsk_");
  CAF_CHECK_EQUAL(grant->who.user_id, alice.id);
  CAF_CHECK_EQUAL(grant->who.username, "alice");
  CAF_CHECK(grant->who.user_role == role::operator_);
  CAF_CHECK(grant->expires_at == clock.now() + 3600s);
  auto who = auth(grant->token);
  CAF_REQUIRE(who);
  CAF_CHECK_EQUAL(who->user_id, alice.id);
  CAF_CHECK(who->user_role == role::operator_);
  // The store keeps the hash only; the login is audited with its origin.
  auto stored = st->find_token(storage::token_hash(grant->token));
  CAF_REQUIRE(stored);
  CAF_CHECK_EQUAL(stored->origin, "login");
  auto logins = audit_with("auth.login");
  CAF_REQUIRE_EQUAL(logins.size(), 1u);
  CAF_CHECK_EQUAL(logins[0].username, "alice");
  CAF_CHECK(logins[0].user_id == std::optional<uint64_t>{alice.id});
  CAF_CHECK_EQUAL(logins[0].client_ip, "192.0.2.7");
  CAF_CHECK_EQUAL(logins[0].user_agent, "curl/8.0");
  CAF_CHECK(!audit_mentions(grant->token));
  CAF_CHECK(!audit_mentions("correct horse"));
}

CAF_TEST(failed_logins_answer_alike_and_are_audited_with_their_reason) {
  start();
  add_user("alice", "correct horse");
  auto bob = add_user("bob", "bobs secret");
  bob.disabled = true;
  CAF_REQUIRE(st->update_user(bob, "user.disable", admin));
  CAF_CHECK(fails_with(login("alice", "wrong horse"), errc::unauthenticated,
                       bad_credentials));
  CAF_CHECK(fails_with(login("mallory", "guess one"), errc::unauthenticated,
                       bad_credentials));
  CAF_CHECK(fails_with(login("bob", "bobs secret"), errc::unauthenticated,
                       bad_credentials));
  auto failed = audit_with("auth.login_failed");
  CAF_REQUIRE_EQUAL(failed.size(), 3u); // newest first
  CAF_CHECK_EQUAL(failed[0].username, "bob");
  CAF_CHECK_EQUAL(failed[0].metadata, R"({"reason":"disabled"})");
  CAF_CHECK_EQUAL(failed[1].username, "mallory");
  CAF_CHECK_EQUAL(failed[1].metadata, R"({"reason":"unknown user"})");
  CAF_CHECK(!failed[1].user_id);
  CAF_CHECK_EQUAL(failed[2].username, "alice");
  CAF_CHECK_EQUAL(failed[2].metadata, R"({"reason":"bad password"})");
  for (const auto& e : failed) {
    CAF_CHECK_EQUAL(e.client_ip, "192.0.2.7");
    CAF_CHECK_EQUAL(e.user_agent, "curl/8.0");
  }
  for (const auto* secret :
       {"wrong horse", "guess one", "bobs secret", "correct horse"})
    CAF_CHECK(!audit_mentions(secret));
}

CAF_TEST(malformed_login_input_is_refused_alike) {
  start();
  add_user("alice", "correct horse");
  CAF_CHECK(fails_with(login("", "x"), errc::unauthenticated, bad_credentials));
  CAF_CHECK(
      fails_with(login("alice", ""), errc::unauthenticated, bad_credentials));
  CAF_CHECK(fails_with(login(std::string(65, 'a'), "x"), errc::unauthenticated,
                       bad_credentials));
  CAF_CHECK(fails_with(login("alice", std::string(1025, 'x')),
                       errc::unauthenticated, bad_credentials));
}

CAF_TEST(an_invalid_utf8_username_is_audited_sanitized) {
  start();
  auto typed = std::string(62, 'm') + "\xff\xfe";
  CAF_CHECK(
      fails_with(login(typed, "pw"), errc::unauthenticated, bad_credentials));
  auto failed = audit_with("auth.login_failed");
  CAF_REQUIRE_EQUAL(failed.size(), 1u);
  CAF_CHECK_EQUAL(failed[0].username,
                  std::string(62, 'm') + "\xEF\xBF\xBD\xEF\xBF\xBD");
  CAF_CHECK(fails_with(login(typed + "m", "pw"), errc::unauthenticated,
                       bad_credentials)); // 65 characters: not audited
  CAF_CHECK_EQUAL(audit_with("auth.login_failed").size(), 1u);
}

CAF_TEST(repeated_failures_throttle_the_username) {
  start();
  add_user("alice", "correct horse");
  for (int i = 0; i < 3; ++i)
    CAF_CHECK(fails_with(login("alice", "wrong", "192.0.2.1"),
                         errc::unauthenticated, bad_credentials));
  // The right password does not help while locked, from any address, and
  // the case of the name does not matter.
  auto locked = "too many failed logins for this user; retry in 1 s";
  CAF_CHECK(fails_with(login("alice", "correct horse", "192.0.2.2"),
                       errc::throttled, locked));
  CAF_CHECK(fails_with(login("ALICE", "correct horse", "192.0.2.3"),
                       errc::throttled, locked));
  // Throttled attempts are not checked, so not audited.
  CAF_CHECK_EQUAL(audit_with("auth.login_failed").size(), 3u);
  clock.advance(1s);
  // One more failure doubles the lockout.
  CAF_CHECK(fails_with(login("alice", "wrong"), errc::unauthenticated,
                       bad_credentials));
  CAF_CHECK(fails_with(login("alice", "correct horse"), errc::throttled,
                       "too many failed logins for this user; retry in 2 s"));
  clock.advance(2s);
  CAF_CHECK(login("alice", "correct horse"));
  // The success reset the counter: two failures are allowed again.
  for (int i = 0; i < 2; ++i)
    CAF_CHECK(fails_with(login("alice", "wrong"), errc::unauthenticated,
                         bad_credentials));
  CAF_CHECK(login("alice", "correct horse"));
}

CAF_TEST(old_failures_are_forgotten) {
  start();
  add_user("alice", "correct horse");
  for (int i = 0; i < 2; ++i)
    CAF_CHECK(fails_with(login("alice", "wrong", "192.0.2.1"),
                         errc::unauthenticated, bad_credentials));
  clock.advance(15min);
  CAF_CHECK(fails_with(login("alice", "wrong", "192.0.2.2"),
                       errc::unauthenticated, bad_credentials));
  // Only one recent failure: not locked.
  CAF_CHECK(login("alice", "correct horse", "192.0.2.3"));
}

CAF_TEST(repeated_failures_throttle_the_client_address) {
  start();
  add_user("alice", "correct horse");
  for (int i = 0; i < 6; ++i)
    CAF_CHECK(fails_with(login("user" + std::to_string(i), "pw", "192.0.2.9"),
                         errc::unauthenticated, bad_credentials));
  CAF_CHECK(fails_with(login("alice", "correct horse", "192.0.2.9"),
                       errc::throttled,
                       "too many failed logins from this address; retry in "
                       "1 s"));
  // Another address is not affected; a success does not unlock the
  // address.
  CAF_CHECK(login("alice", "correct horse", "192.0.2.10"));
  CAF_CHECK(fails_with(login("alice", "correct horse", "192.0.2.9"),
                       errc::throttled,
                       "too many failed logins from this address; retry in "
                       "1 s"));
  clock.advance(1s);
  CAF_CHECK(login("alice", "correct horse", "192.0.2.9"));
}

CAF_TEST(expired_tokens_are_rejected) {
  start();
  auto alice = add_user("alice", "correct horse");
  // Stored directly, already expired.
  auto token = storage::new_token();
  token_record record{storage::token_hash(token), alice.id, clock.now() - 2h,
                      clock.now() - 1s, "tasksctl"};
  CAF_REQUIRE(!st->add_token(record, admin));
  CAF_CHECK(fails_with(auth(token), errc::unauthenticated,
                       "invalid or expired token"));
  // A login token expires after the ttl, cached or not.
  auto grant = login("alice", "correct horse");
  CAF_REQUIRE(grant);
  CAF_CHECK(auth(grant->token));
  clock.advance(3600s);
  CAF_CHECK(fails_with(auth(grant->token), errc::unauthenticated,
                       "invalid or expired token"));
}

CAF_TEST(logout_revokes_the_token) {
  start();
  add_user("alice", "correct horse");
  auto grant = login("alice", "correct horse");
  CAF_REQUIRE(grant);
  CAF_REQUIRE(auth(grant->token)); // now cached
  audit_origin who{grant->who.user_id, "alice", "192.0.2.7", "curl/8.0"};
  auto revoked = ask<bool>(rbac, logout_atom::value, grant->token, who);
  CAF_REQUIRE(revoked);
  CAF_CHECK(*revoked);
  CAF_CHECK(fails_with(auth(grant->token), errc::unauthenticated,
                       "invalid or expired token"));
  CAF_CHECK(!st->find_token(storage::token_hash(grant->token)));
  revoked = ask<bool>(rbac, logout_atom::value, grant->token, who);
  CAF_REQUIRE(revoked);
  CAF_CHECK(!*revoked);
}

CAF_TEST(a_token_revoked_outside_tasksd_stops_working_within_a_minute) {
  start();
  add_user("alice", "correct horse");
  auto grant = login("alice", "correct horse");
  CAF_REQUIRE(grant);
  CAF_REQUIRE(auth(grant->token));
  CAF_REQUIRE(!st->revoke_token(storage::token_hash(grant->token), admin));
  CAF_CHECK(auth(grant->token)); // still cached
  clock.advance(60s);
  CAF_CHECK(fails_with(auth(grant->token), errc::unauthenticated,
                       "invalid or expired token"));
}

CAF_TEST(disabling_a_user_invalidates_its_cached_token_at_once) {
  start();
  auto alice = add_user("alice", "correct horse");
  auto grant = login("alice", "correct horse");
  CAF_REQUIRE(grant);
  CAF_REQUIRE(auth(grant->token));
  user_change change;
  change.disabled = true;
  auto updated = update(alice.id, change);
  CAF_REQUIRE(updated);
  CAF_CHECK(updated->disabled);
  CAF_CHECK(fails_with(auth(grant->token), errc::unauthenticated,
                       "invalid or expired token"));
  CAF_CHECK(fails_with(login("alice", "correct horse"), errc::unauthenticated,
                       bad_credentials));
  CAF_CHECK_EQUAL(audit_with("user.disable").size(), 1u);
  change.disabled = false;
  CAF_REQUIRE(update(alice.id, change));
  CAF_CHECK_EQUAL(audit_with("user.enable").size(), 1u);
  CAF_CHECK(login("alice", "correct horse"));
}

CAF_TEST(a_role_change_applies_to_cached_tokens_at_once) {
  start();
  auto alice = add_user("alice", "correct horse");
  auto grant = login("alice", "correct horse");
  CAF_REQUIRE(grant);
  CAF_REQUIRE(auth(grant->token));
  user_change change;
  change.user_role = role::viewer;
  CAF_REQUIRE(update(alice.id, change));
  auto who = auth(grant->token);
  CAF_REQUIRE(who);
  CAF_CHECK(who->user_role == role::viewer);
  auto changes = audit_with("user.set_role");
  CAF_REQUIRE_EQUAL(changes.size(), 1u);
  CAF_CHECK_EQUAL(changes[0].username, "root");
}

CAF_TEST(a_new_password_ends_old_sessions) {
  start();
  auto alice = add_user("alice", "correct horse");
  auto grant = login("alice", "correct horse");
  CAF_REQUIRE(grant);
  CAF_REQUIRE(auth(grant->token));
  user_change change;
  change.password = "battery staple";
  change.username = "alice"; // unchanged: allowed
  auto updated = update(alice.id, change);
  CAF_REQUIRE(updated);
  CAF_CHECK(updated->password_hash.empty());
  CAF_CHECK(fails_with(auth(grant->token), errc::unauthenticated,
                       "invalid or expired token"));
  CAF_CHECK(fails_with(login("alice", "correct horse"), errc::unauthenticated,
                       bad_credentials));
  CAF_CHECK(login("alice", "battery staple"));
  CAF_CHECK_EQUAL(audit_with("user.passwd").size(), 1u);
  CAF_CHECK(!audit_mentions("battery staple"));
}

CAF_TEST(cache_readers_lose_a_token_once_its_revocation_is_acknowledged) {
  start();
  auto alice = add_user("alice", "correct horse");
  auto bob = add_user("bob", "battery staple");
  auto carol = add_user("carol", "tr0ub4dor");
  auto dave = add_user("dave", "hunter2");
  std::vector<login_grant> grants;
  for (auto [name, password] :
       {std::pair{"alice", "correct horse"}, std::pair{"bob", "battery staple"},
        std::pair{"carol", "tr0ub4dor"}, std::pair{"dave", "hunter2"}}) {
    auto grant = login(name, password);
    CAF_REQUIRE(grant);
    CAF_REQUIRE(cached(grant->token)); // a login caches its token
    grants.push_back(*grant);
  }
  // Logout.
  audit_origin who{alice.id, "alice", "192.0.2.7", "curl/8.0"};
  CAF_REQUIRE(ask<bool>(rbac, logout_atom::value, grants[0].token, who));
  CAF_CHECK(!cached(grants[0].token));
  // Disable.
  user_change disable;
  disable.disabled = true;
  CAF_REQUIRE(update(bob.id, disable));
  CAF_CHECK(!cached(grants[1].token));
  // Role change: dropped, and cached again with the new role by the actor.
  user_change demote;
  demote.user_role = role::viewer;
  CAF_REQUIRE(update(carol.id, demote));
  CAF_CHECK(!cached(grants[2].token));
  CAF_REQUIRE(auth(grants[2].token));
  auto again = cached(grants[2].token);
  CAF_REQUIRE(again);
  CAF_CHECK(again->user_role == role::viewer);
  // Password change.
  user_change passwd;
  passwd.password = "new secret";
  CAF_REQUIRE(update(dave.id, passwd));
  CAF_CHECK(!cached(grants[3].token));
  // Nothing else was touched; and expiry applies to readers too.
  CAF_CHECK(cached(grants[2].token));
  clock.advance(60s);
  CAF_CHECK(!cached(grants[2].token));
  // Malformed tokens are never looked up.
  CAF_CHECK(!cached("Bearer"));
}

CAF_TEST(malformed_tokens_are_rejected_without_store_access) {
  // A storage handle that is gone: any store access would fail with
  // request_receiver_down rather than unauthenticated.
  (*self)->send_exit(storage, caf::exit_reason::user_shutdown);
  storage = caf::actor_cast<storage_actor>(sys->spawn([] {}));
  start();
  auto good = storage::new_token();
  for (const auto& token :
       {std::string{}, std::string{"Bearer"}, good.substr(0, 46), good + "A",
        "tsk-" + good.substr(4), "tsk_" + std::string(42, 'a') + "=",
        "tsk_" + std::string(42, 'a') + "\xff", std::string(47, 'a')})
    CAF_CHECK(fails_with(auth(token), errc::unauthenticated,
                         "invalid or expired token"));
  auto reached = auth(good);
  CAF_REQUIRE(!reached);
  CAF_CHECK(reached.error() != errc::unauthenticated);
}

CAF_TEST(new_users_need_a_valid_name_role_and_password) {
  start();
  auto invalid = [&](user_change change, const std::string& message) {
    return fails_with(create(std::move(change)), errc::invalid_argument,
                      message);
  };
  auto name_rule = "username: must be 1 to 64 characters of A-Z, a-z, 0-9, "
                   "'.', '_' and '-'";
  auto change = new_user("carol", role::viewer, "pw");
  change.username.reset();
  CAF_CHECK(invalid(change, "username: required"));
  CAF_CHECK(invalid(new_user("", role::viewer, "pw"), name_rule));
  CAF_CHECK(invalid(new_user("car ol", role::viewer, "pw"), name_rule));
  CAF_CHECK(
      invalid(new_user(std::string(65, 'c'), role::viewer, "pw"), name_rule));
  change = new_user("carol", role::viewer, "pw");
  change.user_role.reset();
  CAF_CHECK(invalid(change, "role: required (admin, operator or viewer)"));
  CAF_CHECK(invalid(new_user("carol", static_cast<role>(7), "pw"),
                    "role: must be admin, operator or viewer"));
  change = new_user("carol", role::viewer, "pw");
  change.password.reset();
  CAF_CHECK(invalid(change, "password: required"));
  CAF_CHECK(invalid(new_user("carol", role::viewer, ""),
                    "password: must be 1 to 1024 bytes"));
  CAF_CHECK(invalid(new_user("carol", role::viewer, std::string(1025, 'p')),
                    "password: must be 1 to 1024 bytes"));
  auto users = st->list_users();
  CAF_REQUIRE(users);
  CAF_CHECK(users->empty());
}

CAF_TEST(a_created_user_can_log_in_and_names_are_unique) {
  start();
  auto carol = create(new_user("carol", role::admin, "carols pw"));
  CAF_REQUIRE(carol);
  CAF_CHECK_EQUAL(carol->username, "carol");
  CAF_CHECK(carol->user_role == role::admin);
  CAF_CHECK(carol->password_hash.empty()); // never leaves the rbac actor
  auto grant = login("carol", "carols pw");
  CAF_REQUIRE(grant);
  CAF_CHECK(grant->who.user_role == role::admin);
  auto again = create(new_user("carol", role::viewer, "other"));
  CAF_REQUIRE(!again);
  CAF_CHECK(again.error() == errc::already_exists);
  auto created = audit_with("user.create");
  CAF_REQUIRE_EQUAL(created.size(), 1u);
  CAF_CHECK_EQUAL(created[0].username, "root");
  CAF_CHECK(!audit_mentions("carols pw"));
  // Created disabled: a second write, audited user.disable.
  auto change = new_user("dave", role::viewer, "daves pw");
  change.disabled = true;
  auto dave = create(change);
  CAF_REQUIRE(dave);
  CAF_CHECK(dave->disabled);
  CAF_CHECK_EQUAL(audit_with("user.disable").size(), 1u);
  CAF_CHECK(fails_with(login("dave", "daves pw"), errc::unauthenticated,
                       bad_credentials));
}

CAF_TEST(user_updates_are_validated_field_by_field) {
  start();
  auto alice = add_user("alice", "correct horse");
  user_change change;
  change.username = "alicia";
  CAF_CHECK(fails_with(update(alice.id, change), errc::invalid_argument,
                       "username: cannot be changed"));
  change = {};
  change.user_role = static_cast<role>(9);
  CAF_CHECK(fails_with(update(alice.id, change), errc::invalid_argument,
                       "role: must be admin, operator or viewer"));
  change = {};
  change.password = "";
  CAF_CHECK(fails_with(update(alice.id, change), errc::invalid_argument,
                       "password: must be 1 to 1024 bytes"));
  change = {};
  change.user_role = role::admin;
  auto missing = update(alice.id + 100, change);
  CAF_REQUIRE(!missing);
  CAF_CHECK(missing.error() == errc::not_found);
  // Nothing to change: the user as it is, nothing audited.
  auto same = update(alice.id, user_change{});
  CAF_REQUIRE(same);
  CAF_CHECK_EQUAL(same->username, "alice");
  CAF_CHECK(audit_with("user.").size() == 1u); // user.create only
}

CAF_TEST(listed_users_carry_no_password_hash) {
  start();
  auto alice = add_user("alice", "correct horse");
  add_user("bob", "bobs secret");
  auto users = ask<std::vector<user>>(rbac, list_atom::value, user_atom::value);
  CAF_REQUIRE(users);
  CAF_REQUIRE_EQUAL(users->size(), 2u);
  for (const auto& u : *users)
    CAF_CHECK(u.password_hash.empty());
  auto one = ask<user>(rbac, get_atom::value, user_atom::value, alice.id);
  CAF_REQUIRE(one);
  CAF_CHECK_EQUAL(one->username, "alice");
  CAF_CHECK(one->password_hash.empty());
}

CAF_TEST_FIXTURE_SCOPE_END()
