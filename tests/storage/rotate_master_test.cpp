#define CAF_SUITE storage.rotate_master
#include <caf/test/unit_test.hpp>

#include "store_fixture.hpp"

#include "core/error.hpp"
#include "storage/codec.hpp"
#include "storage/rotate_master.hpp"

using namespace tasks;
using namespace tasks::storage;

CAF_TEST_FIXTURE_SCOPE(rotate_master_tests, store_fixture)

CAF_TEST(reseal_all_moves_every_sealed_value_to_the_new_key) {
  auto entry = st->add_vault_entry("k", "-----BEGIN key", "pp", {});
  CAF_REQUIRE(entry);
  server s;
  s.name = "web";
  s.host = "h";
  s.username = "u";
  auto srv = st->add_server(s, std::string{"pw"}, {});
  CAF_REQUIRE(srv);
  auto fresh = secret_key::random();
  CAF_CHECK(*store_sealed_with(*db, master));
  auto report = st->reseal_all(fresh, {});
  CAF_REQUIRE(report);
  CAF_CHECK_EQUAL(report->vault_entries, 1u);
  CAF_CHECK_EQUAL(report->server_passwords, 1u);
  CAF_CHECK(*store_sealed_with(*db, fresh));
  CAF_CHECK(!*store_sealed_with(*db, master));
  // The open store uses the new key at once.
  CAF_CHECK(st->open_vault_entry(*st->get_vault_entry(entry->id)));
  master = fresh;
  reopen();
  auto secret = st->open_vault_entry(*st->get_vault_entry(entry->id));
  CAF_REQUIRE(secret);
  CAF_CHECK_EQUAL(secret->passphrase, "pp");
  CAF_CHECK_EQUAL(*st->server_password(*st->get_server(srv->id)), "pw");
  auto verified = st->verify_audit();
  CAF_REQUIRE(verified);
  CAF_CHECK(!verified->first_bad_seq);
  CAF_CHECK_EQUAL(latest_audit().action, "vault.rotate_master");
}

CAF_TEST(a_value_that_does_not_open_aborts_the_rotation_unchanged) {
  auto a = st->add_vault_entry("a", "-----BEGIN a", "", {});
  auto b = st->add_vault_entry("b", "-----BEGIN b", "", {});
  CAF_REQUIRE(a && b);
  // b now holds a's sealed key: its additional data names another entry.
  auto moved = *b;
  moved.sealed_key = a->sealed_key;
  write_batch batch{*db};
  batch.put(cf::vault, keys::record_by_id(moved.id), encode(moved));
  CAF_REQUIRE(!db->write(batch));
  auto head = st->head();
  auto fresh = secret_key::random();
  auto report = st->reseal_all(fresh, {});
  CAF_REQUIRE(!report);
  CAF_CHECK(report.error() == errc::crypto_failure);
  CAF_CHECK(*store_sealed_with(*db, master));
  auto head_after = st->head();
  CAF_REQUIRE(head_after);
  CAF_CHECK_EQUAL(head_after->seq, head->seq);
  CAF_CHECK(st->open_vault_entry(*st->get_vault_entry(a->id)));
  reopen(); // still the old key
}

CAF_TEST_FIXTURE_SCOPE_END()
