// The rbac actor: wiring, token authentication and logout.
#include <caf/all.hpp>

#include "actors/rbac.hpp"

#include <algorithm>

#include "actors/hasher.hpp"
#include "actors/rbac_detail.hpp"
#include "actors/timeouts.hpp"
#include "core/error.hpp"
#include "storage/crypto.hpp"

namespace tasks {

namespace rbac_detail {

namespace {

constexpr size_t token_body_size = 43;

caf::error invalid_token() {
  return make_error(errc::unauthenticated, "invalid or expired token");
}

bool is_base64url(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
         || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/// A missing token or user is a failed authentication; anything else
/// (a store failure) is passed on as it is.
caf::error auth_error(caf::error err) {
  return err == errc::not_found ? invalid_token() : std::move(err);
}

/// Second step of a cache miss: the token's user decides.
void finish_auth(rbac_self self, const std::string& hash,
                 const token_record& token, uint64_t generation,
                 caf::typed_response_promise<principal> rp) {
  self->request(self->state.storage, timeouts::storage, get_atom::value,
                user_atom::value, token.user_id)
      .then(
          [self, hash, expires_at = token.expires_at, generation,
           rp](user& u) mutable {
            if (u.disabled) {
              rp.deliver(invalid_token());
              return;
            }
            principal who{u.id, u.username, u.user_role};
            auto& st = self->state;
            st.tokens->put(hash, who, expires_at, st.cfg.clock(), generation);
            rp.deliver(std::move(who));
          },
          [rp](caf::error& err) mutable { rp.deliver(auth_error(err)); });
}

} // namespace

caf::error bad_credentials() {
  return make_error(errc::unauthenticated, "invalid username or password");
}

bool well_formed_token(std::string_view token) {
  auto prefix = storage::token_prefix;
  return token.size() == prefix.size() + token_body_size
         && token.substr(0, prefix.size()) == prefix
         && std::all_of(token.begin() + static_cast<long>(prefix.size()),
                        token.end(), is_base64url);
}

user without_secrets(user u) {
  u.password_hash.clear();
  return u;
}

caf::result<principal> authenticate(rbac_self self, const std::string& token) {
  // A malformed token never reaches the store.
  if (!well_formed_token(token))
    return invalid_token();
  auto& st = self->state;
  auto hash = storage::token_hash(token);
  if (auto who = st.tokens->find(hash, st.cfg.clock()))
    return *who;
  auto generation = st.tokens->generation();
  auto rp = self->make_response_promise<principal>();
  self->request(st.storage, timeouts::storage, find_atom::value,
                token_atom::value, hash)
      .then(
          [self, hash, generation, rp](token_record& token) mutable {
            if (token.expires_at <= self->state.cfg.clock()) {
              rp.deliver(invalid_token());
              return;
            }
            finish_auth(self, hash, token, generation, rp);
          },
          [rp](caf::error& err) mutable { rp.deliver(auth_error(err)); });
  return rp;
}

caf::result<bool> logout(rbac_self self, const std::string& token,
                         const audit_origin& who) {
  if (!well_formed_token(token))
    return false;
  auto& st = self->state;
  auto hash = storage::token_hash(token);
  st.tokens->erase(hash);
  auto rp = self->make_response_promise<bool>();
  self->request(st.storage, timeouts::storage, revoke_atom::value, hash, who)
      .then(
          [self, hash, rp](bool revoked) mutable {
            // Again: an authentication that raced with the revoke may have
            // cached the token meanwhile.
            self->state.tokens->erase(hash);
            rp.deliver(revoked);
          },
          [rp](caf::error& err) mutable { rp.deliver(err); });
  return rp;
}

} // namespace rbac_detail

std::optional<principal> cached_principal(const shared_token_cache& tokens,
                                          const std::string& token,
                                          timestamp now) {
  if (!rbac_detail::well_formed_token(token))
    return std::nullopt;
  return tokens.peek(storage::token_hash(token), now);
}

rbac_config rbac_config::from(const config& cfg) {
  rbac_config result;
  result.token_ttl = std::chrono::seconds{cfg.token_ttl};
  return result;
}

const hasher_actor& rbac_state::hasher() {
  auto& h = hashers[next_hasher % hashers.size()];
  next_hasher = (next_hasher + 1) % hashers.size();
  return h;
}

rbac_actor::behavior_type rbac(rbac_actor::stateful_pointer<rbac_state> self,
                               storage_actor storage,
                               std::vector<hasher_actor> hashers,
                               rbac_config cfg) {
  using namespace rbac_detail;
  auto& st = self->state;
  st.storage = std::move(storage);
  st.hashers = std::move(hashers);
  for (const auto& h : st.hashers)
    self->link_to(h);
  st.tokens = cfg.tokens ? cfg.tokens
                         : std::make_shared<shared_token_cache>(
                             cfg.max_cached_tokens, cfg.cache_lifetime);
  st.users = login_throttle{cfg.per_user};
  st.addresses = login_throttle{cfg.per_address};
  st.cfg = std::move(cfg);
  return {
      [self](auth_atom, const std::string& token) -> caf::result<principal> {
        return authenticate(self, token);
      },
      [self](login_atom, login_request& request) -> caf::result<login_grant> {
        return login(self, request);
      },
      [self](logout_atom, const std::string& token, const audit_origin& who)
          -> caf::result<bool> { return logout(self, token, who); },
      [self](list_atom, user_atom) -> caf::result<std::vector<user>> {
        return list_users(self);
      },
      [self](get_atom, user_atom, uint64_t id) -> caf::result<user> {
        return get_user(self, id);
      },
      [self](create_atom, user_atom, user_change& change,
             const audit_origin& who) -> caf::result<user> {
        return create_user(self, change, who);
      },
      [self](update_atom, user_atom, uint64_t id, user_change& change,
             const audit_origin& who) -> caf::result<user> {
        return update_user(self, id, change, who);
      },
  };
}

caf::expected<rbac_actor> spawn_rbac(caf::actor_system& sys,
                                     storage_actor storage, rbac_config cfg) {
  if (cfg.dummy_hash.empty()) {
    auto secret = storage::random_password();
    auto phc = storage::hash_password(secret, cfg.cost);
    storage::wipe(secret);
    if (!phc)
      return phc.error();
    cfg.dummy_hash = std::move(*phc);
  }
  std::vector<hasher_actor> hashers;
  for (size_t i = 0; i < std::max<size_t>(cfg.hashers, 1); ++i)
    hashers.push_back(sys.spawn<caf::detached>(hasher, cfg.cost));
  return sys.spawn(rbac, std::move(storage), std::move(hashers),
                   std::move(cfg));
}

} // namespace tasks
