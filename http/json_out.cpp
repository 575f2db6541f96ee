// JSON response bodies (see json_out.hpp).
#include "http/json_out.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/time.hpp"
#include "core/uuid.hpp"

namespace tasks::http {

namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

/// Writes a string through the escaper (rapidjson would pass bad UTF-8).
void put_string(json_writer& w, std::string_view text) {
  std::string literal;
  literal.reserve(text.size() + 2);
  append_json_string(literal, text);
  w.RawValue(literal.data(), literal.size(), rapidjson::kStringType);
}

void put_key_string(json_writer& w, const char* key, std::string_view text) {
  w.Key(key);
  put_string(w, text);
}

void put_time(json_writer& w, const char* key, timestamp t) {
  w.Key(key);
  auto text = format_iso8601(t);
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

void put_optional_time(json_writer& w, const char* key,
                       const std::optional<timestamp>& t) {
  if (t)
    put_time(w, key, *t);
  else {
    w.Key(key);
    w.Null();
  }
}

void put_optional_string(json_writer& w, const char* key,
                         const std::optional<std::string>& text) {
  w.Key(key);
  if (text)
    put_string(w, *text);
  else
    w.Null();
}

/// Lists leave the output out (up to 2 × TASKS_OUTPUT_MAX_BYTES per task):
/// their entries have no stdout/stderr keys rather than a misleading null.
void write_task(json_writer& w, const task& t, bool with_output) {
  w.StartObject();
  put_key_string(w, "id", to_string(t.id));
  w.Key("server_id");
  w.Uint64(t.server_id);
  w.Key("user_id");
  w.Uint64(t.user_id);
  put_key_string(w, "command", t.command);
  put_key_string(w, "status", to_string(t.state));
  w.Key("exit_code");
  if (t.exit_code)
    w.Int(*t.exit_code);
  else
    w.Null();
  if (with_output) {
    put_optional_string(w, "stdout", t.stdout_text);
    put_optional_string(w, "stderr", t.stderr_text);
  }
  w.Key("stdout_truncated");
  w.Bool(t.stdout_truncated);
  w.Key("stderr_truncated");
  w.Bool(t.stderr_truncated);
  put_optional_string(w, "error", t.error);
  w.Key("timeout_seconds");
  w.Uint(t.timeout_seconds);
  w.Key("store_output");
  w.Uint(t.store_output ? 1 : 0);
  put_optional_time(w, "started_at", t.started_at);
  put_optional_time(w, "finished_at", t.finished_at);
  put_time(w, "created_at", t.created_at);
  w.EndObject();
}

void write_server(json_writer& w, const server& s) {
  w.StartObject();
  w.Key("id");
  w.Uint64(s.id);
  put_key_string(w, "name", s.name);
  put_key_string(w, "host", s.host);
  w.Key("port");
  w.Uint(s.port);
  put_key_string(w, "username", s.username);
  w.Key("vault_key_id");
  if (s.vault_key_id)
    w.Uint64(*s.vault_key_id);
  else
    w.Null();
  w.Key("key_file");
  if (s.key_file.empty())
    w.Null();
  else
    put_string(w, s.key_file);
  w.Key("has_password");
  w.Bool(!s.sealed_password.empty());
  w.Key("host_key");
  if (s.host_key.empty())
    w.Null();
  else
    put_string(w, s.host_key);
  w.Key("max_concurrent_tasks");
  if (s.max_concurrent_tasks)
    w.Uint(*s.max_concurrent_tasks);
  else
    w.Null();
  put_time(w, "created_at", s.created_at);
  w.EndObject();
}

void write_user(json_writer& w, const user& u) {
  w.StartObject();
  w.Key("id");
  w.Uint64(u.id);
  put_key_string(w, "username", u.username);
  put_key_string(w, "role", to_string(u.user_role));
  w.Key("disabled");
  w.Bool(u.disabled);
  put_time(w, "created_at", u.created_at);
  w.EndObject();
}

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

void write_audit(json_writer& w, const audit_event& e) {
  w.StartObject();
  w.Key("seq");
  w.Uint64(e.seq);
  put_time(w, "ts", e.ts);
  put_key_string(w, "action", e.action);
  w.Key("user_id");
  if (e.user_id)
    w.Uint64(*e.user_id);
  else
    w.Null();
  put_key_string(w, "username", e.username);
  w.Key("task_id");
  if (e.task)
    put_string(w, to_string(*e.task));
  else
    w.Null();
  w.Key("server_id");
  if (e.server_id)
    w.Uint64(*e.server_id);
  else
    w.Null();
  put_key_string(w, "command_preview", e.command_preview);
  put_key_string(w, "client_ip", e.client_ip);
  put_key_string(w, "user_agent", e.user_agent);
  // The store writes metadata as a JSON object; it goes out verbatim.
  w.Key("metadata");
  const auto& meta = e.metadata.empty() ? std::string{"{}"} : e.metadata;
  w.RawValue(meta.data(), meta.size(), rapidjson::kObjectType);
  put_key_string(w, "prev_hash", hex(e.prev_hash));
  put_key_string(w, "hash", hex(e.hash));
  w.EndObject();
}

template <class F> std::string build(F&& write) {
  rapidjson::StringBuffer sb;
  json_writer w{sb};
  write(w);
  return {sb.GetString(), sb.GetSize()};
}

} // namespace

std::string error_body(std::string_view code, std::string_view message) {
  return build([&](json_writer& w) {
    w.StartObject();
    w.Key("success");
    w.Bool(false);
    put_key_string(w, "error", code);
    put_key_string(w, "message", message);
    w.EndObject();
  });
}

std::string success_body(std::string_view message) {
  return build([&](json_writer& w) {
    w.StartObject();
    w.Key("success");
    w.Bool(true);
    put_key_string(w, "message", message);
    w.EndObject();
  });
}

std::string task_json(const task& t) {
  return build([&](json_writer& w) { write_task(w, t, true); });
}

std::string task_list_json(const std::vector<task>& tasks, size_t limit,
                           size_t offset) {
  return build([&](json_writer& w) {
    w.StartObject();
    w.Key("tasks");
    w.StartArray();
    for (const auto& t : tasks)
      write_task(w, t, false);
    w.EndArray();
    w.Key("count");
    w.Uint64(tasks.size());
    w.Key("limit");
    w.Uint64(limit);
    w.Key("offset");
    w.Uint64(offset);
    w.EndObject();
  });
}

std::string server_json(const server& s) {
  return build([&](json_writer& w) { write_server(w, s); });
}

std::string server_list_json(const std::vector<server>& servers) {
  return build([&](json_writer& w) {
    w.StartObject();
    w.Key("servers");
    w.StartArray();
    for (const auto& s : servers)
      write_server(w, s);
    w.EndArray();
    w.Key("count");
    w.Uint64(servers.size());
    w.EndObject();
  });
}

std::string user_json(const user& u) {
  return build([&](json_writer& w) { write_user(w, u); });
}

std::string user_list_json(const std::vector<user>& users) {
  return build([&](json_writer& w) {
    w.StartObject();
    w.Key("users");
    w.StartArray();
    for (const auto& u : users)
      write_user(w, u);
    w.EndArray();
    w.Key("count");
    w.Uint64(users.size());
    w.EndObject();
  });
}

std::string principal_json(const principal& who) {
  return build([&](json_writer& w) {
    w.StartObject();
    w.Key("id");
    w.Uint64(who.user_id);
    put_key_string(w, "username", who.username);
    put_key_string(w, "role", to_string(who.user_role));
    w.EndObject();
  });
}

std::string audit_list_json(const std::vector<audit_event>& events,
                            size_t limit, size_t offset) {
  return build([&](json_writer& w) {
    w.StartObject();
    w.Key("records");
    w.StartArray();
    for (const auto& e : events)
      write_audit(w, e);
    w.EndArray();
    w.Key("count");
    w.Uint64(events.size());
    w.Key("limit");
    w.Uint64(limit);
    w.Key("offset");
    w.Uint64(offset);
    w.EndObject();
  });
}

} // namespace tasks::http
