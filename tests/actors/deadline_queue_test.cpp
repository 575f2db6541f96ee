#define CAF_SUITE actors.deadline_queue
#include <caf/test/dsl.hpp>

#include "actors/deadline_queue.hpp"

#include <string>
#include <vector>

using namespace tasks;
using namespace std::chrono_literals;

namespace {

struct fixture : test_coordinator_fixture<> {
  std::vector<std::string> expired;
  deadline_queue deadlines{sys, 10s};

  void add(const std::string& name) {
    deadlines.add([this, name] { expired.push_back(name); });
    sched.run();
  }

  /// Moves the clock and runs what became due.
  void tick(caf::timespan d) {
    advance_time(d);
    sched.run();
  }
};

using strings = std::vector<std::string>;

} // namespace

CAF_TEST_FIXTURE_SCOPE(deadline_queue_tests, fixture)

CAF_TEST(each_callback_runs_its_length_after_it_was_added) {
  add("a");
  tick(4s);
  add("b");
  tick(5s); // 9 s
  CAF_CHECK_EQUAL(expired, strings{});
  tick(1s); // 10 s: a's deadline, not b's
  CAF_CHECK_EQUAL(expired, strings{"a"});
  tick(3s); // 13 s
  CAF_CHECK_EQUAL(expired, strings{"a"});
  tick(1s); // 14 s
  CAF_CHECK_EQUAL(expired, (strings{"a", "b"}));
}

CAF_TEST(callbacks_due_together_run_in_the_order_they_were_added) {
  add("a");
  add("b");
  add("c");
  tick(10s);
  CAF_CHECK_EQUAL(expired, (strings{"a", "b", "c"}));
}

CAF_TEST(deadlines_close_together_share_one_wake_up_a_second) {
  add("a");
  tick(10ms);
  add("b");
  tick(10s - 10ms);
  CAF_REQUIRE_EQUAL(expired, strings{"a"});
  tick(10ms); // b's deadline: the timer sleeps on until a second after a's
  CAF_CHECK_EQUAL(expired, strings{"a"});
  tick(990ms);
  CAF_CHECK_EQUAL(expired, (strings{"a", "b"}));
}

CAF_TEST(an_empty_queue_wakes_up_for_the_next_add) {
  add("a");
  tick(10s);
  CAF_REQUIRE_EQUAL(expired, strings{"a"});
  tick(30s); // nothing pending: the timer stands down
  add("b");
  tick(9s);
  CAF_CHECK_EQUAL(expired, strings{"a"});
  tick(1s);
  CAF_CHECK_EQUAL(expired, (strings{"a", "b"}));
}

CAF_TEST_FIXTURE_SCOPE_END()
