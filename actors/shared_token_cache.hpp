// The token cache shared by the rbac actor, its only writer, and the HTTP
// threads, which look tokens up without a message to the actor.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>

#include "actors/token_cache.hpp"

namespace tasks {

/// A token_cache behind a reader-writer lock. Only the rbac actor changes
/// it, and it does so before it answers the message that caused the change,
/// so a reader never sees a token after its revocation was acknowledged.
class shared_token_cache {
public:
  explicit shared_token_cache(size_t capacity = 10000,
                              std::chrono::seconds lifetime
                              = std::chrono::seconds{60});

  shared_token_cache(const shared_token_cache&) = delete;
  shared_token_cache& operator=(const shared_token_cache&) = delete;

  // -- readers (any thread) ---------------------------------------------------

  /// The principal of a cached, unexpired token; never changes the cache
  /// (the rbac actor drops stale entries when it meets them).
  std::optional<principal> peek(const std::string& hash, timestamp now) const;

  // -- the writer (the rbac actor only) ---------------------------------------

  /// As token_cache::find: drops the entry when it is stale.
  std::optional<principal> find(const std::string& hash, timestamp now);

  /// As token_cache::put.
  void put(const std::string& hash, const principal& who, timestamp expires_at,
           timestamp now, uint64_t seen_generation);

  /// As token_cache::erase.
  void erase(const std::string& hash);

  /// As token_cache::erase_user.
  void erase_user(uint64_t user_id);

  uint64_t generation() const;

  size_t size() const;

private:
  mutable std::shared_mutex mutex_;
  token_cache cache_;
};

} // namespace tasks
