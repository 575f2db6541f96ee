// Managed servers and the private keys of the vault.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/time.hpp"

namespace tasks {

/// A server tasksd runs commands on, and how to log in to it.
struct server {
  uint64_t id = 0;
  std::string name;
  std::string host;
  uint16_t port = 22;
  std::string username;
  /// SSH authentication, tried in this order when configured (SPEC §3).
  std::optional<uint64_t> vault_key_id;
  std::string key_file;
  /// The password sealed with the vault master key; empty when none.
  std::string sealed_password;
  /// Pinned host key as OpenSSH prints it (`SHA256:…`); empty when unpinned.
  std::string host_key;
  std::optional<uint32_t> max_concurrent_tasks;
  timestamp created_at{};
};

/// A private key kept in the vault; key and passphrase are sealed.
struct vault_entry {
  uint64_t id = 0;
  std::string name;
  std::string sealed_key;
  /// Empty when the key has no passphrase.
  std::string sealed_passphrase;
  timestamp created_at{};
};

} // namespace tasks
