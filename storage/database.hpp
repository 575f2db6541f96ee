// The RocksDB handle with every column family, opened as the primary (the
// daemon, or tasksctl's writing commands) or as a secondary (read-only
// beside a running daemon). Nothing outside storage/ sees RocksDB types.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "storage/column_families.hpp"

namespace rocksdb {
class ColumnFamilyHandle;
class DB;
class Iterator;
class WriteBatch;
} // namespace rocksdb

namespace tasks::storage {

class database;

/// Puts and deletes that commit together or not at all.
class write_batch {
public:
  explicit write_batch(const database& db);
  ~write_batch();
  write_batch(write_batch&&) noexcept;
  write_batch& operator=(write_batch&&) noexcept;

  void put(cf family, std::string_view key, std::string_view value);
  void erase(cf family, std::string_view key);
  /// Number of puts and deletes.
  size_t size() const;
  /// Bytes of the serialized batch (keys, values and framing).
  size_t data_size() const;

  rocksdb::WriteBatch& native() { return *impl_; }

private:
  const database* db_;
  std::unique_ptr<rocksdb::WriteBatch> impl_;
};

/// An iterator over the keys of one column family in [lower, upper); owns
/// its bounds, so they outlive the RocksDB iterator as they must.
class cursor {
public:
  cursor(cursor&&) noexcept;
  ~cursor();

  void seek_first();
  void seek_last();
  /// First key >= `key`.
  void seek(std::string_view key);
  /// Last key <= `key`.
  void seek_for_prev(std::string_view key);
  void next();
  void prev();
  bool valid() const;
  std::string_view key() const;
  std::string_view value() const;
  /// An I/O or corruption error that ended the iteration, if any.
  caf::error status() const;

private:
  friend class database;
  cursor() = default;
  struct bounds;
  std::unique_ptr<bounds> bounds_;
  std::unique_ptr<rocksdb::Iterator> it_;
};

/// How to open a store directory.
enum class open_mode {
  /// Creates the directory (0700) and missing column families.
  primary,
  /// Read-only view that follows a running primary.
  secondary,
};

/// The open RocksDB instance.
class database {
public:
  /// Opens `dir`. A primary that another process holds fails with
  /// errc::store_locked.
  static caf::expected<std::unique_ptr<database>> open(const std::string& dir,
                                                       open_mode mode);
  ~database();

  const std::string& dir() const { return dir_; }
  bool read_only() const { return mode_ == open_mode::secondary; }

  /// Commits a batch; `sync` fsyncs the WAL first (every state change).
  caf::error write(write_batch& batch, bool sync = true);

  /// Tests only: the next write fails with `err` and stores nothing, as a
  /// full disk would (RocksDB offers no clean way to provoke that).
  void fail_next_write(caf::error err);

  /// Reads one value; nullopt when the key does not exist.
  caf::expected<std::optional<std::string>> get(cf family,
                                                std::string_view key);

  /// Iterates [lower, upper) of a column family; empty `upper` = no bound.
  cursor scan(cf family, std::string_view lower, std::string_view upper);

  /// A secondary catches up with the primary's latest writes.
  caf::error catch_up();

  /// Approximate on-disk size of a column family in bytes.
  uint64_t size_on_disk(cf family);

  /// Writes a consistent checkpoint to `target_dir` (must not exist).
  caf::error checkpoint(const std::string& target_dir);

  rocksdb::ColumnFamilyHandle* handle(cf family) const;

private:
  database() = default;
  std::string dir_;
  std::string secondary_dir_;
  open_mode mode_ = open_mode::primary;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
  caf::error next_write_failure_;
};

/// Converts a RocksDB failure into errc::storage_failure with context.
caf::error storage_error(std::string_view context, std::string_view detail);

} // namespace tasks::storage
