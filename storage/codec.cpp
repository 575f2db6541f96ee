// Varint record encoding and the codecs of every record kind.
#include "storage/codec.hpp"

#include "core/error.hpp"

namespace tasks::storage {

namespace {

/// Current format versions; a decoder accepts every version it knows.
constexpr uint8_t task_version = 1;
constexpr uint8_t user_version = 1;
constexpr uint8_t token_version = 1;
constexpr uint8_t server_version = 1;
constexpr uint8_t vault_version = 1;
constexpr uint8_t audit_version = 1;

constexpr size_t hash_size = 32;

uint64_t zigzag(int64_t value) {
  return (static_cast<uint64_t>(value) << 1)
         ^ static_cast<uint64_t>(value >> 63);
}

int64_t unzigzag(uint64_t value) {
  return static_cast<int64_t>(value >> 1) ^ -static_cast<int64_t>(value & 1);
}

caf::error corrupt(std::string_view kind, std::string_view detail) {
  return make_error(errc::corrupt_record,
                    "cannot decode " + std::string{kind}
                        + " record: " + std::string{detail});
}

/// Checks the reader after the last field of a record.
caf::error finish_read(const record_reader& in, uint8_t version,
                       std::string_view kind) {
  if (!in.ok())
    return corrupt(kind, "truncated or malformed");
  if (in.version() != version)
    return corrupt(kind,
                   "unknown format version " + std::to_string(in.version()));
  if (!in.at_end())
    return corrupt(kind, "trailing bytes");
  return {};
}

} // namespace

// -- record_writer ------------------------------------------------------------

record_writer::record_writer(uint8_t version) {
  buf_.push_back(static_cast<char>(version));
}

void record_writer::u64(uint64_t value) {
  while (value >= 0x80) {
    buf_.push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  buf_.push_back(static_cast<char>(value));
}

void record_writer::i64(int64_t value) {
  u64(zigzag(value));
}

void record_writer::boolean(bool value) {
  buf_.push_back(value ? 1 : 0);
}

void record_writer::str(std::string_view value) {
  u64(value.size());
  buf_.append(value);
}

void record_writer::time(timestamp value) {
  i64(to_micros(value));
}

void record_writer::opt_u64(const std::optional<uint64_t>& value) {
  boolean(value.has_value());
  if (value)
    u64(*value);
}

void record_writer::opt_i64(const std::optional<int64_t>& value) {
  boolean(value.has_value());
  if (value)
    i64(*value);
}

void record_writer::opt_str(const std::optional<std::string>& value) {
  boolean(value.has_value());
  if (value)
    str(*value);
}

void record_writer::opt_time(const std::optional<timestamp>& value) {
  boolean(value.has_value());
  if (value)
    time(*value);
}

void record_writer::raw(std::string_view bytes) {
  buf_.append(bytes);
}

// -- record_reader ------------------------------------------------------------

record_reader::record_reader(std::string_view in) : in_(in) {
  if (in_.empty()) {
    ok_ = false;
    return;
  }
  version_ = static_cast<uint8_t>(in_[0]);
  pos_ = 1;
}

uint64_t record_reader::u64() {
  uint64_t value = 0;
  for (int shift = 0; ok_ && shift < 64; shift += 7) {
    if (pos_ >= in_.size())
      break;
    auto byte = static_cast<uint8_t>(in_[pos_++]);
    value |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0)
      return value;
  }
  ok_ = false;
  return 0;
}

int64_t record_reader::i64() {
  return unzigzag(u64());
}

bool record_reader::boolean() {
  if (!ok_ || pos_ >= in_.size()) {
    ok_ = false;
    return false;
  }
  auto byte = in_[pos_++];
  if (byte != 0 && byte != 1)
    ok_ = false;
  return byte == 1;
}

std::string record_reader::str() {
  auto size = u64();
  return raw(size);
}

timestamp record_reader::time() {
  return from_micros(i64());
}

std::optional<uint64_t> record_reader::opt_u64() {
  if (!boolean())
    return std::nullopt;
  return u64();
}

std::optional<int64_t> record_reader::opt_i64() {
  if (!boolean())
    return std::nullopt;
  return i64();
}

std::optional<std::string> record_reader::opt_str() {
  if (!boolean())
    return std::nullopt;
  return str();
}

std::optional<timestamp> record_reader::opt_time() {
  if (!boolean())
    return std::nullopt;
  return time();
}

std::string record_reader::raw(size_t size) {
  if (!ok_ || size > in_.size() - pos_) {
    ok_ = false;
    return {};
  }
  std::string out{in_.substr(pos_, size)};
  pos_ += size;
  return out;
}

// -- task ---------------------------------------------------------------------

std::string encode(const task& t) {
  record_writer out{task_version};
  out.u64(t.server_id);
  out.u64(t.user_id);
  out.str(t.command);
  out.u64(static_cast<uint8_t>(t.state));
  out.opt_i64(t.exit_code ? std::optional<int64_t>{*t.exit_code}
                          : std::nullopt);
  out.opt_str(t.error);
  out.u64(t.timeout_seconds);
  out.boolean(t.store_output);
  out.time(t.created_at);
  out.opt_time(t.started_at);
  out.opt_time(t.finished_at);
  out.boolean(t.stdout_truncated);
  out.boolean(t.stderr_truncated);
  return std::move(out).finish();
}

caf::expected<task> decode_task(std::string_view value, const task_id& id) {
  record_reader in{value};
  task t;
  t.id = id;
  t.server_id = in.u64();
  t.user_id = in.u64();
  t.command = in.str();
  auto state = in.u64();
  if (auto code = in.opt_i64())
    t.exit_code = static_cast<int32_t>(*code);
  t.error = in.opt_str();
  t.timeout_seconds = static_cast<uint32_t>(in.u64());
  t.store_output = in.boolean();
  t.created_at = in.time();
  t.started_at = in.opt_time();
  t.finished_at = in.opt_time();
  t.stdout_truncated = in.boolean();
  t.stderr_truncated = in.boolean();
  if (auto err = finish_read(in, task_version, "task " + to_string(id)))
    return err;
  if (state > static_cast<uint8_t>(status::cancelled))
    return corrupt("task " + to_string(id), "unknown status");
  t.state = static_cast<status>(state);
  return t;
}

// -- user, token --------------------------------------------------------------

std::string encode(const user& u) {
  record_writer out{user_version};
  out.u64(u.id);
  out.str(u.username);
  out.u64(static_cast<uint8_t>(u.user_role));
  out.boolean(u.disabled);
  out.str(u.password_hash);
  out.time(u.created_at);
  return std::move(out).finish();
}

caf::expected<user> decode_user(std::string_view value) {
  record_reader in{value};
  user u;
  u.id = in.u64();
  u.username = in.str();
  auto user_role = in.u64();
  u.disabled = in.boolean();
  u.password_hash = in.str();
  u.created_at = in.time();
  if (auto err = finish_read(in, user_version, "user"))
    return err;
  if (user_role > static_cast<uint8_t>(role::viewer))
    return corrupt("user", "unknown role");
  u.user_role = static_cast<role>(user_role);
  return u;
}

std::string encode(const token_record& t) {
  record_writer out{token_version};
  out.u64(t.user_id);
  out.time(t.created_at);
  out.time(t.expires_at);
  out.str(t.origin);
  return std::move(out).finish();
}

caf::expected<token_record> decode_token(std::string_view value,
                                         std::string_view hash) {
  record_reader in{value};
  token_record t;
  t.hash = std::string{hash};
  t.user_id = in.u64();
  t.created_at = in.time();
  t.expires_at = in.time();
  t.origin = in.str();
  if (auto err = finish_read(in, token_version, "token"))
    return err;
  return t;
}

// -- server, vault ------------------------------------------------------------

std::string encode(const server& s) {
  record_writer out{server_version};
  out.u64(s.id);
  out.str(s.name);
  out.str(s.host);
  out.u64(s.port);
  out.str(s.username);
  out.opt_u64(s.vault_key_id);
  out.str(s.key_file);
  out.str(s.sealed_password);
  out.str(s.host_key);
  out.opt_u64(s.max_concurrent_tasks
                  ? std::optional<uint64_t>{*s.max_concurrent_tasks}
                  : std::nullopt);
  out.time(s.created_at);
  return std::move(out).finish();
}

caf::expected<server> decode_server(std::string_view value) {
  record_reader in{value};
  server s;
  s.id = in.u64();
  s.name = in.str();
  s.host = in.str();
  auto port = in.u64();
  s.username = in.str();
  s.vault_key_id = in.opt_u64();
  s.key_file = in.str();
  s.sealed_password = in.str();
  s.host_key = in.str();
  if (auto cap = in.opt_u64())
    s.max_concurrent_tasks = static_cast<uint32_t>(*cap);
  s.created_at = in.time();
  if (auto err = finish_read(in, server_version, "server"))
    return err;
  if (port == 0 || port > 65535)
    return corrupt("server", "port out of range");
  s.port = static_cast<uint16_t>(port);
  return s;
}

std::string encode(const vault_entry& v) {
  record_writer out{vault_version};
  out.u64(v.id);
  out.str(v.name);
  out.str(v.sealed_key);
  out.str(v.sealed_passphrase);
  out.time(v.created_at);
  return std::move(out).finish();
}

caf::expected<vault_entry> decode_vault_entry(std::string_view value) {
  record_reader in{value};
  vault_entry v;
  v.id = in.u64();
  v.name = in.str();
  v.sealed_key = in.str();
  v.sealed_passphrase = in.str();
  v.created_at = in.time();
  if (auto err = finish_read(in, vault_version, "vault"))
    return err;
  return v;
}

// -- audit --------------------------------------------------------------------

std::string encode_audit_body(const audit_event& e) {
  record_writer out{audit_version};
  out.u64(e.seq);
  out.time(e.ts);
  out.str(e.action);
  out.opt_u64(e.user_id);
  out.str(e.username);
  out.boolean(e.task.has_value());
  if (e.task)
    out.raw(std::string_view{reinterpret_cast<const char*>(e.task->data),
                             e.task->size()});
  out.opt_u64(e.server_id);
  out.str(e.command_preview);
  out.str(e.client_ip);
  out.str(e.user_agent);
  out.str(e.metadata);
  return std::move(out).finish();
}

std::string encode(const audit_event& e) {
  auto value = encode_audit_body(e);
  value.append(e.prev_hash);
  value.append(e.hash);
  return value;
}

caf::expected<audit_event> decode_audit(std::string_view value,
                                        size_t* body_size) {
  if (value.size() < 2 * hash_size + 1)
    return corrupt("audit", "too short");
  auto body = value.substr(0, value.size() - 2 * hash_size);
  record_reader in{body};
  audit_event e;
  e.seq = in.u64();
  e.ts = in.time();
  e.action = in.str();
  e.user_id = in.opt_u64();
  e.username = in.str();
  if (in.boolean()) {
    auto bytes = in.raw(16);
    task_id id{};
    if (bytes.size() == id.size())
      std::copy(bytes.begin(), bytes.end(), id.data);
    e.task = id;
  }
  e.server_id = in.opt_u64();
  e.command_preview = in.str();
  e.client_ip = in.str();
  e.user_agent = in.str();
  e.metadata = in.str();
  if (auto err = finish_read(in, audit_version, "audit"))
    return err;
  e.prev_hash = std::string{value.substr(body.size(), hash_size)};
  e.hash = std::string{value.substr(body.size() + hash_size)};
  if (body_size)
    *body_size = body.size();
  return e;
}

} // namespace tasks::storage
