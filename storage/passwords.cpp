// argon2id via libargon2; randomness and SHA-256 via storage/crypto.
#include "storage/passwords.hpp"

#include <exception>
#include <vector>

#include <argon2.h>

#include "core/error.hpp"
#include "storage/crypto.hpp"

namespace tasks::storage {

namespace {

constexpr size_t salt_size = 16;
constexpr size_t hash_size = 32;
constexpr size_t token_bytes = 32;
constexpr size_t random_password_size = 20;

// Appends URL-safe base64 without padding (RFC 4648 §5) to `out`, so the
// encoding of a secret never lives in a temporary of its own.
void append_base64url(std::string& out, std::string_view bytes) {
  static constexpr char digits[]
      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  uint32_t acc = 0;
  int bits = 0;
  for (auto c : bytes) {
    acc = (acc << 8) | static_cast<uint8_t>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(digits[(acc >> bits) & 0x3f]);
    }
  }
  if (bits > 0)
    out.push_back(digits[(acc << (6 - bits)) & 0x3f]);
}

} // namespace

caf::expected<std::string> hash_password(std::string_view password,
                                         password_cost cost) {
  if (password.empty())
    return make_error(errc::invalid_argument, "password: must not be empty");
  if (password.size() > max_password_size)
    return make_error(errc::invalid_argument,
                      "password: must be at most "
                          + std::to_string(max_password_size) + " bytes");
  auto salt = random_bytes(salt_size);
  std::vector<char> encoded(argon2_encodedlen(cost.passes, cost.memory_kib,
                                              cost.lanes, salt_size, hash_size,
                                              Argon2_id));
  // The password is read in place (no copy to wipe); libargon2 clears its own
  // working memory.
  auto rc = argon2id_hash_encoded(cost.passes, cost.memory_kib, cost.lanes,
                                  password.data(), password.size(), salt.data(),
                                  salt.size(), hash_size, encoded.data(),
                                  encoded.size());
  if (rc != ARGON2_OK)
    return make_error(errc::crypto_failure,
                      std::string{"argon2id: "} + argon2_error_message(rc));
  return std::string{encoded.data()};
}

bool verify_password(std::string_view phc, std::string_view password) {
  // No password that hash_password refuses can match; an empty hash marks an
  // account that cannot log in by password.
  if (phc.empty() || password.empty() || password.size() > max_password_size)
    return false;
  try {
    std::string encoded{phc}; // argon2id_verify wants a C string
    if (encoded.find('\0') != std::string::npos)
      return false;
    auto rc
        = argon2id_verify(encoded.c_str(), password.data(), password.size());
    return rc == ARGON2_OK;
  } catch (const std::exception&) {
    return false; // only std::bad_alloc can get here
  }
}

std::string new_token() {
  auto bytes = random_bytes(token_bytes);
  std::string token;
  token.reserve(token_prefix.size() + (token_bytes * 4 + 2) / 3);
  token.append(token_prefix);
  append_base64url(token, bytes);
  wipe(bytes);
  return token;
}

std::string token_hash(std::string_view token) {
  return sha256(token);
}

std::string random_password() {
  // Rejection sampling: only bytes below the largest multiple of the alphabet
  // size are used, so every character is equally likely.
  constexpr auto n = password_alphabet.size();
  constexpr auto limit = 256 / n * n;
  std::string out;
  out.reserve(random_password_size);
  while (out.size() < random_password_size) {
    auto bytes = random_bytes(32);
    for (auto c : bytes) {
      auto b = static_cast<uint8_t>(c);
      if (b < limit && out.size() < random_password_size)
        out.push_back(password_alphabet[b % n]);
    }
    wipe(bytes);
  }
  return out;
}

} // namespace tasks::storage
