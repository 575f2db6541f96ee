// The rbac actor's cache of authenticated tokens: token hash to principal,
// bounded in size and in age, so a token revoked outside tasksd (tasksctl)
// stops working within the cache lifetime.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "actors/lru_map.hpp"
#include "core/role.hpp"
#include "core/time.hpp"

namespace tasks {

/// Principals of recently authenticated tokens, keyed by token hash.
class token_cache {
public:
  /// At most `capacity` tokens, each kept at most `lifetime`.
  explicit token_cache(size_t capacity = 10000, std::chrono::seconds lifetime
                                                = std::chrono::seconds{60});

  /// The principal of a cached, unexpired token; drops stale entries.
  std::optional<principal> find(const std::string& hash, timestamp now);

  /// As find(), but leaves stale entries in place (a reader's lookup).
  std::optional<principal> peek(const std::string& hash, timestamp now) const;

  /// Caches a token that expires at `expires_at`, unless an invalidation
  /// happened since `seen_generation` (an answer that raced with a logout or
  /// a user change must not come back to life).
  void put(const std::string& hash, const principal& who, timestamp expires_at,
           timestamp now, uint64_t seen_generation);

  /// Drops one token.
  void erase(const std::string& hash);

  /// Drops every token of a user.
  void erase_user(uint64_t user_id);

  /// Counts invalidations; read it before a lookup that may end in put().
  uint64_t generation() const { return generation_; }

  size_t size() const { return entries_.size(); }

private:
  struct entry {
    principal who;
    timestamp expires_at{};
    timestamp cached_until{};

    bool fresh(timestamp now) const {
      return now < cached_until && now < expires_at;
    }
  };

  std::chrono::seconds lifetime_;
  uint64_t generation_ = 0;
  lru_map<entry> entries_;
};

} // namespace tasks
