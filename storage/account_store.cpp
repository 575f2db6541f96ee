// Users and their login tokens: records, unique names and token revocation.
#include "storage/store.hpp"

#include <algorithm>
#include <tuple>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "storage/codec.hpp"
#include "storage/keys.hpp"
#include "storage/record_helpers.hpp"

namespace tasks::storage {

using namespace detail;

namespace {

constexpr size_t token_hash_size = 32;

bool is_known_role(role r) {
  return static_cast<uint8_t>(r) <= static_cast<uint8_t>(role::viewer);
}

/// The first hex digits of a token hash: enough to tell tokens apart in the
/// audit log, far too little to find the token.
std::string token_id(std::string_view hash) {
  return to_hex(hash.substr(0, 4));
}

} // namespace

caf::expected<user> store::add_user(const std::string& username, role user_role,
                                    const std::string& password_hash,
                                    const audit_origin& who) {
  if (auto err = validate_name("username", username))
    return err;
  if (!is_known_role(user_role))
    return invalid("role: unknown role");
  auto lock = lock_for_write();
  if (!lock)
    return lock.error();
  auto taken = db_.get(cf::users, keys::id_by_name(username));
  if (!taken)
    return taken.error();
  if (*taken)
    return make_error(errc::already_exists,
                      "user '" + username + "' already exists");
  write_batch batch{db_};
  auto id = next_id(keys::meta::next_user_id, batch);
  if (!id)
    return id.error();
  user u;
  u.id = *id;
  u.username = username;
  u.user_role = user_role;
  u.password_hash = password_hash;
  u.created_at = now();
  std::string id_value;
  keys::put_u64(id_value, u.id);
  batch.put(cf::users, keys::record_by_id(u.id), encode(u));
  batch.put(cf::users, keys::id_by_name(u.username), id_value);
  auto event = event_for(who, "user.create");
  event.metadata = audit_metadata{}
                       .add("target_user_id", static_cast<int64_t>(u.id))
                       .add("target_username", u.username)
                       .add("role", to_string(u.user_role))
                       .str();
  add_audit(batch, event);
  if (auto err = commit(batch))
    return err;
  return u;
}

caf::expected<user> store::get_user(uint64_t id) {
  auto value = db_.get(cf::users, keys::record_by_id(id));
  if (!value)
    return value.error();
  if (!*value)
    return make_error(errc::not_found,
                      "user " + std::to_string(id) + " not found");
  return decode_user(**value);
}

caf::expected<user> store::find_user(const std::string& username) {
  auto value = db_.get(cf::users, keys::id_by_name(username));
  if (!value)
    return value.error();
  if (!*value)
    return make_error(errc::not_found, "user '" + username + "' not found");
  if ((*value)->size() != 8)
    return make_error(errc::corrupt_record,
                      "user name entry '" + username + "' is malformed");
  return get_user(keys::get_u64(**value, 0));
}

caf::expected<std::vector<user>> store::list_users() {
  std::string lower(1, keys::record_tag);
  auto c = db_.scan(cf::users, lower, keys::prefix_successor(lower));
  std::vector<user> result;
  for (c.seek_first(); c.valid(); c.next()) {
    auto u = decode_user(c.value());
    if (!u)
      return u.error();
    result.push_back(std::move(*u));
  }
  if (auto err = c.status())
    return err;
  return result;
}

caf::expected<user> store::update_user(const user& changed,
                                       const std::string& action,
                                       const audit_origin& who) {
  if (!is_known_role(changed.user_role))
    return invalid("role: unknown role");
  auto lock = lock_for_write();
  if (!lock)
    return lock.error();
  auto stored = get_user(changed.id);
  if (!stored)
    return stored.error();
  if (changed.username != stored->username)
    return invalid("username: cannot be changed (user "
                   + std::to_string(changed.id) + " is '" + stored->username
                   + "')");
  auto password_changed = changed.password_hash != stored->password_hash;
  auto u = std::move(*stored);
  u.user_role = changed.user_role;
  u.disabled = changed.disabled;
  u.password_hash = changed.password_hash;
  write_batch batch{db_};
  batch.put(cf::users, keys::record_by_id(u.id), encode(u));
  int64_t revoked = 0;
  // A disabled user never holds a token; a new password ends every session
  // that the old one opened.
  if (u.disabled || password_changed) {
    auto prefix = keys::tokens_of_user_prefix(u.id);
    auto c = db_.scan(cf::tokens, prefix, keys::prefix_successor(prefix));
    for (c.seek_first(); c.valid(); c.next()) {
      auto hash = c.key().substr(prefix.size());
      batch.erase(cf::tokens, keys::token(hash));
      batch.erase(cf::tokens, c.key());
      ++revoked;
    }
    if (auto err = c.status())
      return err;
  }
  auto event = event_for(who, action);
  audit_metadata meta;
  meta.add("target_user_id", static_cast<int64_t>(u.id))
      .add("target_username", u.username)
      .add("role", to_string(u.user_role))
      .add("disabled", u.disabled);
  if (password_changed)
    meta.add("password_changed", true);
  if (revoked > 0)
    meta.add("tokens_revoked", revoked);
  event.metadata = meta.str();
  add_audit(batch, event);
  if (auto err = commit(batch))
    return err;
  return u;
}

caf::error store::add_token(const token_record& token,
                            const audit_origin& who) {
  if (token.hash.size() != token_hash_size)
    return invalid("token: the hash must be " + std::to_string(token_hash_size)
                   + " bytes");
  auto lock = lock_for_write();
  if (!lock)
    return lock.error();
  auto owner = get_user(token.user_id);
  if (!owner)
    return owner.error();
  if (owner->disabled)
    return make_error(errc::conflict,
                      "user '" + owner->username + "' is disabled");
  auto existing = db_.get(cf::tokens, keys::token(token.hash));
  if (!existing)
    return existing.error();
  if (*existing)
    return make_error(errc::already_exists, "token already exists");
  auto record = token;
  if (record.created_at == timestamp{})
    record.created_at = now();
  write_batch batch{db_};
  batch.put(cf::tokens, keys::token(record.hash), encode(record));
  batch.put(cf::tokens, keys::token_of_user(record.user_id, record.hash), {});
  auto event = event_for(who, "token.create");
  event.metadata = audit_metadata{}
                       .add("token_id", token_id(record.hash))
                       .add("target_user_id", static_cast<int64_t>(owner->id))
                       .add("target_username", owner->username)
                       .add("origin", record.origin)
                       .add("expires_at", format_iso8601(record.expires_at))
                       .str();
  add_audit(batch, event);
  return commit(batch);
}

caf::expected<token_record> store::find_token(const std::string& hash) {
  auto value = db_.get(cf::tokens, keys::token(hash));
  if (!value)
    return value.error();
  if (!*value)
    return make_error(errc::not_found, "token not found");
  return decode_token(**value, hash);
}

caf::expected<std::vector<token_record>> store::list_tokens() {
  auto c = db_.scan(cf::tokens, "h", "i");
  std::vector<token_record> result;
  for (c.seek_first(); c.valid(); c.next()) {
    auto t = decode_token(c.value(), c.key().substr(1));
    if (!t)
      return t.error();
    result.push_back(std::move(*t));
  }
  if (auto err = c.status())
    return err;
  std::sort(result.begin(), result.end(), [](const auto& a, const auto& b) {
    return std::tie(a.user_id, a.created_at, a.hash)
           < std::tie(b.user_id, b.created_at, b.hash);
  });
  return result;
}

caf::error store::revoke_token(const std::string& hash,
                               const audit_origin& who) {
  auto lock = lock_for_write();
  if (!lock)
    return lock.error();
  auto token = find_token(hash);
  if (!token)
    return token.error();
  write_batch batch{db_};
  batch.erase(cf::tokens, keys::token(hash));
  batch.erase(cf::tokens, keys::token_of_user(token->user_id, hash));
  auto event = event_for(who, "token.revoke");
  audit_metadata meta;
  meta.add("token_id", token_id(hash))
      .add("target_user_id", static_cast<int64_t>(token->user_id));
  if (auto owner = get_user(token->user_id))
    meta.add("target_username", owner->username);
  event.metadata = meta.str();
  add_audit(batch, event);
  return commit(batch);
}

} // namespace tasks::storage
