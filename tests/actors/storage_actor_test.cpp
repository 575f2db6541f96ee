#define CAF_SUITE actors.storage
#define FAIL(msg) CAF_FAIL(msg) // dsl.hpp's request<T>() needs it
#include "storage_actor_fixture.hpp"

#include "core/error.hpp"
#include "storage/passwords.hpp"

using namespace tasks;

namespace {

struct fixture : storage_actor_fixture {
  fixture() { start(); }

  template <class T, class... Ts> caf::expected<T> ask(Ts&&... xs) {
    auto handle
        = self->request(storage, caf::infinite, std::forward<Ts>(xs)...);
    sched.run();
    caf::expected<T> result = caf::make_error(caf::sec::request_timeout);
    handle.receive([&](T& x) { result = std::move(x); },
                   [&](caf::error& err) { result = std::move(err); });
    return result;
  }

  void add_events(int n) {
    for (int i = 0; i < n; ++i) {
      audit_event e;
      e.action = "test.event";
      e.metadata = "{\"i\":" + std::to_string(i) + "}";
      CAF_REQUIRE(!st->append_audit(e));
    }
  }

  user add_user(const std::string& name) {
    auto phc
        = storage::hash_password("pw", storage::password_cost::for_tests());
    CAF_REQUIRE(phc);
    auto u = ask<user>(create_atom::value, user_atom::value, name, role::viewer,
                       *phc, admin);
    CAF_REQUIRE(u);
    return *u;
  }
};

server test_server(const std::string& name) {
  server s;
  s.name = name;
  s.host = "10.1.1.1";
  s.username = "root";
  s.key_file = "/nonexistent";
  return s;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(storage_actor_tests, fixture)

CAF_TEST(audit_queries_page_newest_first) {
  add_events(5); // seq 1..5
  audit_filter all;
  auto page = ask<std::vector<audit_event>>(query_atom::value, all, uint64_t{1},
                                            uint64_t{2});
  CAF_REQUIRE(page);
  CAF_REQUIRE_EQUAL(page->size(), 2u);
  CAF_CHECK_EQUAL((*page)[0].seq, 4u);
  CAF_CHECK_EQUAL((*page)[1].seq, 3u);
  page = ask<std::vector<audit_event>>(query_atom::value, all, uint64_t{4},
                                       uint64_t{10});
  CAF_REQUIRE(page);
  CAF_REQUIRE_EQUAL(page->size(), 1u);
  CAF_CHECK_EQUAL((*page)[0].seq, 1u);
  page = ask<std::vector<audit_event>>(query_atom::value, all, uint64_t{5},
                                       uint64_t{10});
  CAF_REQUIRE(page);
  CAF_CHECK(page->empty());
  audit_filter filtered;
  filtered.action_prefix = "nothing.";
  page = ask<std::vector<audit_event>>(query_atom::value, filtered, uint64_t{0},
                                       uint64_t{10});
  CAF_REQUIRE(page);
  CAF_CHECK(page->empty());
}

CAF_TEST(audit_pages_are_capped_at_1000) {
  options.sync_writes = false; // 1002 records: no fsync each
  self->send_exit(storage, caf::exit_reason::user_shutdown);
  sched.run();
  reopen();
  start();
  add_events(1002);
  auto page = ask<std::vector<audit_event>>(query_atom::value, audit_filter{},
                                            uint64_t{0}, uint64_t{5000});
  CAF_REQUIRE(page);
  CAF_CHECK_EQUAL(page->size(), 1000u);
  CAF_CHECK_EQUAL(page->front().seq, 1002u);
}

CAF_TEST(servers_are_created_changed_listed_and_removed) {
  server_change change{test_server("web"), std::string{"s3cret"}};
  auto created = ask<server>(create_atom::value, change, admin);
  CAF_REQUIRE(created);
  CAF_CHECK_EQUAL(created->name, "web");
  CAF_CHECK(!created->sealed_password.empty());
  change.record = *created;
  change.record.port = 2222;
  change.password = std::nullopt; // keeps the stored one
  auto updated = ask<server>(update_atom::value, change, admin);
  CAF_REQUIRE(updated);
  CAF_CHECK_EQUAL(updated->port, 2222u);
  CAF_CHECK(!updated->sealed_password.empty());
  auto all = ask<std::vector<server>>(list_atom::value, server_atom::value);
  CAF_REQUIRE(all);
  CAF_CHECK_EQUAL(all->size(), 1u);
  auto removed = ask<uint64_t>(delete_atom::value, server_atom::value,
                               created->id, admin);
  CAF_REQUIRE(removed);
  CAF_CHECK_EQUAL(*removed, created->id);
  auto gone = ask<server>(get_atom::value, server_atom::value, created->id);
  CAF_REQUIRE(!gone);
  CAF_CHECK(gone.error() == errc::not_found);
  CAF_CHECK_EQUAL(latest_audit().action, "server.delete");
}

CAF_TEST(login_tokens_are_stored_audited_and_revoked) {
  auto alice = add_user("alice");
  auto token = storage::new_token();
  token_record record{storage::token_hash(token), alice.id, now(),
                      now() + std::chrono::hours{1}, "login"};
  audit_origin who{alice.id, "alice", "192.0.2.7", "curl/8.0"};
  auto stored = ask<token_record>(create_atom::value, record, who);
  CAF_REQUIRE(stored);
  auto records = audit();
  CAF_REQUIRE_GREATER_OR_EQUAL(records.size(), 2u);
  CAF_CHECK_EQUAL(records[0].action, "auth.login");
  CAF_CHECK_EQUAL(records[0].username, "alice");
  CAF_CHECK_EQUAL(records[0].client_ip, "192.0.2.7");
  CAF_CHECK_EQUAL(records[0].user_agent, "curl/8.0");
  CAF_CHECK_EQUAL(records[1].action, "token.create");
  CAF_CHECK(records[0].metadata.find(token) == std::string::npos);
  auto found
      = ask<token_record>(find_atom::value, token_atom::value, record.hash);
  CAF_REQUIRE(found);
  CAF_CHECK_EQUAL(found->user_id, alice.id);
  auto revoked = ask<bool>(revoke_atom::value, record.hash, who);
  CAF_REQUIRE(revoked);
  CAF_CHECK(*revoked);
  revoked = ask<bool>(revoke_atom::value, record.hash, who);
  CAF_REQUIRE(revoked);
  CAF_CHECK(!*revoked);
  auto missing
      = ask<token_record>(find_atom::value, token_atom::value, record.hash);
  CAF_REQUIRE(!missing);
  CAF_CHECK(missing.error() == errc::not_found);
}

CAF_TEST(users_are_created_found_listed_and_updated) {
  auto alice = add_user("alice");
  auto again
      = ask<user>(create_atom::value, user_atom::value, std::string{"alice"},
                  role::viewer, std::string{"x"}, admin);
  CAF_REQUIRE(!again);
  CAF_CHECK(again.error() == errc::already_exists);
  auto found
      = ask<user>(find_atom::value, user_atom::value, std::string{"alice"});
  CAF_REQUIRE(found);
  CAF_CHECK_EQUAL(found->id, alice.id);
  auto by_id = ask<user>(get_atom::value, user_atom::value, alice.id);
  CAF_REQUIRE(by_id);
  CAF_CHECK_EQUAL(by_id->username, "alice");
  add_user("bob");
  auto all = ask<std::vector<user>>(list_atom::value, user_atom::value);
  CAF_REQUIRE(all);
  CAF_CHECK_EQUAL(all->size(), 2u);
  alice.user_role = role::admin;
  auto updated = ask<user>(update_atom::value, alice,
                           std::string{"user.set_role"}, admin);
  CAF_REQUIRE(updated);
  CAF_CHECK(updated->user_role == role::admin);
  CAF_CHECK_EQUAL(latest_audit().action, "user.set_role");
}

CAF_TEST_FIXTURE_SCOPE_END()
