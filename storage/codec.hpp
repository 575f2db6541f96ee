// Record values: a format-version byte, then fields as varints and
// length-prefixed strings. Decoding never reads past the input.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

#include "core/audit_event.hpp"
#include "core/server.hpp"
#include "core/task.hpp"
#include "core/time.hpp"
#include "core/user.hpp"

namespace tasks::storage {

/// Appends fields to a record value.
class record_writer {
public:
  explicit record_writer(uint8_t version);

  void u64(uint64_t value);
  void i64(int64_t value);
  void boolean(bool value);
  void str(std::string_view value);
  void time(timestamp value);
  void opt_u64(const std::optional<uint64_t>& value);
  void opt_i64(const std::optional<int64_t>& value);
  void opt_str(const std::optional<std::string>& value);
  void opt_time(const std::optional<timestamp>& value);
  /// Appends raw bytes of a known fixed size (no length prefix).
  void raw(std::string_view bytes);

  const std::string& bytes() const { return buf_; }
  std::string finish() && { return std::move(buf_); }

private:
  std::string buf_;
};

/// Reads fields written by record_writer; after the first failure every read
/// returns a default value and ok() is false.
class record_reader {
public:
  explicit record_reader(std::string_view in);

  uint8_t version() const { return version_; }
  uint64_t u64();
  int64_t i64();
  bool boolean();
  std::string str();
  timestamp time();
  std::optional<uint64_t> opt_u64();
  std::optional<int64_t> opt_i64();
  std::optional<std::string> opt_str();
  std::optional<timestamp> opt_time();
  std::string raw(size_t size);

  /// True while every read succeeded.
  bool ok() const { return ok_; }
  /// True when everything was read.
  bool at_end() const { return pos_ == in_.size(); }
  /// Position of the next unread byte.
  size_t position() const { return pos_; }

private:
  std::string_view in_;
  size_t pos_ = 0;
  uint8_t version_ = 0;
  bool ok_ = true;
};

/// Record codecs. A decode error names the record kind and the key.
std::string encode(const task& t);
caf::expected<task> decode_task(std::string_view value, const task_id& id);

std::string encode(const user& u);
caf::expected<user> decode_user(std::string_view value);

std::string encode(const token_record& t);
caf::expected<token_record> decode_token(std::string_view value,
                                         std::string_view hash);

std::string encode(const server& s);
caf::expected<server> decode_server(std::string_view value);

std::string encode(const vault_entry& v);
caf::expected<vault_entry> decode_vault_entry(std::string_view value);

/// The part of an audit record that its hash covers (everything but the
/// hashes themselves).
std::string encode_audit_body(const audit_event& e);
/// Body, prev_hash and hash: the stored value.
std::string encode(const audit_event& e);
/// Decodes a stored audit value; `body_size` receives the size of the part
/// the hash covers.
caf::expected<audit_event> decode_audit(std::string_view value,
                                        size_t* body_size = nullptr);

} // namespace tasks::storage
