// The token cache: bounded, aged, invalidated by generation.
#include "actors/token_cache.hpp"

#include <algorithm>

namespace tasks {

token_cache::token_cache(size_t capacity, std::chrono::seconds lifetime)
    : lifetime_(lifetime), entries_(capacity) {
  // nop
}

std::optional<principal> token_cache::find(const std::string& hash,
                                           timestamp now) {
  // The lookup compares SHA-256 digests, not tokens: timing can at most tell
  // how many leading bytes of a guess's digest match a cached digest, and
  // steering a digest needs a preimage, so no constant-time compare is
  // needed here.
  auto* e = entries_.find(hash);
  if (e == nullptr)
    return std::nullopt;
  if (!e->fresh(now)) {
    entries_.erase(hash);
    return std::nullopt;
  }
  return e->who;
}

std::optional<principal> token_cache::peek(const std::string& hash,
                                           timestamp now) const {
  const auto* e = entries_.find(hash);
  if (e == nullptr || !e->fresh(now))
    return std::nullopt;
  return e->who;
}

void token_cache::put(const std::string& hash, const principal& who,
                      timestamp expires_at, timestamp now,
                      uint64_t seen_generation) {
  if (seen_generation != generation_ || now >= expires_at)
    return;
  auto& e = entries_.touch(hash);
  e.who = who;
  e.expires_at = expires_at;
  e.cached_until = std::min(expires_at, now + lifetime_);
}

void token_cache::erase(const std::string& hash) {
  ++generation_;
  entries_.erase(hash);
}

void token_cache::erase_user(uint64_t user_id) {
  ++generation_;
  entries_.erase_if(
      [user_id](const entry& e) { return e.who.user_id == user_id; });
}

} // namespace tasks
