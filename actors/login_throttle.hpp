// Slowing down password guessing: consecutive failed logins per key (a
// username or a client address) lock the key out for a time that doubles
// with every further failure.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "actors/lru_map.hpp"
#include "core/time.hpp"

namespace tasks {

/// When a key is locked out, and for how long.
struct throttle_limits {
  /// Consecutive failures before the first lockout.
  uint32_t max_failures = 5;
  /// The first lockout; each further failure doubles it.
  std::chrono::seconds first_lockout{1};
  std::chrono::seconds max_lockout{300};
  /// A key whose last failure is older than this starts afresh.
  std::chrono::seconds memory{900};
  /// Keys tracked at most; the least recently failed one is forgotten.
  size_t max_keys = 10000;
};

/// Failed-attempt bookkeeping for one kind of key. An attempt is begin()
/// followed by exactly one of failure(), success() or abandon().
class login_throttle {
public:
  explicit login_throttle(throttle_limits limits = {});

  /// How long `key` must wait before its next attempt; zero when it may
  /// try now. Attempts still being checked count as failures in advance,
  /// so parallel requests cannot get more guesses than sequential ones.
  std::chrono::seconds wait_time(const std::string& key, timestamp now);

  /// An attempt for `key` starts.
  void begin(const std::string& key);

  /// The attempt failed: count it, and lock the key out past the limit.
  void failure(const std::string& key, timestamp now);

  /// The attempt succeeded: the key starts afresh.
  void success(const std::string& key);

  /// The attempt ended without a verdict (e.g. the store failed).
  void abandon(const std::string& key);

  size_t size() const { return entries_.size(); }

private:
  struct entry {
    uint32_t failures = 0;
    uint32_t pending = 0;
    timestamp last_failure{};
    timestamp locked_until{};
  };

  /// Lockout after `failures` consecutive failures.
  std::chrono::seconds lockout(uint32_t failures) const;

  void end_attempt(const std::string& key, entry& e);

  throttle_limits limits_;
  lru_map<entry> entries_;
};

} // namespace tasks
