// A real OpenSSH server on 127.0.0.1 for tests: its own temporary directory,
// host key, config and client keys; started by fork/exec, stopped by pid.
#pragma once

#include <cstdint>
#include <string>

#include <sys/types.h>

namespace tasks::test {

/// One sshd instance (see ../shared/notes/test-sshd.md). Fails the running
/// test when sshd cannot be set up. Root logs in by key; the account
/// `tasksd-test` (created by ./test.sh) logs in by password.
class test_sshd {
public:
  /// The account for password logins.
  static constexpr const char* password_user = "tasksd-test";

  /// Creates keys and config in a fresh directory and starts sshd. With
  /// `auth_delay_seconds`, every public key login first waits that long (an
  /// AuthorizedKeysCommand that sleeps): a server slow to authenticate.
  explicit test_sshd(int auth_delay_seconds = 0);

  /// Stops sshd and removes the directory.
  ~test_sshd();

  test_sshd(const test_sshd&) = delete;
  test_sshd& operator=(const test_sshd&) = delete;

  /// The port sshd listens on (127.0.0.1).
  uint16_t port() const { return port_; }

  /// The temporary directory; commands may leave files here.
  const std::string& dir() const { return dir_; }

  /// `SHA256:…` of the current host key, as `ssh-keygen -lf` prints it.
  const std::string& host_key_fingerprint() const { return fingerprint_; }

  /// The name of the user running the tests (root), who logs in by key.
  const std::string& user() const { return user_; }

  /// An unencrypted ed25519 key, authorized.
  std::string key_file() const { return dir_ + "/id_ed25519"; }

  /// A 2048-bit RSA key in PEM format encrypted with rsa_passphrase(),
  /// authorized: the vault-key path.
  std::string rsa_key_file() const { return dir_ + "/id_rsa_pem"; }

  /// The text of rsa_key_file().
  std::string rsa_key_text() const;

  /// The passphrase of rsa_key_file().
  const std::string& rsa_passphrase() const { return rsa_passphrase_; }

  /// An unencrypted ed25519 key that sshd does not accept.
  std::string unauthorized_key_file() const {
    return dir_ + "/id_unauthorized";
  }

  /// An ed25519 key authorized only with a forced command that evaluates
  /// the requested one; sshd refuses signal requests on such sessions.
  std::string forced_command_key_file() const { return dir_ + "/id_forced"; }

  /// Sets a fresh random password on password_user and returns it. Fails
  /// the test, naming ./test.sh, when the account does not exist.
  const std::string& password();

  /// Stops sshd, replaces the host key at the same path, starts it again on
  /// the same port.
  void rotate_host_key();

  /// Kills sshd (by pid) and waits for it; open connections stay up.
  void stop();

  /// Kills the sshd processes serving open connections (also those from
  /// before a rotate_host_key()) and waits until they are gone: open
  /// sessions break.
  void kill_connections();

  /// The sshd log so far, for failure messages.
  std::string log() const;

private:
  void start();
  void make_host_key();

  std::string dir_;
  std::string user_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::string fingerprint_;
  std::string rsa_passphrase_;
  std::string password_;
  int password_lock_ = -1;
};

/// Reads a whole file; empty when it does not exist.
std::string read_file(const std::string& path);

/// True while `pid` exists and is not a zombie (PID 1 here reaps nothing,
/// so killed orphans stay as zombies).
bool process_alive(long pid);

/// Peak resident set size of this process in KiB (VmHWM).
long peak_rss_kib();

/// Current resident set size of this process in KiB (VmRSS).
long current_rss_kib();

/// Resets VmHWM to the current RSS (writes 5 to /proc/self/clear_refs).
void reset_peak_rss();

} // namespace tasks::test
