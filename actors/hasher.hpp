// The hasher actor: argon2id hashing and verification off the cooperative
// scheduler.
#pragma once

#include "actors/interfaces.hpp"
#include "storage/passwords.hpp"

namespace tasks {

struct hasher_state {
  storage::password_cost cost = storage::password_cost::production();
  static inline const char* name = "hasher";
};

/// Hashes new passwords with `cost` and verifies against stored hashes.
/// Each call blocks for the argon2 run: spawn it detached.
hasher_actor::behavior_type
hasher(hasher_actor::stateful_pointer<hasher_state> self,
       storage::password_cost cost);

} // namespace tasks
