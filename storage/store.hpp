// The store API: every operation tasksd and tasksctl perform on the data.
// Each state change is one WriteBatch holding the record, its index entries
// and its audit record, written with a synced WAL; group commit lets several
// changes share one batch and one sync.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "core/audit_event.hpp"
#include "core/server.hpp"
#include "core/task.hpp"
#include "core/user.hpp"
#include "storage/crypto.hpp"
#include "storage/database.hpp"

namespace tasks::storage {

/// The schema version this build's storage layer reads and writes.
inline constexpr uint32_t schema_version = 1;

/// The latest audit record: what `tasksctl audit head` prints for anchoring.
struct audit_head {
  uint64_t seq = 0;
  /// 32 raw bytes; all zero before the first record.
  std::string hash = std::string(32, '\0');
};

/// The outcome of recomputing the audit hash chain.
struct audit_verification {
  uint64_t records = 0;
  /// The first record that fails, and why; unset when the chain is intact.
  std::optional<uint64_t> first_bad_seq;
  std::string problem;
};

/// Oldest first or newest first.
enum class scan_order { ascending, descending };

/// A private key and its passphrase, opened from the vault.
struct vault_secret {
  std::string key_text;
  std::string passphrase;
  ~vault_secret();
};

/// Record counts for `tasksctl db status`.
struct store_counts {
  uint64_t tasks = 0;
  uint64_t audit_records = 0;
  uint64_t users = 0;
  uint64_t servers = 0;
  uint64_t vault_entries = 0;
  uint64_t tokens = 0;
};

/// What a master key rotation re-sealed.
struct reseal_report {
  uint64_t vault_entries = 0;
  uint64_t server_passwords = 0;
};

/// Settings of the store taken from the configuration.
struct store_options {
  /// Cap for stored stdout and for stored stderr, each.
  uint64_t output_max_bytes = 65536;
  /// fsync the WAL before a write returns. tasksd always syncs; only
  /// benchmarks that bulk-load a store turn it off.
  bool sync_writes = true;
};

/// Reads the schema version recorded in `db` (0 for a new store).
caf::expected<uint32_t> read_schema_version(database& db);

/// The operations on a migrated database. Writes are serialized internally;
/// reads run concurrently and see committed changes only.
class store {
public:
  /// Binds to a database at schema_version. A primary store creates the
  /// audit key on first use; the master key must be the one the store was
  /// set up with.
  static caf::expected<std::unique_ptr<store>>
  open(database& db, const secret_key& master, store_options options = {});

  database& db() { return db_; }

  // -- tasks ------------------------------------------------------------------

  /// Validates and stores a queued task, audited as task.create.
  caf::expected<task> create_task(const new_task& request,
                                  const audit_origin& who);

  /// Moves a task to `change.to`, sets its timestamps, stores its output and
  /// audits task.start/finish/fail/timeout/cancel. errc::conflict when the
  /// transition is illegal (a final task never changes again).
  caf::expected<task> transition_task(const task_id& id,
                                      const task_transition& change,
                                      const audit_origin& who);

  /// One task; with its stored output when `with_output`.
  caf::expected<task> get_task(const task_id& id, bool with_output = false);

  /// Tasks matching `filter`, newest first, read from the index family that
  /// matches the filter exactly (never a scan of all tasks).
  caf::expected<std::vector<task>> list_tasks(const task_filter& filter);

  /// Every task in `state`, oldest first (start-up recovery).
  caf::expected<std::vector<task>> tasks_in_state(status state);

  /// Deletes final tasks created and finished before `cutoff` with their
  /// indexes and output; returns how many. Audited as task.cleanup.
  caf::expected<uint64_t> delete_tasks_before(timestamp cutoff,
                                              const audit_origin& who);

  // -- audit ------------------------------------------------------------------

  /// Appends one record (auth.*, user.*, server.*, vault.* events).
  caf::error append_audit(audit_event event);

  /// Calls `visit` for each matching record until it returns false.
  caf::error scan_audit(const audit_filter& filter, scan_order order,
                        const std::function<bool(const audit_event&)>& visit);

  /// Up to `limit` matching records, newest first.
  caf::expected<std::vector<audit_event>>
  query_audit(const audit_filter& filter, size_t limit);

  /// Recomputes the keyed hash chain over every record.
  caf::expected<audit_verification> verify_audit();

  /// The latest record's seq and hash.
  caf::expected<audit_head> head();

  // -- users and tokens
  // --------------------------------------------------------

  /// Adds a user (errc::already_exists for a taken name); audited user.create.
  caf::expected<user> add_user(const std::string& username, role user_role,
                               const std::string& password_hash,
                               const audit_origin& who);
  caf::expected<user> get_user(uint64_t id);
  caf::expected<user> find_user(const std::string& username);
  caf::expected<std::vector<user>> list_users();
  /// Writes role, disabled flag and password hash; audited as `action`
  /// (user.set_role, user.disable, user.passwd, …). Disabling a user or
  /// changing the password revokes the user's tokens in the same batch.
  caf::expected<user> update_user(const user& changed,
                                  const std::string& action,
                                  const audit_origin& who);

  caf::error add_token(const token_record& token, const audit_origin& who);
  caf::expected<token_record> find_token(const std::string& hash);
  caf::expected<std::vector<token_record>> list_tokens();
  caf::error revoke_token(const std::string& hash, const audit_origin& who);

  // -- servers and vault
  // -------------------------------------------------------

  /// Adds a server; `password`, when given, is sealed into the record.
  caf::expected<server> add_server(server s,
                                   const std::optional<std::string>& password,
                                   const audit_origin& who);
  caf::expected<server> get_server(uint64_t id);
  caf::expected<server> find_server(const std::string& name);
  caf::expected<std::vector<server>> list_servers();
  /// Writes a changed server. `password`: unset keeps the stored one, a
  /// non-empty one is sealed in its place, an empty one removes it. An
  /// empty host_key keeps the pin; another fingerprint replaces it.
  caf::expected<server>
  update_server(server s, const std::optional<std::string>& password,
                const audit_origin& who);
  caf::error remove_server(uint64_t id, const audit_origin& who);
  /// Pins a host key on first use, audited as server.host_key_pinned.
  /// errc::conflict when another key is pinned already (never re-pins).
  caf::expected<server> pin_host_key(uint64_t id,
                                     const std::string& fingerprint,
                                     const audit_origin& who);
  /// The server's password, decrypted (wipe it after use).
  caf::expected<std::string> server_password(const server& s);

  caf::expected<vault_entry> add_vault_entry(const std::string& name,
                                             const std::string& key_text,
                                             const std::string& passphrase,
                                             const audit_origin& who);
  caf::expected<vault_entry> get_vault_entry(uint64_t id);
  caf::expected<std::vector<vault_entry>> list_vault_entries();
  caf::error remove_vault_entry(uint64_t id, const audit_origin& who);
  caf::expected<vault_secret> open_vault_entry(const vault_entry& entry);

  // -- group commit
  // ------------------------------------------------------------
  // Staged changes wait in one open group and reach the disk together in
  // commit_group(): one WriteBatch, one sync. Each change is checked against
  // the committed state plus the changes staged before it, and its result
  // holds only once commit_group() succeeds; readers never see it earlier.
  // One writer stages (the storage actor). While it has a group open, the
  // one-call write methods fail with errc::conflict instead of interleaving.

  /// create_task, staged into the open group.
  caf::expected<task> stage_create_task(const new_task& request,
                                        const audit_origin& who);

  /// transition_task, staged into the open group.
  caf::expected<task> stage_transition_task(const task_id& id,
                                            const task_transition& change,
                                            const audit_origin& who);

  /// append_audit, staged into the open group; returns the record's seq.
  caf::expected<uint64_t> stage_audit(audit_event event);

  /// Writes the open group as one batch with one sync. On failure nothing
  /// of it is stored and the store is as it was before the group.
  caf::error commit_group();

  /// Changes in the open group.
  size_t staged_changes() const;

  /// Bytes of the open group's batch.
  size_t staged_bytes() const;

  /// Batches written since open: one per commit, whatever it holds.
  uint64_t writes() const { return writes_.load(); }

  // -- maintenance
  // -------------------------------------------------------------

  caf::expected<store_counts> counts();

  /// Re-seals every vault entry, server password and the audit key under
  /// `new_master` in one batch (audited as vault.rotate_master), then uses
  /// it. Nothing changes when any sealed value fails to open.
  caf::expected<reseal_report> reseal_all(const secret_key& new_master,
                                          const audit_origin& who);

  ~store();

private:
  store(database& db, const secret_key& master, store_options options);

  /// Changes staged for the next commit_group().
  struct group {
    explicit group(const database& db) : batch(db) {
      // nop
    }
    write_batch batch;
    size_t changes = 0;
    /// Task records as staged: later changes in the group read them.
    std::map<task_id, task> tasks;
    /// Creation time of the newest task once the group commits.
    timestamp last_created{};
  };

  /// Takes the write lock for a one-call write and starts a fresh pending
  /// chain head; errc::conflict while a group is open.
  caf::expected<std::unique_lock<std::mutex>> lock_for_write();

  bool group_open() const { return group_ && group_->changes > 0; }
  /// The open group, started when there is none; call with the lock held.
  group& open_group();
  caf::expected<task> stage_create_locked(const new_task& request,
                                          const audit_origin& who);
  caf::expected<task> stage_transition_locked(const task_id& id,
                                              const task_transition& change,
                                              const audit_origin& who);
  uint64_t stage_audit_locked(audit_event& event);
  caf::error commit_group_locked();
  /// The task as the open group leaves it, else as stored.
  caf::expected<task> current_task(const task_id& id);

  caf::error load_state();
  /// Assigns seq/ts/hashes to `event` and adds it with its index entries to
  /// `batch`; call with write_mutex_ held, then commit().
  void add_audit(write_batch& batch, audit_event& event);
  /// Writes the batch and, on success, advances the in-memory chain head.
  caf::error commit(write_batch& batch);
  caf::expected<uint64_t> next_id(std::string_view counter, write_batch& batch);
  /// Reads the task stored under `record_key` (a tasks key).
  caf::expected<task> get_task_at(std::string_view record_key,
                                  bool with_output);
  /// The owner's name for audit records of the service's own events.
  std::string username_of(uint64_t user_id);

  database& db_;
  store_options options_;
  secret_key master_;
  secret_key audit_key_;
  mutable std::mutex write_mutex_;
  audit_head head_;
  /// The head as it will be once the batch being built (or the open group)
  /// commits.
  audit_head pending_head_;
  timestamp last_created_{};
  std::optional<group> group_;
  std::atomic<uint64_t> writes_{0};
};

} // namespace tasks::storage
