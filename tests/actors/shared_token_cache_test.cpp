// The shared token cache: what readers on other threads may see of it.
#define CAF_SUITE actors.token_cache_shared
#include <caf/test/unit_test.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "actors/shared_token_cache.hpp"

using namespace tasks;
using namespace std::chrono_literals;

namespace {

struct fixture {
  timestamp t0 = from_micros(1'700'000'000'000'000);
  shared_token_cache cache{100, 60s};
  principal alice{1, "alice", role::operator_};
  principal bob{2, "bob", role::viewer};
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(shared_token_cache_tests, fixture)

CAF_TEST(readers_see_only_fresh_entries_and_never_change_the_cache) {
  cache.put("h1", alice, t0 + 1h, t0, cache.generation());
  cache.put("h2", bob, t0 + 10s, t0, cache.generation());
  CAF_CHECK_EQUAL(cache.peek("h1", t0 + 59s)->username, "alice");
  CAF_CHECK(!cache.peek("h1", t0 + 60s)); // the cache lifetime
  CAF_CHECK(cache.peek("h2", t0 + 9s));
  CAF_CHECK(!cache.peek("h2", t0 + 10s)); // the token's own expiry
  CAF_CHECK(!cache.peek("h3", t0));
  // Stale entries stay until the writer meets them.
  CAF_CHECK_EQUAL(cache.size(), 2u);
  CAF_CHECK(!cache.find("h2", t0 + 10s));
  CAF_CHECK_EQUAL(cache.size(), 1u);
}

CAF_TEST(invalidations_are_seen_by_readers_once_they_return) {
  auto seen = cache.generation();
  cache.put("h1", alice, t0 + 1h, t0, seen);
  cache.put("h2", bob, t0 + 1h, t0, seen);
  cache.erase("h1");
  CAF_CHECK(!cache.peek("h1", t0));
  cache.erase_user(bob.user_id);
  CAF_CHECK(!cache.peek("h2", t0));
  // A lookup that started before the invalidations is not cached.
  cache.put("h2", bob, t0 + 1h, t0, seen);
  CAF_CHECK(!cache.peek("h2", t0));
}

CAF_TEST(concurrent_readers_never_see_a_token_after_its_revocation) {
  // The writer revokes tokens one by one and publishes each revocation only
  // after erase() returned, as the rbac actor acknowledges a logout only
  // after invalidating; a reader that has seen the acknowledgement must
  // miss the token, and a token nobody revoked must always be found.
  constexpr int tokens = 2000;
  shared_token_cache big{10000, 60s};
  big.put("stable", bob, t0 + 1h, t0, big.generation());
  for (int i = 0; i < tokens; ++i)
    big.put("t" + std::to_string(i), alice, t0 + 1h, t0, big.generation());
  std::atomic<int> acknowledged{-1};
  std::atomic<bool> done{false};
  std::atomic<int> stale_hits{0};
  std::atomic<int> stable_misses{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r)
    readers.emplace_back([&] {
      while (!done) {
        auto last = acknowledged.load();
        if (last >= 0 && big.peek("t" + std::to_string(last), t0))
          ++stale_hits;
        if (!big.peek("stable", t0))
          ++stable_misses;
      }
    });
  for (int i = 0; i < tokens; ++i) {
    big.erase("t" + std::to_string(i));
    acknowledged = i;
    if (i % 2 == 0) // and new logins keep arriving meanwhile
      big.put("n" + std::to_string(i), alice, t0 + 1h, t0, big.generation());
  }
  done = true;
  for (auto& t : readers)
    t.join();
  CAF_CHECK_EQUAL(stale_hits.load(), 0);
  CAF_CHECK_EQUAL(stable_misses.load(), 0);
  CAF_CHECK_EQUAL(big.size(), 1u + tokens / 2);
}

CAF_TEST_FIXTURE_SCOPE_END()
