// Password hashing (argon2id), login tokens and bootstrap passwords.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace tasks::storage {

/// argon2id cost parameters; the PHC string records them, so changing the
/// production cost later leaves stored hashes verifiable.
struct password_cost {
  uint32_t memory_kib;
  uint32_t passes;
  uint32_t lanes;

  /// m=64 MiB, t=3, p=1: about 0.3 s per hash on the reference machine.
  static constexpr password_cost production() { return {64 * 1024, 3, 1}; }

  /// m=1 MiB, t=1, p=1: cheap enough for tests that hash many times.
  static constexpr password_cost for_tests() { return {1024, 1, 1}; }
};

/// Longest password accepted, in bytes.
inline constexpr size_t max_password_size = 1024;

/// Hashes `password` with a fresh random salt into an argon2id PHC string
/// (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`); errc::invalid_argument for an
/// empty password or one over max_password_size bytes.
caf::expected<std::string> hash_password(std::string_view password,
                                         password_cost cost
                                         = password_cost::production());

/// True when `password` matches the PHC string, compared in constant time;
/// false for a mismatch, an empty or malformed hash, and never throws.
bool verify_password(std::string_view phc, std::string_view password);

/// Prefix of every login token, so secret scanners can recognise a leaked one
/// (pattern `tsk_[A-Za-z0-9_-]{43}`).
inline constexpr std::string_view token_prefix = "tsk_";

/// A new login token: `tsk_` and 32 random bytes as URL-safe base64 without
/// padding (43 characters), 47 characters in all.
std::string new_token();

/// What the store keeps of a token: its SHA-256, 32 raw bytes.
std::string token_hash(std::string_view token);

/// Characters of random_password(): letters and digits without the look-alikes
/// 0/O/o and 1/l/I.
inline constexpr std::string_view password_alphabet
    = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

/// A 20-character random password from password_alphabet (about 116 bits),
/// for the bootstrap admin.
std::string random_password();

} // namespace tasks::storage
