// Opening RocksDB with every column family; batches, cursors, checkpoints.
#include "storage/database.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>
#include <utility>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include "core/error.hpp"

namespace tasks::storage {

namespace {

rocksdb::Slice slice(std::string_view s) {
  return {s.data(), s.size()};
}

/// Capacity of RocksDB's row cache (see database::open).
constexpr size_t row_cache_bytes = 4 << 20;

std::string_view view(const rocksdb::Slice& s) {
  return {s.data(), s.size()};
}

rocksdb::ColumnFamilyOptions family_options(cf family) {
  rocksdb::ColumnFamilyOptions options;
  if (family == cf::tasks || family == cf::tokens || family == cf::users
      || family == cf::task_output) {
    // Point lookups by id or token hash: a bloom filter spares disk reads.
    rocksdb::BlockBasedTableOptions table;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  }
  return options;
}

std::vector<rocksdb::ColumnFamilyDescriptor> descriptors() {
  std::vector<rocksdb::ColumnFamilyDescriptor> result;
  for (size_t i = 0; i < column_family_names.size(); ++i)
    result.emplace_back(column_family_names[i],
                        family_options(static_cast<cf>(i)));
  return result;
}

caf::error from_status(std::string_view context, const rocksdb::Status& st) {
  if (st.ok())
    return {};
  return storage_error(context, st.ToString());
}

} // namespace

caf::error storage_error(std::string_view context, std::string_view detail) {
  return make_error(errc::storage_failure,
                    std::string{context} + ": " + std::string{detail});
}

// -- write_batch --------------------------------------------------------------

write_batch::write_batch(const database& db)
    : db_(&db), impl_(std::make_unique<rocksdb::WriteBatch>()) {
  // nop
}

write_batch::~write_batch() = default;
write_batch::write_batch(write_batch&&) noexcept = default;
write_batch& write_batch::operator=(write_batch&&) noexcept = default;

void write_batch::put(cf family, std::string_view key, std::string_view value) {
  impl_->Put(db_->handle(family), slice(key), slice(value));
}

void write_batch::erase(cf family, std::string_view key) {
  impl_->Delete(db_->handle(family), slice(key));
}

size_t write_batch::size() const {
  return static_cast<size_t>(impl_->Count());
}

size_t write_batch::data_size() const {
  return impl_->GetDataSize();
}

// -- cursor -------------------------------------------------------------------

struct cursor::bounds {
  std::string lower;
  std::string upper;
  rocksdb::Slice lower_slice;
  rocksdb::Slice upper_slice;
};

cursor::cursor(cursor&&) noexcept = default;
cursor::~cursor() = default;

void cursor::seek_first() {
  it_->SeekToFirst();
}

void cursor::seek_last() {
  it_->SeekToLast();
}

void cursor::seek(std::string_view key) {
  it_->Seek(slice(key));
}

void cursor::seek_for_prev(std::string_view key) {
  it_->SeekForPrev(slice(key));
}

void cursor::next() {
  it_->Next();
}

void cursor::prev() {
  it_->Prev();
}

bool cursor::valid() const {
  return it_->Valid();
}

std::string_view cursor::key() const {
  return view(it_->key());
}

std::string_view cursor::value() const {
  return view(it_->value());
}

caf::error cursor::status() const {
  return from_status("iterate", it_->status());
}

// -- database -----------------------------------------------------------------

caf::expected<std::unique_ptr<database>> database::open(const std::string& dir,
                                                        open_mode mode) {
  std::unique_ptr<database> result{new database};
  result->dir_ = dir;
  result->mode_ = mode;
  rocksdb::DBOptions options;
  options.keep_log_file_num = 5;
  options.max_log_file_size = 8 << 20;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status st;
  if (mode == open_mode::primary) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      return storage_error("create data directory " + dir,
                           std::strerror(errno));
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    // Point reads of hot keys (a polled task's locator and record, a token)
    // skip the SST index and block lookups; filled lazily, so idle RSS
    // stays. The primary only: a secondary with a row cache (RocksDB 7.8)
    // read the audit chain head's first value instead of its last
    // (tools.tasksctl_audit caught it), and tasksctl's one-shot reads
    // gain nothing from it.
    options.row_cache = rocksdb::NewLRUCache(row_cache_bytes);
    st = rocksdb::DB::Open(options, dir, descriptors(), &result->handles_,
                           &raw);
    if (st.IsIOError() && st.ToString().find("lock") != std::string::npos)
      return make_error(errc::store_locked,
                        "the store " + dir
                            + " is in use by another process (is tasksd "
                              "running?)");
  } else {
    if (!std::filesystem::exists(dir + "/CURRENT"))
      return make_error(errc::not_found, "no store in " + dir
                                             + " (check --data or "
                                               "TASKS_DATA_DIR)");
    // A secondary keeps its own info log and MANIFEST view in a private
    // directory; it is removed again on close.
    std::string tmpl
        = (std::filesystem::temp_directory_path() / "tasksctl-secondary-XXXXXX")
              .string();
    if (::mkdtemp(tmpl.data()) == nullptr)
      return storage_error("create secondary directory", std::strerror(errno));
    result->secondary_dir_ = tmpl;
    options.max_open_files = -1; // required for secondaries
    auto families = descriptors();
    std::vector<std::string> existing;
    rocksdb::DB::ListColumnFamilies(options, dir, &existing);
    if (existing.size() < families.size())
      families.resize(existing.size()); // an older store: open what exists
    st = rocksdb::DB::OpenAsSecondary(options, dir, result->secondary_dir_,
                                      families, &result->handles_, &raw);
  }
  if (!st.ok())
    return storage_error("open store " + dir, st.ToString());
  result->db_.reset(raw);
  return result;
}

database::~database() {
  for (auto* h : handles_)
    db_->DestroyColumnFamilyHandle(h);
  db_.reset();
  if (!secondary_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(secondary_dir_, ignored);
  }
}

void database::fail_next_write(caf::error err) {
  next_write_failure_ = std::move(err);
}

rocksdb::ColumnFamilyHandle* database::handle(cf family) const {
  auto index = static_cast<size_t>(family);
  return index < handles_.size() ? handles_[index] : nullptr;
}

caf::error database::write(write_batch& batch, bool sync) {
  if (read_only())
    return make_error(errc::storage_failure, "the store is open read-only");
  if (next_write_failure_)
    return std::exchange(next_write_failure_, caf::error{});
  rocksdb::WriteOptions options;
  options.sync = sync;
  return from_status("write", db_->Write(options, &batch.native()));
}

caf::expected<std::optional<std::string>> database::get(cf family,
                                                        std::string_view key) {
  auto* h = handle(family);
  if (h == nullptr)
    return std::optional<std::string>{};
  std::string value;
  auto st = db_->Get(rocksdb::ReadOptions{}, h, slice(key), &value);
  if (st.IsNotFound())
    return std::optional<std::string>{};
  if (!st.ok())
    return storage_error("read", st.ToString());
  return std::optional<std::string>{std::move(value)};
}

cursor database::scan(cf family, std::string_view lower,
                      std::string_view upper) {
  cursor result;
  result.bounds_ = std::make_unique<cursor::bounds>();
  auto& b = *result.bounds_;
  b.lower = std::string{lower};
  b.upper = std::string{upper};
  b.lower_slice = slice(b.lower);
  b.upper_slice = slice(b.upper);
  rocksdb::ReadOptions options;
  if (!b.lower.empty())
    options.iterate_lower_bound = &b.lower_slice;
  if (!b.upper.empty())
    options.iterate_upper_bound = &b.upper_slice;
  auto* h = handle(family);
  // A family an older store lacks has nothing to iterate.
  result.it_.reset(h ? db_->NewIterator(options, h)
                     : rocksdb::NewEmptyIterator());
  return result;
}

caf::error database::catch_up() {
  if (!read_only())
    return {};
  return from_status("catch up with tasksd", db_->TryCatchUpWithPrimary());
}

uint64_t database::size_on_disk(cf family) {
  uint64_t size = 0;
  if (auto* h = handle(family))
    db_->GetIntProperty(h, "rocksdb.total-sst-files-size", &size);
  return size;
}

caf::error database::checkpoint(const std::string& target_dir) {
  rocksdb::Checkpoint* raw = nullptr;
  if (auto err
      = from_status("checkpoint", rocksdb::Checkpoint::Create(db_.get(), &raw)))
    return err;
  std::unique_ptr<rocksdb::Checkpoint> cp{raw};
  return from_status("checkpoint to " + target_dir,
                     cp->CreateCheckpoint(target_dir));
}

} // namespace tasks::storage
