// Opening the store: master key check, audit key, chain head, id counters,
// and the audit record added to every write.
#include "storage/store.hpp"

#include "core/error.hpp"
#include "storage/codec.hpp"
#include "storage/keys.hpp"
#include "storage/sealed_places.hpp"

namespace tasks::storage {

using detail::audit_key_aad;
using detail::master_check_label;

vault_secret::~vault_secret() {
  wipe(key_text);
  wipe(passphrase);
}

caf::expected<uint32_t> read_schema_version(database& db) {
  auto value = db.get(cf::meta, keys::meta::schema_version);
  if (!value)
    return value.error();
  if (!*value)
    return uint32_t{0};
  if ((*value)->size() != 4)
    return make_error(errc::corrupt_record, "meta schema_version is malformed");
  uint32_t version = 0;
  for (auto c : **value)
    version = version << 8 | static_cast<uint8_t>(c);
  return version;
}

store::store(database& db, const secret_key& master, store_options options)
    : db_(db), options_(options), master_(master) {
  // nop
}

store::~store() = default;

caf::expected<std::unique_ptr<store>>
store::open(database& db, const secret_key& master, store_options options) {
  auto version = read_schema_version(db);
  if (!version)
    return version.error();
  if (*version != schema_version)
    return make_error(*version > schema_version ? errc::schema_too_new
                                                : errc::conflict,
                      "the store in " + db.dir() + " is at schema version "
                          + std::to_string(*version) + ", this build uses "
                          + std::to_string(schema_version)
                          + ": run `tasksctl db migrate` or start tasksd");
  std::unique_ptr<store> result{new store(db, master, options)};
  if (auto err = result->load_state())
    return err;
  return result;
}

caf::error store::load_state() {
  auto expected_check = hmac_sha256(master_, master_check_label);
  auto check = db_.get(cf::meta, keys::meta::master_key_check);
  if (!check)
    return check.error();
  if (*check && !constant_time_equal(**check, expected_check))
    return make_error(errc::crypto_failure,
                      "the vault key file does not belong to the store in "
                          + db_.dir() + " (check TASKS_VAULT_KEY_FILE)");
  auto sealed = db_.get(cf::meta, keys::meta::audit_key);
  if (!sealed)
    return sealed.error();
  if (*sealed) {
    auto key = open_sealed(master_, **sealed, audit_key_aad);
    if (!key)
      return make_error(errc::crypto_failure,
                        "cannot open the audit key with the vault key file");
    audit_key_ = secret_key{*key};
    wipe(*key);
  } else if (db_.read_only()) {
    return make_error(errc::not_found, "the store in " + db_.dir()
                                           + " was never started: start tasksd "
                                             "once first");
  } else {
    // First start: the audit key is random and lives only sealed.
    audit_key_ = secret_key::random();
    write_batch batch{db_};
    batch.put(cf::meta, keys::meta::master_key_check, expected_check);
    batch.put(cf::meta, keys::meta::audit_key,
              seal(master_, audit_key_.view(), audit_key_aad));
    if (auto err = db_.write(batch))
      return err;
  }
  auto current = head();
  if (!current)
    return current.error();
  head_ = pending_head_ = *current;
  // Creation times stay strictly increasing across restarts: they order
  // the per-server FIFO.
  auto newest = db_.scan(cf::task_index, "A", "B");
  newest.seek_first();
  if (newest.valid())
    last_created_ = keys::task_index_entry_created(newest.key());
  return newest.status();
}

caf::expected<std::unique_lock<std::mutex>> store::lock_for_write() {
  std::unique_lock<std::mutex> lock{write_mutex_};
  // A write of its own between staged changes would break their order.
  if (group_open())
    return make_error(errc::conflict,
                      "staged changes are waiting for commit_group()");
  pending_head_ = head_;
  return lock;
}

caf::expected<audit_head> store::head() {
  auto value = db_.get(cf::meta, keys::meta::audit_head);
  if (!value)
    return value.error();
  audit_head result;
  if (!*value)
    return result;
  if ((*value)->size() != 8 + 32)
    return make_error(errc::corrupt_record, "meta audit_head is malformed");
  result.seq = keys::get_u64(**value, 0);
  result.hash = (*value)->substr(8);
  return result;
}

void store::add_audit(write_batch& batch, audit_event& event) {
  event.seq = pending_head_.seq + 1;
  if (event.ts == timestamp{})
    event.ts = now();
  event.prev_hash = pending_head_.hash;
  auto body = encode_audit_body(event);
  event.hash = hmac_sha256(audit_key_, event.prev_hash + body);
  batch.put(cf::audit, keys::audit(event.seq),
            body + event.prev_hash + event.hash);
  auto index = [&](std::string prefix) {
    keys::put_u64(prefix, event.seq);
    batch.put(cf::audit_index, prefix, {});
  };
  index(keys::audit_by_time_prefix(event.ts));
  index(keys::audit_by_action_prefix(event.action));
  if (event.user_id)
    index(keys::audit_by_user_prefix(*event.user_id));
  if (!event.username.empty())
    index(keys::audit_by_username_prefix(event.username));
  if (event.task)
    index(keys::audit_by_task_prefix(*event.task));
  if (event.server_id)
    index(keys::audit_by_server_prefix(*event.server_id));
  pending_head_ = audit_head{event.seq, event.hash};
}

caf::error store::commit(write_batch& batch) {
  // The chain head once per batch, however many records a group appends.
  if (pending_head_.seq != head_.seq) {
    std::string head_value;
    keys::put_u64(head_value, pending_head_.seq);
    head_value += pending_head_.hash;
    batch.put(cf::meta, keys::meta::audit_head, head_value);
  }
  if (auto err = db_.write(batch, options_.sync_writes)) {
    pending_head_ = head_;
    return err;
  }
  head_ = pending_head_;
  ++writes_;
  return {};
}

caf::expected<uint64_t> store::next_id(std::string_view counter,
                                       write_batch& batch) {
  auto value = db_.get(cf::meta, counter);
  if (!value)
    return value.error();
  uint64_t id = 1;
  if (*value && (*value)->size() != 8)
    return make_error(errc::corrupt_record,
                      "meta " + std::string{counter} + " is malformed");
  if (*value)
    id = keys::get_u64(**value, 0);
  std::string next;
  keys::put_u64(next, id + 1);
  batch.put(cf::meta, counter, next);
  return id;
}

std::string store::username_of(uint64_t user_id) {
  auto u = get_user(user_id);
  return u ? u->username : std::string{};
}

caf::expected<store_counts> store::counts() {
  auto count = [this](cf family, std::string_view lower,
                      std::string_view upper) -> caf::expected<uint64_t> {
    auto c = db_.scan(family, lower, upper);
    uint64_t n = 0;
    for (c.seek_first(); c.valid(); c.next())
      ++n;
    if (auto err = c.status())
      return err;
    return n;
  };
  store_counts result;
  std::string id_lower(1, keys::record_tag);
  auto id_upper = keys::prefix_successor(id_lower);
  struct item {
    uint64_t* field;
    cf family;
    std::string lower;
    std::string upper;
  };
  for (auto& [field, family, lower, upper] :
       {item{&result.tasks, cf::tasks, "", ""},
        item{&result.audit_records, cf::audit, "", ""},
        item{&result.users, cf::users, id_lower, id_upper},
        item{&result.servers, cf::servers, id_lower, id_upper},
        item{&result.vault_entries, cf::vault, id_lower, id_upper},
        item{&result.tokens, cf::tokens, "h", "i"}}) {
    auto n = count(family, lower, upper);
    if (!n)
      return n.error();
    *field = *n;
  }
  return result;
}

} // namespace tasks::storage
