// Cryptographic primitives of the store (OpenSSL 3.0): SHA-256, HMAC,
// AES-256-GCM sealing with the vault master key, random bytes.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace tasks::storage {

/// A 32-byte key that wipes itself when destroyed.
class secret_key {
public:
  static constexpr size_t size = 32;

  secret_key();
  explicit secret_key(std::string_view bytes);
  secret_key(const secret_key& other);
  secret_key& operator=(const secret_key& other);
  ~secret_key();

  /// A fresh random key.
  static secret_key random();

  const uint8_t* data() const { return bytes_.data(); }
  std::string_view view() const {
    return {reinterpret_cast<const char*>(bytes_.data()), size};
  }

private:
  std::array<uint8_t, size> bytes_;
};

/// SHA-256 of `data`, 32 raw bytes.
std::string sha256(std::string_view data);

/// HMAC-SHA256 of `data` under `key`, 32 raw bytes.
std::string hmac_sha256(const secret_key& key, std::string_view data);

/// `size` cryptographically random bytes.
std::string random_bytes(size_t size);

/// Constant-time equality (sizes are not secret).
bool constant_time_equal(std::string_view a, std::string_view b);

/// Lower-case hex of raw bytes.
std::string to_hex(std::string_view bytes);

/// Wipes a string that held a secret.
void wipe(std::string& secret);

/// Seals `plaintext`: version(1) | nonce(12) | ciphertext | tag(16). The
/// additional data binds the value to its place (e.g. "vault:7"), so a sealed
/// value copied to another record does not open.
std::string seal(const secret_key& key, std::string_view plaintext,
                 std::string_view additional_data);

/// Opens a sealed value; errc::crypto_failure when the key, the additional
/// data or the bytes are wrong.
caf::expected<std::string> open_sealed(const secret_key& key,
                                       std::string_view sealed,
                                       std::string_view additional_data);

/// Loads the master key file (32 raw bytes, or 64 hex digits and an optional
/// newline), creating it with mode 0600 when `create` and it does not exist.
/// A file readable by group or others is refused.
caf::expected<secret_key> load_master_key(const std::string& path, bool create);

/// Writes `key` to `path` atomically (temp file, fsync, rename), mode 0600.
caf::error write_master_key(const std::string& path, const secret_key& key);

} // namespace tasks::storage
