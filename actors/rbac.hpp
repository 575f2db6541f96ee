// The rbac actor: bearer tokens to principals (with a bounded cache),
// password logins with throttling, logout, and the user accounts. Users in
// its answers never carry a password hash.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "actors/interfaces.hpp"
#include "actors/login_throttle.hpp"
#include "actors/shared_token_cache.hpp"
#include "core/config.hpp"
#include "storage/passwords.hpp"

namespace tasks {

/// Settings of the rbac actor.
struct rbac_config {
  /// How long a login token lives (TASKS_TOKEN_TTL).
  std::chrono::seconds token_ttl{43200};
  /// Failed logins per username (lower-cased).
  throttle_limits per_user{5};
  /// Failed logins per client address.
  throttle_limits per_address{20};
  /// Tokens cached at most, and for how long each.
  size_t max_cached_tokens = 10000;
  std::chrono::seconds cache_lifetime{60};
  /// The token cache; rbac() makes one of the two settings above when it is
  /// null. Share it to let other threads call cached_principal().
  std::shared_ptr<shared_token_cache> tokens;
  /// argon2id cost of new password hashes (and of the dummy hash).
  storage::password_cost cost = storage::password_cost::production();
  /// Hasher actors spawn_rbac starts; logins alternate between them.
  size_t hashers = 2;
  /// The clock for token expiry, the cache and throttling; tests move it.
  std::function<timestamp()> clock = [] { return tasks::now(); };
  /// The hash of a password nobody knows, verified for unknown and disabled
  /// users so that timing does not tell which usernames exist. spawn_rbac
  /// computes it when empty.
  std::string dummy_hash;

  /// The settings of a validated configuration.
  static rbac_config from(const config& cfg);
};

struct rbac_state {
  storage_actor storage;
  std::vector<hasher_actor> hashers;
  size_t next_hasher = 0;
  rbac_config cfg;
  /// This actor is its only writer; it invalidates before it answers.
  std::shared_ptr<shared_token_cache> tokens;
  login_throttle users;
  login_throttle addresses;

  /// The hasher for the next job, round-robin.
  const hasher_actor& hasher();

  static inline const char* name = "rbac";
};

/// Authenticates and manages users through `storage`, hashing with
/// `hashers` (at least one; linked, so they end with this actor).
rbac_actor::behavior_type rbac(rbac_actor::stateful_pointer<rbac_state> self,
                               storage_actor storage,
                               std::vector<hasher_actor> hashers,
                               rbac_config cfg);

/// The principal of `token` when `tokens` holds it fresh: what the rbac
/// actor would answer, read on the caller's thread. Nullopt when the cache
/// cannot tell (a miss, a stale entry, a malformed token): ask the actor.
std::optional<principal> cached_principal(const shared_token_cache& tokens,
                                          const std::string& token,
                                          timestamp now);

/// Spawns `cfg.hashers` detached hashers and the rbac actor. Computes
/// `cfg.dummy_hash` first when it is empty (blocks for one argon2 run: call
/// it at start-up, not from an actor); fails only when that hash fails.
caf::expected<rbac_actor> spawn_rbac(caf::actor_system& sys,
                                     storage_actor storage, rbac_config cfg);

} // namespace tasks
