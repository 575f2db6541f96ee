// Users and their login tokens.
#pragma once

#include <cstdint>
#include <string>

#include "core/role.hpp"
#include "core/time.hpp"

namespace tasks {

/// A person or script that may log in.
struct user {
  uint64_t id = 0;
  std::string username;
  role user_role = role::viewer;
  bool disabled = false;
  /// argon2id PHC string; empty for accounts that cannot log in by password.
  std::string password_hash;
  timestamp created_at{};
};

/// A login token as stored: only the SHA-256 of the token is kept.
struct token_record {
  /// SHA-256 of the token, 32 raw bytes.
  std::string hash;
  uint64_t user_id = 0;
  timestamp created_at{};
  timestamp expires_at{};
  /// Where the token came from, e.g. "login" or "tasksctl".
  std::string origin;
};

} // namespace tasks
