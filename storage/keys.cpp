// Key encoding helpers; the layouts are drawn in storage/KEYS.md.
#include "storage/keys.hpp"

#include <algorithm>

namespace tasks::storage::keys {

void put_u64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>(value >> shift));
}

uint64_t get_u64(std::string_view in, size_t pos) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i)
    value = value << 8 | static_cast<uint8_t>(in[pos + i]);
  return value;
}

void put_time(std::string& out, timestamp t) {
  put_u64(out, static_cast<uint64_t>(std::max<int64_t>(0, to_micros(t))));
}

void put_time_desc(std::string& out, timestamp t) {
  put_u64(out, UINT64_MAX
                   - static_cast<uint64_t>(std::max<int64_t>(0, to_micros(t))));
}

void put_id(std::string& out, const task_id& id) {
  out.append(reinterpret_cast<const char*>(id.data), id.size());
}

task_id get_id(std::string_view in, size_t pos) {
  task_id id{};
  std::copy_n(in.data() + pos, id.size(), reinterpret_cast<char*>(id.data));
  return id;
}

std::string prefix_successor(std::string prefix) {
  while (!prefix.empty()) {
    auto& last = prefix.back();
    if (static_cast<uint8_t>(last) != 0xFF) {
      ++last;
      return prefix;
    }
    prefix.pop_back();
  }
  return prefix;
}

std::string task(timestamp created_at, const task_id& id) {
  std::string key;
  put_time_desc(key, created_at);
  put_id(key, id);
  return key;
}

std::string_view task_of_index_entry(std::string_view entry) {
  return entry.substr(entry.size() - 8 - task_id::static_size());
}

task_id task_key_id(std::string_view key) {
  return get_id(key, 8);
}

std::string task_locator(const task_id& id) {
  std::string key(1, 'I');
  put_id(key, id);
  return key;
}

std::string task_output(const task_id& id, stream s) {
  std::string key;
  put_id(key, id);
  key.push_back(static_cast<char>(s));
  return key;
}

uint8_t task_index_family(const task_filter& filter) {
  uint8_t family = 0;
  if (filter.state)
    family |= by_status;
  if (filter.server_id)
    family |= by_server;
  if (filter.user_id)
    family |= by_user;
  return family;
}

std::string task_index_prefix(uint8_t family, std::optional<uint64_t> user_id,
                              std::optional<uint64_t> server_id,
                              std::optional<status> state) {
  std::string prefix;
  prefix.push_back(static_cast<char>('A' + family));
  if (family & by_user)
    put_u64(prefix, user_id.value_or(0));
  if (family & by_server)
    put_u64(prefix, server_id.value_or(0));
  if (family & by_status)
    prefix.push_back(static_cast<char>(state.value_or(status::queued)));
  return prefix;
}

std::string task_index_prefix(const task_filter& filter) {
  return task_index_prefix(task_index_family(filter), filter.user_id,
                           filter.server_id, filter.state);
}

std::string task_index_entry(uint8_t family, const tasks::task& t) {
  auto key = task_index_prefix(family, t.user_id, t.server_id, t.state);
  put_time_desc(key, t.created_at);
  put_id(key, t.id);
  return key;
}

std::vector<std::string> task_index_entries(const tasks::task& t) {
  std::vector<std::string> entries;
  for (uint8_t family = 0; family < task_index_families; ++family)
    entries.push_back(task_index_entry(family, t));
  return entries;
}

std::vector<std::string> task_status_index_entries(const tasks::task& t) {
  std::vector<std::string> entries;
  for (uint8_t family = 0; family < task_index_families; ++family)
    if (family & by_status)
      entries.push_back(task_index_entry(family, t));
  return entries;
}

task_id task_index_entry_id(std::string_view entry) {
  return get_id(entry, entry.size() - task_id::static_size());
}

timestamp task_index_entry_created(std::string_view entry) {
  auto desc = get_u64(entry, entry.size() - task_id::static_size() - 8);
  return from_micros(static_cast<int64_t>(UINT64_MAX - desc));
}

std::string audit(uint64_t seq) {
  std::string key;
  put_u64(key, seq);
  return key;
}

namespace {

std::string audit_prefix(audit_tag tag) {
  return std::string(1, static_cast<char>(tag));
}

} // namespace

std::string audit_by_time_prefix(timestamp ts) {
  auto key = audit_prefix(audit_tag::by_time);
  put_time(key, ts);
  return key;
}

std::string audit_by_user_prefix(uint64_t user_id) {
  auto key = audit_prefix(audit_tag::by_user);
  put_u64(key, user_id);
  return key;
}

std::string audit_by_username_prefix(std::string_view username) {
  auto key = audit_prefix(audit_tag::by_username);
  key.append(username);
  key.push_back('\0');
  return key;
}

std::string audit_by_action_prefix(std::string_view action) {
  auto key = audit_prefix(audit_tag::by_action);
  key.append(action);
  key.push_back('\0');
  return key;
}

std::string audit_by_task_prefix(const task_id& id) {
  auto key = audit_prefix(audit_tag::by_task);
  put_id(key, id);
  return key;
}

std::string audit_by_server_prefix(uint64_t server_id) {
  auto key = audit_prefix(audit_tag::by_server);
  put_u64(key, server_id);
  return key;
}

uint64_t audit_index_entry_seq(std::string_view entry) {
  return get_u64(entry, entry.size() - 8);
}

std::string record_by_id(uint64_t id) {
  std::string key(1, record_tag);
  put_u64(key, id);
  return key;
}

std::string id_by_name(std::string_view name) {
  std::string key(1, 'n');
  key.append(name);
  return key;
}

std::string token(std::string_view hash) {
  std::string key(1, 'h');
  key.append(hash);
  return key;
}

std::string token_of_user(uint64_t user_id, std::string_view hash) {
  auto key = tokens_of_user_prefix(user_id);
  key.append(hash);
  return key;
}

std::string tokens_of_user_prefix(uint64_t user_id) {
  std::string key(1, 'u');
  put_u64(key, user_id);
  return key;
}

} // namespace tasks::storage::keys
