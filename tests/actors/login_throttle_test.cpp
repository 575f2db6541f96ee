#define CAF_SUITE actors.login_throttle
#include <caf/test/unit_test.hpp>

#include "actors/login_throttle.hpp"
#include "actors/lru_map.hpp"

using namespace tasks;
using namespace std::chrono_literals;

namespace {

struct fixture {
  timestamp t0 = from_micros(1'700'000'000'000'000);
  throttle_limits limits{3};
  login_throttle throttle{limits};

  void fail(const std::string& key, timestamp at) {
    throttle.begin(key);
    throttle.failure(key, at);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(login_throttle_tests, fixture)

CAF_TEST(the_limit_locks_out_for_a_time_that_doubles_per_failure) {
  fail("k", t0);
  fail("k", t0);
  CAF_CHECK_EQUAL(throttle.wait_time("k", t0), 0s);
  fail("k", t0);
  CAF_CHECK_EQUAL(throttle.wait_time("k", t0), 1s);
  CAF_CHECK_EQUAL(throttle.wait_time("k", t0 + 999ms), 1s); // rounded up
  CAF_CHECK_EQUAL(throttle.wait_time("k", t0 + 1s), 0s);
  fail("k", t0 + 1s);
  CAF_CHECK_EQUAL(throttle.wait_time("k", t0 + 1s), 2s);
  fail("k", t0 + 3s);
  CAF_CHECK_EQUAL(throttle.wait_time("k", t0 + 3s), 4s);
  CAF_CHECK_EQUAL(throttle.wait_time("other", t0), 0s);
}

CAF_TEST(the_lockout_is_capped) {
  auto t = t0;
  for (int i = 0; i < 40; ++i) {
    t += throttle.wait_time("k", t);
    fail("k", t);
  }
  CAF_CHECK_EQUAL(throttle.wait_time("k", t), 300s);
}

CAF_TEST(a_success_starts_afresh) {
  fail("k", t0);
  fail("k", t0);
  throttle.begin("k");
  throttle.success("k");
  CAF_CHECK_EQUAL(throttle.size(), 0u);
  fail("k", t0);
  fail("k", t0);
  CAF_CHECK_EQUAL(throttle.wait_time("k", t0), 0s);
}

CAF_TEST(failures_older_than_the_memory_are_forgotten) {
  fail("k", t0);
  fail("k", t0);
  CAF_CHECK_EQUAL(throttle.wait_time("k", t0 + 15min), 0s);
  CAF_CHECK_EQUAL(throttle.size(), 0u);
  fail("k", t0 + 15min);
  fail("k", t0 + 15min);
  CAF_CHECK_EQUAL(throttle.wait_time("k", t0 + 15min), 0s);
}

CAF_TEST(attempts_in_flight_count_in_advance) {
  throttle.begin("k");
  throttle.begin("k");
  CAF_CHECK_EQUAL(throttle.wait_time("k", t0), 0s);
  throttle.begin("k");
  // Three guesses are pending: a fourth could exceed the limit.
  CAF_CHECK_EQUAL(throttle.wait_time("k", t0), 1s);
  throttle.abandon("k");
  CAF_CHECK_EQUAL(throttle.wait_time("k", t0), 0s);
  throttle.failure("k", t0);
  throttle.failure("k", t0);
  CAF_CHECK_EQUAL(throttle.wait_time("k", t0), 0s);
  // Past the limit, one attempt at a time.
  fail("k", t0);
  throttle.begin("k");
  CAF_CHECK_EQUAL(throttle.wait_time("k", t0 + 1s), 1s);
}

CAF_TEST(the_table_is_bounded) {
  limits.max_keys = 2;
  login_throttle small{limits};
  small.begin("a");
  small.failure("a", t0);
  small.begin("b");
  small.failure("b", t0);
  small.begin("c");
  small.failure("c", t0);
  CAF_CHECK_EQUAL(small.size(), 2u);
}

CAF_TEST(the_lru_map_forgets_the_least_recently_touched_key) {
  lru_map<int> m{2};
  m.touch("a") = 1;
  m.touch("b") = 2;
  m.touch("a");
  m.touch("c") = 3;
  CAF_CHECK(m.find("a") != nullptr);
  CAF_CHECK(m.find("b") == nullptr);
  CAF_CHECK_EQUAL(*m.find("c"), 3);
  m.erase_if([](int x) { return x == 3; });
  CAF_CHECK_EQUAL(m.size(), 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
