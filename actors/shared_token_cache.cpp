// The shared token cache: token_cache under a reader-writer lock.
#include "actors/shared_token_cache.hpp"

#include <mutex>

namespace tasks {

shared_token_cache::shared_token_cache(size_t capacity,
                                       std::chrono::seconds lifetime)
    : cache_(capacity, lifetime) {
  // nop
}

std::optional<principal> shared_token_cache::peek(const std::string& hash,
                                                  timestamp now) const {
  std::shared_lock<std::shared_mutex> guard{mutex_};
  return cache_.peek(hash, now);
}

std::optional<principal> shared_token_cache::find(const std::string& hash,
                                                  timestamp now) {
  std::unique_lock<std::shared_mutex> guard{mutex_};
  return cache_.find(hash, now);
}

void shared_token_cache::put(const std::string& hash, const principal& who,
                             timestamp expires_at, timestamp now,
                             uint64_t seen_generation) {
  std::unique_lock<std::shared_mutex> guard{mutex_};
  cache_.put(hash, who, expires_at, now, seen_generation);
}

void shared_token_cache::erase(const std::string& hash) {
  std::unique_lock<std::shared_mutex> guard{mutex_};
  cache_.erase(hash);
}

void shared_token_cache::erase_user(uint64_t user_id) {
  std::unique_lock<std::shared_mutex> guard{mutex_};
  cache_.erase_user(user_id);
}

uint64_t shared_token_cache::generation() const {
  std::shared_lock<std::shared_mutex> guard{mutex_};
  return cache_.generation();
}

size_t shared_token_cache::size() const {
  std::shared_lock<std::shared_mutex> guard{mutex_};
  return cache_.size();
}

} // namespace tasks
