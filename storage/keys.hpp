// Binary key layouts of every column family (drawn in storage/KEYS.md).
// Integers are big-endian and fixed-width so that byte order is numeric
// order; RocksDB's own PutFixed64 is little-endian and wrong for keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.hpp"
#include "core/task.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"

namespace tasks::storage::keys {

// -- fixed-width integers -----------------------------------------------------

/// Appends `value` as 8 big-endian bytes.
void put_u64(std::string& out, uint64_t value);

/// Reads 8 big-endian bytes at `pos`; `in` must hold them.
uint64_t get_u64(std::string_view in, size_t pos);

/// Appends a timestamp as 8 big-endian bytes of microseconds (clamped at 0).
void put_time(std::string& out, timestamp t);

/// Appends a timestamp so that newer sorts first: 8 big-endian bytes of
/// UINT64_MAX - microseconds. Newest-first lists become forward scans, which
/// RocksDB serves far faster than reverse ones (bench/README.md).
void put_time_desc(std::string& out, timestamp t);

/// Appends the 16 bytes of a task id.
void put_id(std::string& out, const task_id& id);

/// Reads 16 bytes at `pos` as a task id.
task_id get_id(std::string_view in, size_t pos);

/// The smallest key greater than every key starting with `prefix`, or empty
/// when no such key exists (prefix of 0xFF bytes only).
std::string prefix_successor(std::string prefix);

// -- tasks, task_output -------------------------------------------------------

/// tasks: creation time (descending) + id, the same suffix as the task's
/// index entries. The newest tasks' records are neighbours, so a list page
/// reads a few blocks instead of one random block per task.
std::string task(timestamp created_at, const task_id& id);

/// The record key a task index entry points at (its last 24 bytes).
std::string_view task_of_index_entry(std::string_view entry);

/// The id in a tasks key.
task_id task_key_id(std::string_view key);

/// task_index: 'I' + id → the task's creation time (8 bytes, descending),
/// to find a record by id alone.
std::string task_locator(const task_id& id);

/// Which stream of a task's output.
enum class stream : char { out = 'o', err = 'e' };

/// task_output: task id + stream byte.
std::string task_output(const task_id& id, stream s);

// -- task_index ---------------------------------------------------------------

/// The equality filters an index family is keyed by, as bits.
enum index_field : uint8_t {
  by_status = 1,
  by_server = 2,
  by_user = 4,
};

/// Number of task index families: one per subset of the equality filters.
inline constexpr uint8_t task_index_families = 8;

/// The family that matches a filter's equality fields exactly.
uint8_t task_index_family(const task_filter& filter);

/// The prefix shared by every entry of `family` with the filter's values:
/// tag ['A' + family], then user_id, server_id, status as present.
std::string task_index_prefix(uint8_t family, std::optional<uint64_t> user_id,
                              std::optional<uint64_t> server_id,
                              std::optional<status> state);

/// The prefix of `filter`'s own family.
std::string task_index_prefix(const task_filter& filter);

/// The entry of `t` in `family`: prefix + created_at (descending) + id.
std::string task_index_entry(uint8_t family, const tasks::task& t);

/// All entries of `t`, one per family.
std::vector<std::string> task_index_entries(const tasks::task& t);

/// The entries of `t` that contain its status (they move on a transition).
std::vector<std::string> task_status_index_entries(const tasks::task& t);

/// The task id at the end of any task index entry.
task_id task_index_entry_id(std::string_view entry);

/// The creation time in any task index entry.
timestamp task_index_entry_created(std::string_view entry);

// -- audit, audit_index -------------------------------------------------------

/// audit: the sequence number.
std::string audit(uint64_t seq);

/// audit_index tags.
enum class audit_tag : char {
  by_time = 'c',
  by_user = 'u',
  by_username = 'n',
  by_action = 'a',
  by_task = 't',
  by_server = 's',
};

/// audit_index prefixes; each entry appends the 8-byte seq.
std::string audit_by_time_prefix(timestamp ts);
std::string audit_by_user_prefix(uint64_t user_id);
std::string audit_by_username_prefix(std::string_view username);
std::string audit_by_action_prefix(std::string_view action);
std::string audit_by_task_prefix(const task_id& id);
std::string audit_by_server_prefix(uint64_t server_id);

/// The seq at the end of any audit index entry.
uint64_t audit_index_entry_seq(std::string_view entry);

// -- users, servers, vault (records by id, unique names) ---------------------

/// users, servers, vault: 'i' + id → record.
std::string record_by_id(uint64_t id);

/// users, servers, vault: 'n' + name → id.
std::string id_by_name(std::string_view name);

/// The prefix of every record_by_id key.
inline constexpr char record_tag = 'i';

// -- tokens -------------------------------------------------------------------

/// tokens: 'h' + SHA-256 of the token → token record.
std::string token(std::string_view hash);

/// tokens: 'u' + user id + SHA-256 → empty, to find a user's tokens.
std::string token_of_user(uint64_t user_id, std::string_view hash);

/// The prefix of a user's token_of_user keys.
std::string tokens_of_user_prefix(uint64_t user_id);

// -- meta ---------------------------------------------------------------------

namespace meta {
inline constexpr std::string_view schema_version = "schema_version";
inline constexpr std::string_view next_user_id = "next_user_id";
inline constexpr std::string_view next_server_id = "next_server_id";
inline constexpr std::string_view next_vault_id = "next_vault_id";
inline constexpr std::string_view audit_head = "audit_head";
inline constexpr std::string_view audit_key = "audit_key";
inline constexpr std::string_view master_key_check = "master_key_check";
} // namespace meta

} // namespace tasks::storage::keys
