// Servers, with their sealed passwords and pinned host keys.
#include "storage/store.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "storage/codec.hpp"
#include "storage/keys.hpp"
#include "storage/record_helpers.hpp"
#include "storage/sealed_places.hpp"

namespace tasks::storage {

using namespace detail;

namespace {

constexpr size_t host_max_bytes = 253;
constexpr uint32_t max_concurrent_limit = 256;
constexpr std::string_view fingerprint_prefix = "SHA256:";
/// Unpadded base64 of a SHA-256 digest.
constexpr size_t fingerprint_digits = 43;

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
         || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

bool is_blank_or_control(char c) {
  return c == ' ' || is_control(c);
}

caf::error validate_fingerprint(const std::string& fingerprint) {
  auto digits = std::string_view{fingerprint}.substr(
      std::min(fingerprint.size(), fingerprint_prefix.size()));
  if (fingerprint.compare(0, fingerprint_prefix.size(), fingerprint_prefix) != 0
      || digits.size() != fingerprint_digits
      || !std::all_of(digits.begin(), digits.end(), is_base64_char))
    return invalid("host_key: must be 'SHA256:' followed by 43 base64 "
                   "characters, as OpenSSH prints it");
  return {};
}

/// Checks every field but the reference to the vault; `has_password` says
/// whether the server will hold a password.
caf::error validate_fields(const server& s, bool has_password) {
  if (auto err = validate_name("name", s.name))
    return err;
  if (s.host.empty())
    return invalid("host: must not be empty");
  if (s.host.size() > host_max_bytes)
    return invalid("host: longer than " + std::to_string(host_max_bytes)
                   + " bytes");
  if (std::any_of(s.host.begin(), s.host.end(), is_blank_or_control))
    return invalid("host: must not contain spaces or control characters");
  if (s.port == 0)
    return invalid("port: must be from 1 to 65535");
  if (s.username.empty())
    return invalid("username: must not be empty");
  if (s.username.size() > limits::name_max_bytes)
    return invalid("username: longer than "
                   + std::to_string(limits::name_max_bytes) + " bytes");
  if (std::any_of(s.username.begin(), s.username.end(), is_blank_or_control))
    return invalid("username: must not contain spaces or control characters");
  if (std::any_of(s.key_file.begin(), s.key_file.end(), is_control))
    return invalid("key_file: must not contain control characters");
  if (!s.vault_key_id && s.key_file.empty() && !has_password)
    return invalid("auth: configure a vault key, a key file or a password");
  if (s.max_concurrent_tasks
      && (*s.max_concurrent_tasks < 1
          || *s.max_concurrent_tasks > max_concurrent_limit))
    return invalid("max_concurrent_tasks: must be from 1 to "
                   + std::to_string(max_concurrent_limit));
  if (!s.host_key.empty())
    return validate_fingerprint(s.host_key);
  return {};
}

/// The configured authentication methods in the order SSH tries them.
std::string auth_methods(const server& s) {
  std::string out;
  auto add = [&](const char* method) {
    if (!out.empty())
      out += ',';
    out += method;
  };
  if (s.vault_key_id)
    add("vault_key");
  if (!s.key_file.empty())
    add("key_file");
  if (!s.sealed_password.empty())
    add("password");
  return out;
}

/// Describes a server for the audit log: never its password.
audit_metadata server_metadata(const server& s) {
  audit_metadata meta;
  meta.add("name", s.name)
      .add("host", s.host)
      .add("port", int64_t{s.port})
      .add("ssh_user", s.username)
      .add("auth", auth_methods(s));
  if (s.vault_key_id)
    meta.add("vault_key_id", static_cast<int64_t>(*s.vault_key_id));
  if (s.max_concurrent_tasks)
    meta.add("max_concurrent_tasks", int64_t{*s.max_concurrent_tasks});
  return meta;
}

/// A server may only name a vault entry that exists.
caf::error check_vault_reference(store& st, const server& s) {
  if (!s.vault_key_id)
    return {};
  auto entry = st.get_vault_entry(*s.vault_key_id);
  if (entry)
    return {};
  if (entry.error() == errc::not_found)
    return invalid("vault_key_id: vault entry "
                   + std::to_string(*s.vault_key_id) + " not found");
  return entry.error();
}

} // namespace

// -- servers ------------------------------------------------------------------

caf::expected<server>
store::add_server(server s, const std::optional<std::string>& password,
                  const audit_origin& who) {
  if (password && password->empty())
    return invalid("password: must not be empty");
  s.sealed_password.clear(); // only this store seals passwords
  if (auto err = validate_fields(s, password.has_value()))
    return err;
  auto lock = lock_for_write();
  if (!lock)
    return lock.error();
  if (auto err = check_vault_reference(*this, s))
    return err;
  auto taken = lookup_name(db_, cf::servers, "server", s.name);
  if (!taken)
    return taken.error();
  if (*taken)
    return make_error(errc::already_exists,
                      "server '" + s.name + "' already exists");
  write_batch batch{db_};
  auto id = next_id(keys::meta::next_server_id, batch);
  if (!id)
    return id.error();
  s.id = *id;
  s.created_at = now();
  if (password)
    s.sealed_password = seal(master_, *password, password_aad(s.id));
  batch.put(cf::servers, keys::record_by_id(s.id), encode(s));
  batch.put(cf::servers, keys::id_by_name(s.name), id_value(s.id));
  auto event = event_for(who, "server.create");
  event.server_id = s.id;
  auto meta = server_metadata(s);
  if (!s.host_key.empty())
    meta.add("host_key", s.host_key);
  event.metadata = meta.str();
  add_audit(batch, event);
  if (auto err = commit(batch))
    return err;
  return s;
}

caf::expected<server> store::get_server(uint64_t id) {
  auto value = db_.get(cf::servers, keys::record_by_id(id));
  if (!value)
    return value.error();
  if (!*value)
    return make_error(errc::not_found,
                      "server " + std::to_string(id) + " not found");
  return decode_server(**value);
}

caf::expected<server> store::find_server(const std::string& name) {
  auto id = lookup_name(db_, cf::servers, "server", name);
  if (!id)
    return id.error();
  if (!*id)
    return make_error(errc::not_found, "server '" + name + "' not found");
  return get_server(**id);
}

caf::expected<std::vector<server>> store::list_servers() {
  return scan_records<server>(db_, cf::servers, decode_server);
}

caf::expected<server>
store::update_server(server s, const std::optional<std::string>& password,
                     const audit_origin& who) {
  auto lock = lock_for_write();
  if (!lock)
    return lock.error();
  auto stored = get_server(s.id);
  if (!stored)
    return stored.error();
  // The sealed password and the creation time are the store's; an empty
  // host key keeps the pin (a caller that forgot it must not unpin).
  s.created_at = stored->created_at;
  s.sealed_password = stored->sealed_password;
  if (password)
    s.sealed_password = password->empty()
                            ? std::string{}
                            : seal(master_, *password, password_aad(s.id));
  if (s.host_key.empty())
    s.host_key = stored->host_key;
  if (auto err = validate_fields(s, !s.sealed_password.empty()))
    return err;
  if (auto err = check_vault_reference(*this, s))
    return err;
  write_batch batch{db_};
  if (s.name != stored->name) {
    auto taken = lookup_name(db_, cf::servers, "server", s.name);
    if (!taken)
      return taken.error();
    if (*taken)
      return make_error(errc::already_exists,
                        "server '" + s.name + "' already exists");
    batch.erase(cf::servers, keys::id_by_name(stored->name));
    batch.put(cf::servers, keys::id_by_name(s.name), id_value(s.id));
  }
  batch.put(cf::servers, keys::record_by_id(s.id), encode(s));
  auto event = event_for(who, "server.update");
  event.server_id = s.id;
  auto meta = server_metadata(s);
  if (s.name != stored->name)
    meta.add("previous_name", stored->name);
  if (password)
    meta.add(password->empty() ? "password_removed" : "password_changed", true);
  if (s.host_key != stored->host_key)
    meta.add("host_key", s.host_key);
  event.metadata = meta.str();
  add_audit(batch, event);
  if (auto err = commit(batch))
    return err;
  return s;
}

caf::error store::remove_server(uint64_t id, const audit_origin& who) {
  auto lock = lock_for_write();
  if (!lock)
    return lock.error();
  auto stored = get_server(id);
  if (!stored)
    return stored.error();
  write_batch batch{db_};
  batch.erase(cf::servers, keys::record_by_id(id));
  batch.erase(cf::servers, keys::id_by_name(stored->name));
  auto event = event_for(who, "server.delete");
  event.server_id = id;
  event.metadata = audit_metadata{}
                       .add("name", stored->name)
                       .add("host", stored->host)
                       .add("port", int64_t{stored->port})
                       .str();
  add_audit(batch, event);
  return commit(batch);
}

caf::expected<server> store::pin_host_key(uint64_t id,
                                          const std::string& fingerprint,
                                          const audit_origin& who) {
  if (auto err = validate_fingerprint(fingerprint))
    return err;
  auto lock = lock_for_write();
  if (!lock)
    return lock.error();
  auto s = get_server(id);
  if (!s)
    return s.error();
  if (s->host_key == fingerprint)
    return s;
  if (!s->host_key.empty())
    return make_error(errc::conflict, "host key mismatch: pinned " + s->host_key
                                          + ", offered " + fingerprint);
  s->host_key = fingerprint;
  write_batch batch{db_};
  batch.put(cf::servers, keys::record_by_id(id), encode(*s));
  auto event = event_for(who, "server.host_key_pinned");
  event.server_id = id;
  event.metadata = audit_metadata{}
                       .add("name", s->name)
                       .add("fingerprint", fingerprint)
                       .str();
  add_audit(batch, event);
  if (auto err = commit(batch))
    return err;
  return s;
}

caf::expected<std::string> store::server_password(const server& s) {
  if (s.sealed_password.empty())
    return make_error(errc::not_found,
                      "server " + std::to_string(s.id) + " has no password");
  auto password = open_sealed(master_, s.sealed_password, password_aad(s.id));
  if (!password)
    return make_error(errc::crypto_failure,
                      "cannot open the password of server "
                          + std::to_string(s.id)
                          + ": wrong master key or tampered record");
  return password;
}

} // namespace tasks::storage
