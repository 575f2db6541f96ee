// Master key rotation: re-sealing in one batch and finishing an interrupted
// rotation on the next open (see rotate_master.hpp).
#include "storage/rotate_master.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

#include "core/error.hpp"
#include "storage/codec.hpp"
#include "storage/keys.hpp"
#include "storage/record_helpers.hpp"
#include "storage/sealed_places.hpp"
#include "storage/store.hpp"

namespace tasks::storage {

using namespace detail;

namespace {

caf::error file_error(const std::string& what, const std::string& path) {
  return make_error(errc::storage_failure,
                    what + " " + path + ": " + std::strerror(errno));
}

/// fsyncs the directory holding `path`, so a rename or unlink in it lasts.
void sync_parent(const std::string& path) {
  auto slash = path.find_last_of('/');
  auto dir
      = slash == std::string::npos ? std::string{"."} : path.substr(0, slash);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

bool file_exists(const std::string& path) {
  return ::access(path.c_str(), F_OK) == 0;
}

/// Opens one sealed value under `from` and seals it under `to`.
caf::expected<std::string> reseal(const secret_key& from, const secret_key& to,
                                  const std::string& sealed,
                                  std::string_view aad) {
  auto plain = open_sealed(from, sealed, aad);
  if (!plain)
    return make_error(errc::crypto_failure,
                      "cannot open " + std::string{aad}
                          + " with the current master key: tampered record?");
  auto result = seal(to, *plain, aad);
  wipe(*plain);
  return result;
}

} // namespace

std::string pending_master_key_path(const std::string& key_file) {
  return key_file + ".new";
}

caf::expected<bool> store_sealed_with(database& db, const secret_key& key) {
  auto check = db.get(cf::meta, keys::meta::master_key_check);
  if (!check)
    return check.error();
  auto sealed = db.get(cf::meta, keys::meta::audit_key);
  if (!sealed)
    return sealed.error();
  if (!*check || !*sealed)
    return false;
  if (!constant_time_equal(**check, hmac_sha256(key, master_check_label)))
    return false;
  auto audit_key = open_sealed(key, **sealed, audit_key_aad);
  if (!audit_key)
    return false;
  wipe(*audit_key);
  return true;
}

caf::error commit_pending_master_key(const std::string& key_file) {
  auto pending = pending_master_key_path(key_file);
  if (::rename(pending.c_str(), key_file.c_str()) != 0)
    return file_error("cannot rename " + pending + " to", key_file);
  sync_parent(key_file);
  return {};
}

caf::expected<secret_key>
load_master_key_for(database& db, const std::string& key_file, bool create) {
  auto pending = pending_master_key_path(key_file);
  if (!file_exists(pending))
    return load_master_key(key_file, create);
  // An interrupted rotation: the batch decides which key is current.
  if (auto fresh = load_master_key(pending, false)) {
    auto sealed = store_sealed_with(db, *fresh);
    if (!sealed)
      return sealed.error();
    if (*sealed) {
      if (!db.read_only())
        if (auto err = commit_pending_master_key(key_file))
          return err;
      return fresh;
    }
  }
  auto old = load_master_key(key_file, false);
  if (!old)
    return old.error();
  auto sealed = store_sealed_with(db, *old);
  if (!sealed)
    return sealed.error();
  // Sealed with neither: keep both files; store::open names the mismatch.
  if (*sealed && !db.read_only()) {
    if (::unlink(pending.c_str()) != 0 && errno != ENOENT)
      return file_error("cannot remove", pending);
    sync_parent(pending);
  }
  return old;
}

caf::expected<reseal_report> store::reseal_all(const secret_key& new_master,
                                               const audit_origin& who) {
  auto lock = lock_for_write();
  if (!lock)
    return lock.error();
  write_batch batch{db_};
  reseal_report report;
  auto entries = list_vault_entries();
  if (!entries)
    return entries.error();
  for (auto& v : *entries) {
    auto key = reseal(master_, new_master, v.sealed_key, vault_key_aad(v.id));
    if (!key)
      return key.error();
    v.sealed_key = std::move(*key);
    if (!v.sealed_passphrase.empty()) {
      auto passphrase = reseal(master_, new_master, v.sealed_passphrase,
                               vault_passphrase_aad(v.id));
      if (!passphrase)
        return passphrase.error();
      v.sealed_passphrase = std::move(*passphrase);
    }
    batch.put(cf::vault, keys::record_by_id(v.id), encode(v));
    ++report.vault_entries;
  }
  auto servers = list_servers();
  if (!servers)
    return servers.error();
  for (auto& s : *servers) {
    if (s.sealed_password.empty())
      continue;
    auto password
        = reseal(master_, new_master, s.sealed_password, password_aad(s.id));
    if (!password)
      return password.error();
    s.sealed_password = std::move(*password);
    batch.put(cf::servers, keys::record_by_id(s.id), encode(s));
    ++report.server_passwords;
  }
  // The audit key itself stays: old records verify under it.
  batch.put(cf::meta, keys::meta::audit_key,
            seal(new_master, audit_key_.view(), audit_key_aad));
  batch.put(cf::meta, keys::meta::master_key_check,
            hmac_sha256(new_master, master_check_label));
  auto event = event_for(who, "vault.rotate_master");
  event.metadata
      = audit_metadata{}
            .add("vault_entries", static_cast<int64_t>(report.vault_entries))
            .add("server_passwords",
                 static_cast<int64_t>(report.server_passwords))
            .str();
  add_audit(batch, event);
  if (auto err = commit(batch))
    return err;
  master_ = new_master;
  return report;
}

} // namespace tasks::storage
