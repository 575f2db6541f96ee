// The rbac actor's password login: throttling, one argon2 verification per
// attempt (against a dummy hash for unknown and disabled users), a new
// token on success, auth.login_failed on failure.
#include <caf/all.hpp>

#include <memory>
#include <optional>

#include "actors/rbac_detail.hpp"
#include "actors/timeouts.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/utf8.hpp"
#include "storage/crypto.hpp"

namespace tasks::rbac_detail {

namespace {

constexpr size_t max_username_chars = 64;
/// Longest user agent kept in an audit record, in characters.
constexpr size_t max_user_agent_chars = 256;

/// One login from the first check to the answer; the password is wiped as
/// soon as the verification has its copy, and again on destruction.
struct login_attempt {
  login_request request;
  std::string user_key;
  /// Set once the username turned out to exist.
  std::optional<uint64_t> user_id;
  caf::typed_response_promise<login_grant> rp;

  ~login_attempt() { storage::wipe(request.password); }
};

using attempt_ptr = std::shared_ptr<login_attempt>;

/// Code points of UTF-8 text (invalid bytes count one each).
size_t char_count(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80)
      ++n;
  return n;
}

/// Usernames are ASCII: throttling keys on the lower-case form, so `Admin`
/// and `admin` share one counter.
std::string lower_ascii(std::string text) {
  for (auto& c : text)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return text;
}

caf::error throttled(const char* whom, std::chrono::seconds wait) {
  return make_error(errc::throttled, std::string{"too many failed logins "}
                                         + whom + "; retry in "
                                         + std::to_string(wait.count()) + " s");
}

/// Applies `f` to each throttle the attempt counts against.
template <class F>
void for_each_throttle(rbac_self self, login_attempt& a, F f) {
  f(self->state.users, a.user_key);
  if (!a.request.origin.client_ip.empty())
    f(self->state.addresses, a.request.origin.client_ip);
}

/// The attempt ended without a verdict: nothing is counted.
void give_up(rbac_self self, const attempt_ptr& a, caf::error err) {
  for_each_throttle(self, *a, [](login_throttle& t, const std::string& key) {
    t.abandon(key);
  });
  a->rp.deliver(std::move(err));
}

/// Counts the failure, audits it with its reason, and answers with the
/// one message that never tells the reasons apart.
void fail(rbac_self self, const attempt_ptr& a, const char* reason) {
  auto now = self->state.cfg.clock();
  for_each_throttle(self, *a, [now](login_throttle& t, const std::string& key) {
    t.failure(key, now);
  });
  const auto& origin = a->request.origin;
  audit_event event;
  event.action = "auth.login_failed";
  event.user_id = a->user_id;
  event.username = std::string{
      utf8::cut_chars(utf8::sanitize(a->request.username), max_username_chars)};
  event.client_ip = utf8::sanitize(origin.client_ip);
  event.user_agent = std::string{
      utf8::cut_chars(utf8::sanitize(origin.user_agent), max_user_agent_chars)};
  event.metadata = audit_metadata{}.add("reason", reason).str();
  self->request(self->state.storage, timeouts::storage, audit_atom::value,
                std::move(event))
      .then([a](uint64_t) { a->rp.deliver(bad_credentials()); },
            [a](caf::error& err) {
              log::error("cannot audit a failed login: {}", message_of(err));
              a->rp.deliver(bad_credentials());
            });
}

/// Stores a new token for `u` and answers with it.
void grant(rbac_self self, const attempt_ptr& a, const user& u) {
  auto& st = self->state;
  auto now = st.cfg.clock();
  auto token = storage::new_token();
  token_record record;
  record.hash = storage::token_hash(token);
  record.user_id = u.id;
  record.created_at = now;
  record.expires_at = now + st.cfg.token_ttl;
  record.origin = "login";
  audit_origin who{u.id, u.username, a->request.origin.client_ip,
                   a->request.origin.user_agent};
  principal grantee{u.id, u.username, u.user_role};
  auto generation = st.tokens->generation();
  self->request(st.storage, timeouts::storage, create_atom::value, record, who)
      .then(
          [self, a, token, grantee, generation](token_record& stored) mutable {
            auto& st = self->state;
            st.users.success(a->user_key);
            if (!a->request.origin.client_ip.empty())
              st.addresses.abandon(a->request.origin.client_ip);
            st.tokens->put(stored.hash, grantee, stored.expires_at,
                          st.cfg.clock(), generation);
            a->rp.deliver(
                login_grant{std::move(token), stored.expires_at, grantee});
          },
          [self, a](caf::error& err) {
            // conflict: the user was disabled after the password check.
            give_up(self, a,
                    err == errc::conflict ? bad_credentials() : std::move(err));
          });
}

/// Verifies the password against `phc`. Only a `candidate` can be granted;
/// without one the verification runs for its timing alone and the attempt
/// fails with `reason` either way.
void verify(rbac_self self, const attempt_ptr& a, const std::string& phc,
            std::optional<user> candidate, const char* reason) {
  auto& st = self->state;
  self->request(st.hasher(), timeouts::hasher, verify_atom::value, phc,
                std::string{a->request.password})
      .then(
          [self, a, candidate, reason](bool match) {
            if (match && candidate)
              grant(self, a, *candidate);
            else
              fail(self, a, reason);
          },
          [self, a](caf::error& err) { give_up(self, a, std::move(err)); });
  // The hasher wipes its copy; this one is no longer needed.
  storage::wipe(a->request.password);
}

/// The stored user decides which hash the password is checked against.
void check_user(rbac_self self, const attempt_ptr& a, user& u) {
  a->user_id = u.id;
  const auto& dummy = self->state.cfg.dummy_hash;
  if (u.disabled)
    verify(self, a, dummy, std::nullopt, "disabled");
  else if (u.password_hash.empty())
    verify(self, a, dummy, std::nullopt, "bad password");
  else
    verify(self, a, std::string{u.password_hash}, u, "bad password");
}

} // namespace

caf::result<login_grant> login(rbac_self self, login_request& request) {
  auto& st = self->state;
  auto chars = char_count(request.username);
  if (chars == 0 || chars > max_username_chars
      || request.username.size() > 4 * max_username_chars
      || request.password.empty()
      || request.password.size() > storage::max_password_size) {
    storage::wipe(request.password);
    return bad_credentials();
  }
  auto a = std::make_shared<login_attempt>();
  a->request = std::move(request);
  storage::wipe(request.password); // moved from, but be sure
  a->user_key = lower_ascii(a->request.username);
  auto now = st.cfg.clock();
  // Throttled attempts are refused before the password is looked at.
  if (auto wait = st.users.wait_time(a->user_key, now); wait.count() > 0)
    return throttled("for this user", wait);
  const auto& ip = a->request.origin.client_ip;
  if (!ip.empty())
    if (auto wait = st.addresses.wait_time(ip, now); wait.count() > 0)
      return throttled("from this address", wait);
  for_each_throttle(self, *a, [](login_throttle& t, const std::string& key) {
    t.begin(key);
  });
  a->rp = self->make_response_promise<login_grant>();
  self->request(st.storage, timeouts::storage, find_atom::value,
                user_atom::value, a->request.username)
      .then([self, a](user& u) { check_user(self, a, u); },
            [self, a](caf::error& err) {
              if (err == errc::not_found)
                verify(self, a, self->state.cfg.dummy_hash, std::nullopt,
                       "unknown user");
              else
                give_up(self, a, std::move(err));
            });
  return a->rp;
}

} // namespace tasks::rbac_detail
