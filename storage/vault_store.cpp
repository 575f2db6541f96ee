// The vault: private keys and their passphrases, sealed with the master key.
#include "storage/store.hpp"

#include "core/error.hpp"
#include "storage/codec.hpp"
#include "storage/keys.hpp"
#include "storage/record_helpers.hpp"
#include "storage/sealed_places.hpp"

namespace tasks::storage {

using namespace detail;

caf::expected<vault_entry> store::add_vault_entry(const std::string& name,
                                                  const std::string& key_text,
                                                  const std::string& passphrase,
                                                  const audit_origin& who) {
  if (auto err = validate_name("name", name))
    return err;
  if (key_text.empty())
    return invalid("key_text: must not be empty");
  auto lock = lock_for_write();
  if (!lock)
    return lock.error();
  auto taken = lookup_name(db_, cf::vault, "vault entry", name);
  if (!taken)
    return taken.error();
  if (*taken)
    return make_error(errc::already_exists,
                      "vault entry '" + name + "' already exists");
  write_batch batch{db_};
  auto id = next_id(keys::meta::next_vault_id, batch);
  if (!id)
    return id.error();
  vault_entry v;
  v.id = *id;
  v.name = name;
  v.sealed_key = seal(master_, key_text, vault_key_aad(v.id));
  if (!passphrase.empty())
    v.sealed_passphrase = seal(master_, passphrase, vault_passphrase_aad(v.id));
  v.created_at = now();
  batch.put(cf::vault, keys::record_by_id(v.id), encode(v));
  batch.put(cf::vault, keys::id_by_name(v.name), id_value(v.id));
  auto event = event_for(who, "vault.import");
  event.metadata = audit_metadata{}
                       .add("vault_id", static_cast<int64_t>(v.id))
                       .add("name", v.name)
                       .add("has_passphrase", !passphrase.empty())
                       .str();
  add_audit(batch, event);
  if (auto err = commit(batch))
    return err;
  return v;
}

caf::expected<vault_entry> store::get_vault_entry(uint64_t id) {
  auto value = db_.get(cf::vault, keys::record_by_id(id));
  if (!value)
    return value.error();
  if (!*value)
    return make_error(errc::not_found,
                      "vault entry " + std::to_string(id) + " not found");
  return decode_vault_entry(**value);
}

caf::expected<std::vector<vault_entry>> store::list_vault_entries() {
  return scan_records<vault_entry>(db_, cf::vault, decode_vault_entry);
}

caf::error store::remove_vault_entry(uint64_t id, const audit_origin& who) {
  auto lock = lock_for_write();
  if (!lock)
    return lock.error();
  auto entry = get_vault_entry(id);
  if (!entry)
    return entry.error();
  auto servers = list_servers();
  if (!servers)
    return servers.error();
  for (const auto& s : *servers)
    if (s.vault_key_id == id)
      return make_error(errc::conflict, "vault entry '" + entry->name
                                            + "' is used by server '" + s.name
                                            + "'");
  write_batch batch{db_};
  batch.erase(cf::vault, keys::record_by_id(id));
  batch.erase(cf::vault, keys::id_by_name(entry->name));
  auto event = event_for(who, "vault.delete");
  event.metadata = audit_metadata{}
                       .add("vault_id", static_cast<int64_t>(id))
                       .add("name", entry->name)
                       .str();
  add_audit(batch, event);
  return commit(batch);
}

caf::expected<vault_secret> store::open_vault_entry(const vault_entry& entry) {
  auto fail = [&] {
    return make_error(errc::crypto_failure,
                      "cannot open vault entry '" + entry.name
                          + "': wrong master key or tampered record");
  };
  vault_secret secret;
  auto key = open_sealed(master_, entry.sealed_key, vault_key_aad(entry.id));
  if (!key)
    return fail();
  // Copy, then wipe: a moved short string leaves its bytes behind.
  secret.key_text = *key;
  wipe(*key);
  if (!entry.sealed_passphrase.empty()) {
    auto passphrase = open_sealed(master_, entry.sealed_passphrase,
                                  vault_passphrase_aad(entry.id));
    if (!passphrase)
      return fail();
    secret.passphrase = *passphrase;
    wipe(*passphrase);
  }
  return secret;
}

} // namespace tasks::storage
