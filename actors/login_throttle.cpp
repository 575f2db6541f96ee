// The failed-login tables: consecutive failures, doubling lockouts, expiry.
#include "actors/login_throttle.hpp"

#include <algorithm>

namespace tasks {

namespace {

/// Whole seconds, rounded up, so "retry in N s" is never too early.
std::chrono::seconds ceil_seconds(timestamp::duration d) {
  return std::chrono::ceil<std::chrono::seconds>(d);
}

} // namespace

login_throttle::login_throttle(throttle_limits limits)
    : limits_(limits), entries_(limits.max_keys) {
  if (limits_.max_failures == 0)
    limits_.max_failures = 1;
}

std::chrono::seconds login_throttle::wait_time(const std::string& key,
                                               timestamp now) {
  auto* e = entries_.find(key);
  if (e == nullptr)
    return std::chrono::seconds{0};
  if (e->failures > 0 && now - e->last_failure >= limits_.memory) {
    e->failures = 0;
    e->locked_until = {};
  }
  if (now < e->locked_until)
    return ceil_seconds(e->locked_until - now);
  // Below the limit, the remaining guesses may run in parallel; past it,
  // one at a time, each after its own lockout.
  auto in_flight_allowed = e->failures < limits_.max_failures
                               ? limits_.max_failures - e->failures
                               : 1u;
  if (e->pending >= in_flight_allowed)
    return std::max(limits_.first_lockout, std::chrono::seconds{1});
  if (e->failures == 0 && e->pending == 0)
    entries_.erase(key);
  return std::chrono::seconds{0};
}

void login_throttle::begin(const std::string& key) {
  ++entries_.touch(key).pending;
}

void login_throttle::failure(const std::string& key, timestamp now) {
  auto& e = entries_.touch(key);
  if (e.pending > 0)
    --e.pending;
  if (e.failures > 0 && now - e.last_failure >= limits_.memory)
    e.failures = 0;
  if (e.failures < UINT32_MAX)
    ++e.failures;
  e.last_failure = now;
  if (e.failures >= limits_.max_failures)
    e.locked_until = now + lockout(e.failures);
}

void login_throttle::success(const std::string& key) {
  auto* e = entries_.find(key);
  if (e == nullptr)
    return;
  e->failures = 0;
  e->locked_until = {};
  end_attempt(key, *e);
}

void login_throttle::abandon(const std::string& key) {
  if (auto* e = entries_.find(key))
    end_attempt(key, *e);
}

std::chrono::seconds login_throttle::lockout(uint32_t failures) const {
  auto result = limits_.first_lockout;
  if (result.count() <= 0)
    return std::chrono::seconds{0};
  for (auto n = limits_.max_failures; n < failures; ++n) {
    result *= 2;
    if (result >= limits_.max_lockout)
      return limits_.max_lockout;
  }
  return std::min(result, limits_.max_lockout);
}

void login_throttle::end_attempt(const std::string& key, entry& e) {
  if (e.pending > 0)
    --e.pending;
  if (e.failures == 0 && e.pending == 0)
    entries_.erase(key);
}

} // namespace tasks
