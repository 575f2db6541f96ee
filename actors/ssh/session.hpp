// An SSH connection to a managed server: connect within a deadline, check
// the host key against its pin, log in by vault key, key file or password.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/expected.hpp>

#include "core/config.hpp"

struct ssh_session_struct;

namespace tasks::ssh {

/// Where to connect and how to log in. Secrets are wiped on destruction.
struct target {
  std::string host;
  uint16_t port = 22;
  std::string username;
  /// `SHA256:…` as OpenSSH prints it; empty when not pinned yet.
  std::string pinned_host_key;
  host_key_policy policy = host_key_policy::tofu;
  /// Covers TCP connect, key exchange and authentication together.
  std::chrono::seconds connect_timeout{10};
  /// Authentication, tried in this order when configured (SPEC §3).
  bool has_vault_key = false;
  std::string vault_key_text;
  std::string vault_key_passphrase;
  std::string key_file;
  bool has_password = false;
  std::string password;

  target() = default;
  target(const target&) = default;
  target& operator=(const target&) = default;
  ~target();

  /// True when both describe the same endpoint, account and pin: a warm
  /// session for one may serve the other.
  bool same_endpoint(const target& other) const;
};

/// A connected, authenticated session. Move-only; disconnects when
/// destroyed. Use from one thread at a time.
class session {
public:
  /// Connects and logs in. Errors are errc::ssh_failure with the task error
  /// as message (`connection refused`, `connection timed out`,
  /// `host unreachable`, `authentication failed (tried: vault key, key
  /// file)`, `host key not pinned (TASKS_HOST_KEY_POLICY=strict)`, …) or
  /// errc::host_key_mismatch (`host key mismatch`).
  static caf::expected<session> open(const target& t);

  session(session&& other) noexcept;
  session& operator=(session&& other) noexcept;
  ~session();

  /// The fingerprint the server offered (`SHA256:…`).
  const std::string& host_key() const { return host_key_; }

  /// True when the target had no pin: the caller pins host_key() (TOFU).
  bool needs_pin() const { return needs_pin_; }

  /// True while the connection is up and no command on it timed out, was
  /// cancelled or failed: only then may it be lent to the next task.
  bool reusable() const;

  /// Marks the session as not to be reused.
  void poison() { poisoned_ = true; }

  ssh_session_struct* native() { return raw_; }

  /// The endpoint this session was opened for, without its secrets.
  const target& opened_for() const { return target_; }

private:
  session() = default;
  ssh_session_struct* raw_ = nullptr;
  std::string host_key_;
  bool needs_pin_ = false;
  bool poisoned_ = false;
  target target_;
};

} // namespace tasks::ssh
