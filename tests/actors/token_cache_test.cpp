#define CAF_SUITE actors.token_cache
#include <caf/test/unit_test.hpp>

#include "actors/token_cache.hpp"

using namespace tasks;
using namespace std::chrono_literals;

namespace {

struct fixture {
  timestamp t0 = from_micros(1'700'000'000'000'000);
  token_cache cache{3, 60s};
  principal alice{1, "alice", role::operator_};
  principal bob{2, "bob", role::viewer};
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(token_cache_tests, fixture)

CAF_TEST(entries_live_at_most_the_lifetime_and_never_past_expiry) {
  cache.put("h1", alice, t0 + 1h, t0, cache.generation());
  cache.put("h2", bob, t0 + 10s, t0, cache.generation());
  CAF_CHECK(cache.find("h1", t0 + 59s));
  CAF_CHECK(!cache.find("h1", t0 + 60s));
  CAF_CHECK(cache.find("h2", t0 + 9s));
  CAF_CHECK(!cache.find("h2", t0 + 10s));
  CAF_CHECK_EQUAL(cache.size(), 0u);
  cache.put("h3", bob, t0, t0, cache.generation()); // already expired
  CAF_CHECK_EQUAL(cache.size(), 0u);
}

CAF_TEST(invalidations_drop_entries_and_stale_answers) {
  auto seen = cache.generation();
  cache.put("h1", alice, t0 + 1h, t0, seen);
  cache.put("h2", alice, t0 + 1h, t0, seen);
  cache.put("h3", bob, t0 + 1h, t0, seen);
  cache.erase_user(alice.user_id);
  CAF_CHECK(!cache.find("h1", t0));
  CAF_CHECK(!cache.find("h2", t0));
  CAF_CHECK_EQUAL(cache.find("h3", t0)->username, "bob");
  // A lookup that started before the invalidation is not cached.
  cache.put("h1", alice, t0 + 1h, t0, seen);
  CAF_CHECK(!cache.find("h1", t0));
  cache.erase("h3");
  CAF_CHECK(!cache.find("h3", t0));
}

CAF_TEST(the_cache_is_bounded) {
  for (auto h : {"a", "b", "c", "d"})
    cache.put(h, alice, t0 + 1h, t0, cache.generation());
  CAF_CHECK_EQUAL(cache.size(), 3u);
  CAF_CHECK(!cache.find("a", t0));
  CAF_CHECK(cache.find("d", t0));
}

CAF_TEST_FIXTURE_SCOPE_END()
