// Task operations: create, transition (one call or staged), get, list by
// index, cleanup.
#include "storage/store.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/utf8.hpp"
#include "storage/codec.hpp"
#include "storage/keys.hpp"

namespace tasks::storage {

namespace {

constexpr size_t cleanup_chunk = 1000;

caf::error invalid(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

caf::error validate(const new_task& request) {
  const auto& cmd = request.command;
  if (cmd.empty())
    return invalid("command: must not be empty");
  if (cmd.size() > limits::command_max_bytes)
    return invalid("command: longer than "
                   + std::to_string(limits::command_max_bytes) + " bytes");
  if (cmd.find('\0') != std::string::npos)
    return invalid("command: must not contain NUL bytes");
  if (!utf8::is_valid(cmd))
    return invalid("command: is not valid UTF-8");
  if (request.timeout_seconds < limits::timeout_min_seconds
      || request.timeout_seconds > limits::timeout_max_seconds)
    return invalid("timeout_seconds: must be from "
                   + std::to_string(limits::timeout_min_seconds) + " to "
                   + std::to_string(limits::timeout_max_seconds));
  return {};
}

std::string action_for(status to) {
  switch (to) {
    case status::running: return "task.start";
    case status::success: return "task.finish";
    case status::failed: return "task.fail";
    case status::timeout: return "task.timeout";
    case status::cancelled: return "task.cancel";
    case status::queued: break;
  }
  return "task.queue";
}

/// Output as stored: valid UTF-8, at most `cap` bytes, cut on a boundary.
std::string cap_output(const std::string& raw, uint64_t cap, bool& truncated) {
  auto clean = utf8::sanitize(raw);
  auto kept = utf8::cut_bytes(clean, cap);
  if (kept.size() < clean.size())
    truncated = true;
  return std::string{kept};
}

/// The index key prefix of tasks created at exactly `t` (newest first).
std::string time_key(timestamp t) {
  std::string key;
  keys::put_time_desc(key, t);
  return key;
}

} // namespace

caf::expected<task> store::create_task(const new_task& request,
                                       const audit_origin& who) {
  auto lock = lock_for_write();
  if (!lock)
    return lock.error();
  auto t = stage_create_locked(request, who);
  if (!t)
    return t.error();
  if (auto err = commit_group_locked())
    return err;
  return t;
}

caf::expected<task> store::transition_task(const task_id& id,
                                           const task_transition& change,
                                           const audit_origin& who) {
  auto lock = lock_for_write();
  if (!lock)
    return lock.error();
  auto t = stage_transition_locked(id, change, who);
  if (!t)
    return t.error();
  if (auto err = commit_group_locked())
    return err;
  return t;
}

caf::expected<task> store::current_task(const task_id& id) {
  if (group_) {
    if (auto staged = group_->tasks.find(id); staged != group_->tasks.end())
      return staged->second;
  }
  return get_task(id);
}

// Both stage functions check everything before their first put: a change
// that fails leaves the group as it was.

caf::expected<task> store::stage_create_locked(const new_task& request,
                                               const audit_origin& who) {
  if (auto err = validate(request))
    return err;
  // Under the lock: remove_server cannot slip in between.
  auto target = get_server(request.server_id);
  if (!target)
    return target.error();
  auto& staged = open_group();
  auto& batch = staged.batch;
  task t;
  t.id = new_task_id();
  t.server_id = request.server_id;
  t.user_id = request.user_id;
  t.command = request.command;
  t.timeout_seconds = request.timeout_seconds;
  t.store_output = request.store_output;
  // Strictly increasing creation times give a total creation order.
  t.created_at
      = std::max(now(), staged.last_created + std::chrono::microseconds{1});
  batch.put(cf::tasks, keys::task(t.created_at, t.id), encode(t));
  batch.put(cf::task_index, keys::task_locator(t.id), time_key(t.created_at));
  for (const auto& entry : keys::task_index_entries(t))
    batch.put(cf::task_index, entry, {});
  audit_event event;
  event.ts = t.created_at;
  event.action = "task.create";
  event.user_id = who.user_id ? who.user_id : t.user_id;
  event.username = who.username;
  event.client_ip = who.client_ip;
  event.user_agent = who.user_agent;
  event.task = t.id;
  event.server_id = t.server_id;
  event.command_preview = command_preview(t.command);
  event.metadata = audit_metadata{}
                       .add("timeout", int64_t{t.timeout_seconds})
                       .add("store_output", t.store_output)
                       .str();
  add_audit(batch, event);
  staged.last_created = t.created_at;
  staged.tasks[t.id] = t;
  ++staged.changes;
  return t;
}

caf::expected<task>
store::stage_transition_locked(const task_id& id, const task_transition& change,
                               const audit_origin& who) {
  auto current = current_task(id);
  if (!current)
    return current.error();
  auto t = std::move(*current);
  if (!can_transition(t.state, change.to))
    return make_error(errc::conflict,
                      "task " + to_string(id) + " is " + to_string(t.state)
                          + " and cannot become " + to_string(change.to));
  auto owner = who.user_id ? who.username : username_of(t.user_id);
  auto& staged = open_group();
  auto& batch = staged.batch;
  for (const auto& entry : keys::task_status_index_entries(t))
    batch.erase(cf::task_index, entry);
  auto at = now();
  t.state = change.to;
  if (change.to == status::running)
    t.started_at = at;
  if (is_final(change.to))
    t.finished_at = at;
  t.exit_code = change.exit_code;
  t.error = change.error;
  t.stdout_truncated = change.stdout_truncated;
  t.stderr_truncated = change.stderr_truncated;
  if (t.store_output && is_final(change.to)) {
    auto put_output = [&](const std::optional<std::string>& text,
                          keys::stream s, bool& truncated) {
      if (text)
        batch.put(cf::task_output, keys::task_output(id, s),
                  cap_output(*text, options_.output_max_bytes, truncated));
    };
    put_output(change.stdout_text, keys::stream::out, t.stdout_truncated);
    put_output(change.stderr_text, keys::stream::err, t.stderr_truncated);
  }
  batch.put(cf::tasks, keys::task(t.created_at, id), encode(t));
  for (const auto& entry : keys::task_status_index_entries(t))
    batch.put(cf::task_index, entry, {});
  audit_event event;
  event.ts = at;
  event.action = action_for(change.to);
  event.user_id = who.user_id ? who.user_id : t.user_id;
  event.username = owner;
  event.client_ip = who.client_ip;
  event.user_agent = who.user_agent;
  event.task = id;
  event.server_id = t.server_id;
  event.command_preview = command_preview(t.command);
  audit_metadata meta;
  if (t.exit_code)
    meta.add("exit_code", int64_t{*t.exit_code});
  if (t.error)
    meta.add("error", *t.error);
  if (t.finished_at && t.started_at)
    meta.add("duration_ms",
             static_cast<int64_t>(
                 std::chrono::duration_cast<std::chrono::milliseconds>(
                     *t.finished_at - *t.started_at)
                     .count()));
  event.metadata = meta.str();
  add_audit(batch, event);
  staged.tasks[id] = t;
  ++staged.changes;
  return t;
}

caf::expected<task> store::get_task(const task_id& id, bool with_output) {
  auto created = db_.get(cf::task_index, keys::task_locator(id));
  if (!created)
    return created.error();
  if (!*created)
    return make_error(errc::not_found, "task " + to_string(id) + " not found");
  auto record_key = std::move(**created); // the descending creation time
  keys::put_id(record_key, id);
  return get_task_at(record_key, with_output);
}

caf::expected<task> store::get_task_at(std::string_view record_key,
                                       bool with_output) {
  auto id = keys::task_key_id(record_key);
  auto value = db_.get(cf::tasks, record_key);
  if (!value)
    return value.error();
  if (!*value)
    return make_error(errc::corrupt_record, "task " + to_string(id)
                                                + " has an index entry but no "
                                                  "record");
  auto t = decode_task(**value, id);
  if (!t || !with_output || !t->store_output || !is_final(t->state))
    return t;
  auto load
      = [&](keys::stream s, std::optional<std::string>& text) -> caf::error {
    auto out = db_.get(cf::task_output, keys::task_output(id, s));
    if (!out)
      return out.error();
    text = out->value_or(std::string{});
    return {};
  };
  if (auto err = load(keys::stream::out, t->stdout_text))
    return err;
  if (auto err = load(keys::stream::err, t->stderr_text))
    return err;
  return t;
}

caf::expected<std::vector<task>> store::list_tasks(const task_filter& filter) {
  std::vector<task> result;
  if (filter.limit == 0
      || (filter.from && filter.to && *filter.from > *filter.to))
    return result;
  // Times are stored descending: `to` bounds the start of the range and
  // `from` its end, and a forward scan yields newest first.
  auto prefix = keys::task_index_prefix(filter);
  auto lower = prefix + (filter.to ? time_key(*filter.to) : "");
  auto upper = filter.from
                   ? keys::prefix_successor(prefix + time_key(*filter.from))
                   : keys::prefix_successor(prefix);
  auto c = db_.scan(cf::task_index, lower, upper);
  size_t skipped = 0;
  std::vector<std::string> records;
  for (c.seek_first(); c.valid() && records.size() < filter.limit; c.next()) {
    if (skipped < filter.offset) {
      ++skipped;
      continue;
    }
    records.emplace_back(keys::task_of_index_entry(c.key()));
  }
  if (auto err = c.status())
    return err;
  result.reserve(records.size());
  for (const auto& key : records) {
    auto t = get_task_at(key, false);
    if (!t)
      return t.error(); // an index never points at a missing task
    result.push_back(std::move(*t));
  }
  return result;
}

caf::expected<std::vector<task>> store::tasks_in_state(status state) {
  auto prefix = keys::task_index_prefix(keys::by_status, std::nullopt,
                                        std::nullopt, state);
  auto c = db_.scan(cf::task_index, prefix, keys::prefix_successor(prefix));
  std::vector<task> result;
  for (c.seek_last(); c.valid(); c.prev()) { // oldest first
    auto t = get_task_at(keys::task_of_index_entry(c.key()), false);
    if (!t)
      return t.error();
    result.push_back(std::move(*t));
  }
  if (auto err = c.status())
    return err;
  return result;
}

caf::expected<uint64_t> store::delete_tasks_before(timestamp cutoff,
                                                   const audit_origin& who) {
  // Find candidates without holding the write lock, then delete chunk by
  // chunk, re-checking each task under the lock: a chunk is one batch with
  // its own audit record.
  auto prefix
      = keys::task_index_prefix(0, std::nullopt, std::nullopt, std::nullopt);
  // Created strictly before the cutoff: descending times above its key.
  auto c = db_.scan(cf::task_index,
                    keys::prefix_successor(prefix + time_key(cutoff)),
                    keys::prefix_successor(prefix));
  std::vector<task_id> candidates;
  for (c.seek_first(); c.valid(); c.next())
    candidates.push_back(keys::task_index_entry_id(c.key()));
  if (auto err = c.status())
    return err;
  uint64_t deleted = 0;
  for (size_t begin = 0; begin < candidates.size(); begin += cleanup_chunk) {
    auto end = std::min(candidates.size(), begin + cleanup_chunk);
    auto lock = lock_for_write();
    if (!lock)
      return lock.error();
    write_batch batch{db_};
    uint64_t in_chunk = 0;
    for (size_t i = begin; i < end; ++i) {
      auto t = get_task(candidates[i]);
      if (!t) {
        if (t.error() == errc::not_found)
          continue;
        return t.error();
      }
      if (!is_final(t->state) || !t->finished_at || *t->finished_at >= cutoff)
        continue;
      batch.erase(cf::tasks, keys::task(t->created_at, t->id));
      batch.erase(cf::task_index, keys::task_locator(t->id));
      batch.erase(cf::task_output, keys::task_output(t->id, keys::stream::out));
      batch.erase(cf::task_output, keys::task_output(t->id, keys::stream::err));
      for (const auto& entry : keys::task_index_entries(*t))
        batch.erase(cf::task_index, entry);
      ++in_chunk;
    }
    if (in_chunk == 0)
      continue;
    audit_event event;
    event.action = "task.cleanup";
    event.user_id = who.user_id;
    event.username = who.username;
    event.client_ip = who.client_ip;
    event.user_agent = who.user_agent;
    event.metadata = audit_metadata{}
                         .add("deleted", static_cast<int64_t>(in_chunk))
                         .add("before", format_iso8601(cutoff))
                         .str();
    add_audit(batch, event);
    if (auto err = commit(batch))
      return err;
    deleted += in_chunk;
  }
  return deleted;
}

} // namespace tasks::storage
