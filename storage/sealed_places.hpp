// The additional data that binds each sealed value to its place (see
// docs/STORAGE.md, "Sealed values"): shared by the writers and by the
// master key rotation, which must re-seal every one of them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tasks::storage::detail {

/// A vault entry's private key.
inline std::string vault_key_aad(uint64_t entry_id) {
  return "vault-key:" + std::to_string(entry_id);
}

/// A vault entry's passphrase.
inline std::string vault_passphrase_aad(uint64_t entry_id) {
  return "vault-passphrase:" + std::to_string(entry_id);
}

/// A server's password.
inline std::string password_aad(uint64_t server_id) {
  return "server-password:" + std::to_string(server_id);
}

/// The audit HMAC key in meta.
inline constexpr std::string_view audit_key_aad = "meta:audit_key";

/// What meta:master_key_check holds the HMAC of, under the master key.
inline constexpr std::string_view master_check_label
    = "tasksd master key check v1";

} // namespace tasks::storage::detail
