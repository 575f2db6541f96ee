// Connecting, host-key check and login of an SSH session (libssh 0.10).
#include "actors/ssh/session.hpp"

#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <libssh/libssh.h>
#include <openssl/crypto.h>

#include "actors/ssh/options.hpp"
#include "core/error.hpp"

namespace tasks::ssh {

namespace {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// Overwrites the whole buffer, not only size() bytes, then empties it.
void wipe(std::string& secret) {
  secret.resize(secret.capacity());
  OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

bool contains(const std::string& text, const char* part) {
  return text.find(part) != std::string::npos;
}

caf::error failure(std::string message) {
  return make_error(errc::ssh_failure, std::move(message));
}

/// Turns libssh's text for a failed ssh_connect into the task error.
std::string connect_error(const std::string& text, bool deadline_passed) {
  if (contains(text, "Connection refused"))
    return "connection refused";
  if (deadline_passed || contains(text, "Timeout")
      || contains(text, "timed out"))
    return "connection timed out";
  if (contains(text, "No route to host")
      || contains(text, "Network is unreachable")
      || contains(text, "Host is unreachable")
      || contains(text, "Failed to resolve hostname"))
    return "host unreachable";
  return "connection failed: " + text;
}

/// The offered host key as `SHA256:<base64 without padding>`.
caf::expected<std::string> host_key_fingerprint(ssh_session raw) {
  ssh_key key = nullptr;
  if (ssh_get_server_publickey(raw, &key) != SSH_OK)
    return failure(std::string{"connection failed: no host key: "}
                   + ssh_get_error(raw));
  unsigned char* hash = nullptr;
  size_t hash_len = 0;
  const int rc = ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash,
                                        &hash_len);
  ssh_key_free(key);
  if (rc != 0)
    return failure("connection failed: cannot hash the host key");
  char* text
      = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hash_len);
  ssh_clean_pubkey_hash(&hash);
  if (text == nullptr)
    return failure("connection failed: cannot format the host key");
  std::string result = text;
  ssh_string_free_char(text);
  return result;
}

enum class auth_step { success, next, timed_out, broken };

auth_step auth_result(int rc) {
  switch (rc) {
    case SSH_AUTH_SUCCESS: return auth_step::success;
    case SSH_AUTH_AGAIN: return auth_step::timed_out; // blocking mode timeout
    case SSH_AUTH_ERROR: return auth_step::broken;
    default: return auth_step::next; // denied, or partial: try the next
  }
}

/// Offers `key` to the server and frees it.
auth_step try_key(ssh_session raw, ssh_key key) {
  const int rc = ssh_userauth_publickey(raw, nullptr, key);
  ssh_key_free(key);
  return auth_result(rc);
}

/// A configured login method: its name in the error and one attempt.
struct auth_method {
  const char* name;
  std::function<auth_step()> attempt;
};

/// The methods `t` configures, in SPEC order. Passphrases are never NULL:
/// with NULL, OpenSSL would prompt for one on the terminal.
std::vector<auth_method> configured_methods(ssh_session raw, const target& t) {
  std::vector<auth_method> result;
  if (t.has_vault_key)
    result.push_back(
        {"vault key", [raw, &t] {
           ssh_key key = nullptr;
           if (ssh_pki_import_privkey_base64(t.vault_key_text.c_str(),
                                             t.vault_key_passphrase.c_str(),
                                             nullptr, nullptr, &key)
               != SSH_OK)
             return auth_step::next; // wrong passphrase, no key
           return try_key(raw, key);
         }});
  if (!t.key_file.empty())
    result.push_back({"key file", [raw, &t] {
                        ssh_key key = nullptr;
                        if (ssh_pki_import_privkey_file(t.key_file.c_str(), "",
                                                        nullptr, nullptr, &key)
                            != SSH_OK)
                          return auth_step::next; // missing or encrypted
                        return try_key(raw, key);
                      }});
  if (t.has_password)
    result.push_back({"password", [raw, &t] {
                        return auth_result(ssh_userauth_password(
                            raw, nullptr, t.password.c_str()));
                      }});
  return result;
}

/// Tries the configured methods in SPEC order within the deadline.
caf::error authenticate(ssh_session raw, const target& t,
                        clock::time_point deadline) {
  std::string tried;
  for (const auto& method : configured_methods(raw, t)) {
    const auto left
        = std::chrono::duration_cast<milliseconds>(deadline - clock::now());
    if (left.count() <= 0)
      return failure("connection timed out");
    set_timeout(raw, left);
    if (!tried.empty())
      tried += ", ";
    tried += method.name;
    switch (method.attempt()) {
      case auth_step::success: return caf::none;
      case auth_step::next: break;
      case auth_step::timed_out: return failure("connection timed out");
      case auth_step::broken:
        if (clock::now() >= deadline)
          return failure("connection timed out");
        return failure("authentication failed (tried: " + tried
                       + "): " + ssh_get_error(raw));
    }
  }
  if (tried.empty())
    return failure("authentication failed (no method configured)");
  return failure("authentication failed (tried: " + tried + ")");
}

/// The target without its secrets: what a warm session needs to remember.
target public_part(const target& t) {
  target result;
  result.host = t.host;
  result.port = t.port;
  result.username = t.username;
  result.pinned_host_key = t.pinned_host_key;
  result.policy = t.policy;
  result.connect_timeout = t.connect_timeout;
  result.has_vault_key = t.has_vault_key;
  result.key_file = t.key_file;
  result.has_password = t.has_password;
  return result;
}

void release(ssh_session& raw) {
  if (raw == nullptr)
    return;
  ssh_disconnect(raw);
  ssh_free(raw);
  raw = nullptr;
}

} // namespace

void set_timeout(ssh_session_struct* raw, milliseconds timeout) {
  // Zero would mean libssh's default of 10 s in ssh_connect.
  const long total = std::max<long>(1, static_cast<long>(timeout.count()));
  long sec = total / 1000;
  long usec = (total % 1000) * 1000;
  ssh_options_set(raw, SSH_OPTIONS_TIMEOUT, &sec);
  ssh_options_set(raw, SSH_OPTIONS_TIMEOUT_USEC, &usec);
}

bool alive(ssh_session_struct* raw) {
  return ssh_is_connected(raw) != 0
         && (ssh_get_status(raw) & (SSH_CLOSED | SSH_CLOSED_ERROR)) == 0;
}

target::~target() {
  wipe(vault_key_text);
  wipe(vault_key_passphrase);
  wipe(password);
}

bool target::same_endpoint(const target& other) const {
  return host == other.host && port == other.port && username == other.username
         && pinned_host_key == other.pinned_host_key;
}

caf::expected<session> session::open(const target& t) {
  const auto deadline = clock::now() + t.connect_timeout;
  session result;
  result.target_ = public_part(t);
  result.raw_ = ssh_new();
  ssh_session raw = result.raw_;
  if (raw == nullptr)
    return failure("connection failed: cannot allocate a session");
  const int port = t.port;
  const int yes = 1;
  const int no = 0;
  // No file outside the target influences the connection: no ~/.ssh/config,
  // no known_hosts (the pin is the only trust anchor).
  if (ssh_options_set(raw, SSH_OPTIONS_HOST, t.host.c_str()) != SSH_OK
      || ssh_options_set(raw, SSH_OPTIONS_PORT, &port) != SSH_OK
      || (!t.username.empty()
          && ssh_options_set(raw, SSH_OPTIONS_USER, t.username.c_str())
                 != SSH_OK)
      || ssh_options_set(raw, SSH_OPTIONS_PROCESS_CONFIG, &no) != SSH_OK
      || ssh_options_set(raw, SSH_OPTIONS_NODELAY, &yes) != SSH_OK
      || ssh_options_set(raw, SSH_OPTIONS_KNOWNHOSTS, "/dev/null") != SSH_OK
      || ssh_options_set(raw, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null")
             != SSH_OK)
    return failure(std::string{"connection failed: "} + ssh_get_error(raw));
  // libssh applies the timeout to TCP connect and key exchange together.
  set_timeout(raw, t.connect_timeout);
  if (ssh_connect(raw) != SSH_OK)
    return failure(connect_error(ssh_get_error(raw), clock::now() >= deadline));
  auto offered = host_key_fingerprint(raw);
  if (!offered)
    return offered.error();
  result.host_key_ = std::move(*offered);
  if (t.pinned_host_key.empty()) {
    if (t.policy == host_key_policy::strict)
      return failure("host key not pinned (TASKS_HOST_KEY_POLICY=strict)");
    result.needs_pin_ = true;
  } else if (result.host_key_ != t.pinned_host_key) {
    return make_error(errc::host_key_mismatch, "host key mismatch");
  }
  if (auto err = authenticate(raw, t, deadline))
    return err;
  // Later blocking calls (channel open, exec request) get the full budget.
  set_timeout(raw, t.connect_timeout);
  return caf::expected<session>{std::move(result)};
}

session::session(session&& other) noexcept
    : raw_(std::exchange(other.raw_, nullptr)),
      host_key_(std::move(other.host_key_)), needs_pin_(other.needs_pin_),
      poisoned_(other.poisoned_), target_(other.target_) {
  // nop
}

session& session::operator=(session&& other) noexcept {
  if (this != &other) {
    release(raw_);
    raw_ = std::exchange(other.raw_, nullptr);
    host_key_ = std::move(other.host_key_);
    needs_pin_ = other.needs_pin_;
    poisoned_ = other.poisoned_;
    target_ = other.target_;
  }
  return *this;
}

session::~session() {
  release(raw_);
}

bool session::reusable() const {
  if (poisoned_ || raw_ == nullptr || !alive(raw_))
    return false;
  // Reads, without waiting, what arrived while the session sat idle: the
  // close of the last channel, keepalive requests, or the end of the
  // connection (a restarted or killed sshd), which libssh only notices here.
  if (ssh_event ev = ssh_event_new(); ev != nullptr) {
    if (ssh_event_add_session(ev, raw_) == SSH_OK) {
      ssh_event_dopoll(ev, 0);
      ssh_event_remove_session(ev, raw_);
    }
    ssh_event_free(ev);
  }
  return alive(raw_);
}

} // namespace tasks::ssh
