#define CAF_SUITE storage.keys
#include <caf/test/unit_test.hpp>

#include <random>

#include "storage/keys.hpp"

using namespace tasks;
using namespace tasks::storage;

CAF_TEST(big_endian_byte_order_is_numeric_order) {
  std::mt19937_64 rng{42};
  for (int i = 0; i < 10000; ++i) {
    uint64_t a = rng() >> (rng() % 64);
    uint64_t b = rng() >> (rng() % 64);
    std::string ka, kb;
    keys::put_u64(ka, a);
    keys::put_u64(kb, b);
    CAF_CHECK_EQUAL(a < b, ka < kb);
    CAF_CHECK_EQUAL(keys::get_u64(ka, 0), a);
  }
}

CAF_TEST(timestamps_order_like_their_values) {
  auto t1 = from_micros(1'700'000'000'000'000);
  auto t2 = t1 + std::chrono::microseconds{1};
  std::string k1, k2;
  keys::put_time(k1, t1);
  keys::put_time(k2, t2);
  CAF_CHECK(k1 < k2);
}

CAF_TEST(index_entries_of_newer_tasks_sort_first) {
  task older, newer;
  older.id = new_task_id();
  newer.id = new_task_id();
  older.created_at = from_micros(1'700'000'000'000'000);
  newer.created_at = older.created_at + std::chrono::microseconds{1};
  auto ko = keys::task_index_entry(0, older);
  auto kn = keys::task_index_entry(0, newer);
  CAF_CHECK(kn < ko);
  CAF_CHECK(keys::task_index_entry_created(ko) == older.created_at);
  CAF_CHECK(keys::task_index_entry_created(kn) == newer.created_at);
}

CAF_TEST(prefix_successor_bounds_exactly_the_prefix) {
  CAF_CHECK_EQUAL(keys::prefix_successor("ab"), "ac");
  CAF_CHECK_EQUAL(keys::prefix_successor(std::string{"a\xff", 2}), "b");
  CAF_CHECK_EQUAL(keys::prefix_successor(std::string{"\xff\xff", 2}), "");
}

CAF_TEST(each_filter_combination_has_its_own_index_family) {
  task_filter f;
  CAF_CHECK_EQUAL(keys::task_index_family(f), 0);
  f.state = status::running;
  CAF_CHECK_EQUAL(keys::task_index_family(f), keys::by_status);
  f.server_id = 3;
  CAF_CHECK_EQUAL(keys::task_index_family(f), keys::by_status | keys::by_server);
  f.user_id = 9;
  CAF_CHECK_EQUAL(keys::task_index_family(f), 7);
}

CAF_TEST(a_task_has_one_entry_per_family_under_its_filter_prefix) {
  task t;
  t.id = new_task_id();
  t.server_id = 5;
  t.user_id = 6;
  t.state = status::failed;
  t.created_at = now();
  auto entries = keys::task_index_entries(t);
  CAF_REQUIRE_EQUAL(entries.size(), keys::task_index_families);
  for (uint8_t family = 0; family < keys::task_index_families; ++family) {
    auto prefix = keys::task_index_prefix(family, t.user_id, t.server_id,
                                          t.state);
    CAF_CHECK_EQUAL(entries[family].compare(0, prefix.size(), prefix), 0);
    CAF_CHECK_EQUAL(entries[family].size(), prefix.size() + 8 + 16);
    CAF_CHECK(keys::task_index_entry_id(entries[family]) == t.id);
  }
  CAF_CHECK_EQUAL(keys::task_status_index_entries(t).size(), 4u);
}

CAF_TEST(neighbouring_servers_do_not_share_a_prefix_range) {
  task a, b;
  a.server_id = 1;
  b.server_id = 2;
  a.created_at = b.created_at = now();
  auto prefix = keys::task_index_prefix(keys::by_server, std::nullopt, 1,
                                        std::nullopt);
  auto upper = keys::prefix_successor(prefix);
  auto ka = keys::task_index_entry(keys::by_server, a);
  auto kb = keys::task_index_entry(keys::by_server, b);
  CAF_CHECK(ka >= prefix && ka < upper);
  CAF_CHECK(!(kb >= prefix && kb < upper));
}

CAF_TEST(audit_index_entries_end_in_their_seq) {
  auto key = keys::audit_by_action_prefix("task.create");
  keys::put_u64(key, 77);
  CAF_CHECK_EQUAL(keys::audit_index_entry_seq(key), 77u);
  // "task.c" must not be a prefix of the entries of "task.create"'s range
  // boundary: actions end in NUL.
  CAF_CHECK(keys::audit_by_action_prefix("task.c").back() == '\0');
}
