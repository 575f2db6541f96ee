#define CAF_SUITE ssh.connect
#include <caf/test/unit_test.hpp>

#include <chrono>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "actors/ssh/session.hpp"
#include "core/error.hpp"
#include "support/sshd.hpp"

using namespace tasks;
using namespace tasks::ssh;
using tasks::test::read_file;
using tasks::test::test_sshd;

namespace {

using clock_type = std::chrono::steady_clock;

/// A socket bound to a loopback port; listening only when asked. Bound and
/// not listening, the port refuses connections and nobody else takes it.
struct loopback_socket {
  int fd = -1;
  uint16_t port = 0;
  explicit loopback_socket(bool listening) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    CAF_REQUIRE(fd >= 0);
    CAF_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr)
                == 0);
    CAF_REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len)
                == 0);
    port = ntohs(addr.sin_port);
    if (listening)
      CAF_REQUIRE(::listen(fd, 16) == 0);
  }
  ~loopback_socket() { ::close(fd); }
};

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (auto pos = text.find(part); pos != std::string::npos;
       pos = text.find(part, pos + 1))
    ++n;
  return n;
}

struct fixture {
  test_sshd sshd;

  /// Root by the authorized ed25519 key file, host key not pinned.
  target by_key_file() {
    target t;
    t.host = "127.0.0.1";
    t.port = sshd.port();
    t.username = sshd.user();
    t.connect_timeout = std::chrono::seconds(5);
    t.key_file = sshd.key_file();
    return t;
  }

  /// Root with nothing configured yet.
  target bare() {
    auto t = by_key_file();
    t.key_file.clear();
    return t;
  }

  void use_vault_key(target& t) {
    t.has_vault_key = true;
    t.vault_key_text = sshd.rsa_key_text();
    t.vault_key_passphrase = sshd.rsa_passphrase();
  }

  std::string error_of(const target& t) {
    auto s = session::open(t);
    CAF_REQUIRE(!s);
    return message_of(s.error());
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(ssh_connect_tests, fixture)

CAF_TEST(key_file_login_succeeds) {
  auto s = session::open(by_key_file());
  CAF_REQUIRE(s);
  CAF_CHECK(s->reusable());
  CAF_CHECK_EQUAL(s->opened_for().port, sshd.port());
  CAF_CHECK(s->opened_for().same_endpoint(by_key_file()));
}

CAF_TEST(vault_key_login_with_encrypted_pem_rsa_succeeds) {
  auto t = bare();
  use_vault_key(t);
  CAF_REQUIRE(t.vault_key_text.find("BEGIN RSA PRIVATE KEY")
              != std::string::npos);
  auto s = session::open(t);
  if (!s)
    CAF_FAIL(message_of(s.error()));
  CAF_CHECK(s->reusable());
}

CAF_TEST(password_login_succeeds) {
  auto t = bare();
  t.username = test_sshd::password_user;
  t.has_password = true;
  t.password = sshd.password();
  auto s = session::open(t);
  if (!s)
    CAF_FAIL(message_of(s.error()) << "\n" << sshd.log());
  CAF_CHECK(s->reusable());
}

CAF_TEST(rejected_vault_key_falls_back_to_key_file) {
  auto t = by_key_file();
  t.has_vault_key = true;
  t.vault_key_text = read_file(sshd.unauthorized_key_file());
  auto s = session::open(t);
  CAF_REQUIRE(s);
  // The log shows the vault key refused before the key file was accepted.
  const auto log = sshd.log();
  const auto failed = log.find("Failed publickey for " + sshd.user());
  const auto accepted = log.find("Accepted publickey for " + sshd.user());
  CAF_REQUIRE(failed != std::string::npos);
  CAF_REQUIRE(accepted != std::string::npos);
  CAF_CHECK_LESS(failed, accepted);
}

CAF_TEST(vault_key_with_wrong_passphrase_falls_back_to_key_file) {
  auto t = by_key_file();
  use_vault_key(t);
  t.vault_key_passphrase = "not the passphrase";
  auto s = session::open(t);
  CAF_REQUIRE(s);
}

CAF_TEST(all_methods_failing_lists_what_was_tried_in_order) {
  auto t = bare();
  use_vault_key(t);
  t.vault_key_passphrase = "not the passphrase";
  t.key_file = sshd.unauthorized_key_file();
  t.has_password = true;
  t.password = "wrong";
  CAF_CHECK_EQUAL(error_of(t),
                  "authentication failed (tried: vault key, key file, "
                  "password)");
  auto u = bare();
  u.key_file = sshd.dir() + "/no-such-key";
  u.has_password = true;
  u.password = "wrong";
  CAF_CHECK_EQUAL(error_of(u), "authentication failed (tried: key file, "
                               "password)");
}

CAF_TEST(encrypted_key_file_fails_over_without_prompting) {
  auto t = bare();
  t.key_file = sshd.rsa_key_file(); // needs a passphrase a key file lacks
  t.has_password = true;
  t.password = "wrong";
  CAF_CHECK_EQUAL(error_of(t),
                  "authentication failed (tried: key file, password)");
}

CAF_TEST(wrong_password_fails) {
  auto t = bare();
  t.username = test_sshd::password_user;
  t.has_password = true;
  t.password = sshd.password() + "x";
  auto s = session::open(t);
  CAF_REQUIRE(!s);
  CAF_CHECK(s.error() == errc::ssh_failure);
  CAF_CHECK_EQUAL(message_of(s.error()),
                  "authentication failed (tried: password)");
}

CAF_TEST(no_configured_method_fails) {
  CAF_CHECK_EQUAL(error_of(bare()),
                  "authentication failed (no method configured)");
}

CAF_TEST(closed_port_is_connection_refused) {
  loopback_socket closed{false};
  auto t = by_key_file();
  t.port = closed.port;
  CAF_CHECK_EQUAL(error_of(t), "connection refused");
}

CAF_TEST(silent_listener_times_out_within_connect_timeout) {
  loopback_socket silent{true}; // accepts TCP, never says a word
  auto t = by_key_file();
  t.port = silent.port;
  t.connect_timeout = std::chrono::seconds(1);
  const auto start = clock_type::now();
  CAF_CHECK_EQUAL(error_of(t), "connection timed out");
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
                        clock_type::now() - start)
                        .count();
  CAF_MESSAGE("timed out after " << took << " ms");
  CAF_CHECK_GREATER_OR_EQUAL(took, 900);
  CAF_CHECK_LESS(took, 1500);
}

CAF_TEST(slow_authentication_counts_against_connect_timeout) {
  test_sshd slow{5};
  auto t = by_key_file();
  t.port = slow.port();
  t.connect_timeout = std::chrono::seconds(1);
  const auto start = clock_type::now();
  CAF_CHECK_EQUAL(error_of(t), "connection timed out");
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
                        clock_type::now() - start)
                        .count();
  CAF_MESSAGE("slow login timed out after " << took << " ms");
  CAF_CHECK_GREATER_OR_EQUAL(took, 900);
  CAF_CHECK_LESS(took, 1500);
}

CAF_TEST(unresolvable_host_is_unreachable) {
  auto t = by_key_file();
  t.host = "no-such-host.invalid";
  CAF_CHECK_EQUAL(error_of(t), "host unreachable");
}

CAF_TEST(first_use_offers_the_key_for_pinning) {
  auto s = session::open(by_key_file());
  CAF_REQUIRE(s);
  CAF_CHECK(s->needs_pin());
  CAF_CHECK_EQUAL(s->host_key(), sshd.host_key_fingerprint());
  auto t = by_key_file();
  t.pinned_host_key = s->host_key();
  auto pinned = session::open(t);
  CAF_REQUIRE(pinned);
  CAF_CHECK(!pinned->needs_pin());
  CAF_CHECK_EQUAL(pinned->host_key(), sshd.host_key_fingerprint());
}

CAF_TEST(strict_policy_refuses_an_unpinned_host) {
  auto t = by_key_file();
  t.policy = host_key_policy::strict;
  auto s = session::open(t);
  CAF_REQUIRE(!s);
  CAF_CHECK(s.error() == errc::ssh_failure);
  CAF_CHECK_EQUAL(message_of(s.error()),
                  "host key not pinned (TASKS_HOST_KEY_POLICY=strict)");
  CAF_CHECK_EQUAL(count(sshd.log(), "Accepted publickey"), 0u);
  t.pinned_host_key = sshd.host_key_fingerprint();
  CAF_CHECK(session::open(t));
}

CAF_TEST(changed_host_key_is_a_mismatch_and_nothing_logs_in) {
  auto first = session::open(by_key_file());
  CAF_REQUIRE(first);
  const auto pin = first->host_key();
  first = caf::error{}; // disconnect
  sshd.rotate_host_key();
  CAF_REQUIRE_NOT_EQUAL(sshd.host_key_fingerprint(), pin);
  auto t = by_key_file();
  t.pinned_host_key = pin;
  auto s = session::open(t);
  CAF_REQUIRE(!s);
  CAF_CHECK(s.error() == errc::host_key_mismatch);
  CAF_CHECK_EQUAL(message_of(s.error()), "host key mismatch");
  // One login in the whole log (the first): the mismatch never authenticated,
  // so it could not run anything.
  const auto log = sshd.log();
  CAF_CHECK_EQUAL(count(log, "Accepted publickey"), 1u);
  CAF_CHECK_EQUAL(count(log, "Failed publickey"), 0u);
  CAF_CHECK_EQUAL(count(log, "Postponed publickey"), 0u);
}

CAF_TEST(sessions_move) {
  auto s = session::open(by_key_file());
  CAF_REQUIRE(s);
  session moved{std::move(*s)};
  CAF_CHECK(moved.reusable());
  CAF_CHECK(!s->reusable());
  CAF_CHECK_EQUAL(moved.host_key(), sshd.host_key_fingerprint());
  moved.poison();
  CAF_CHECK(!moved.reusable());
}

CAF_TEST_FIXTURE_SCOPE_END()
