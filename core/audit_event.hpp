// One record of the audit log (SPEC §6).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/time.hpp"
#include "core/uuid.hpp"

namespace tasks {

/// An audit record. The store assigns seq, ts (when unset), prev_hash and hash.
struct audit_event {
  uint64_t seq = 0;
  timestamp ts{};
  /// `task.create`, `auth.login_failed`, `server.host_key_pinned`, …
  std::string action;
  std::optional<uint64_t> user_id;
  std::string username;
  std::optional<task_id> task;
  std::optional<uint64_t> server_id;
  /// First 100 characters of the command, cut on a UTF-8 boundary.
  std::string command_preview;
  std::string client_ip;
  std::string user_agent;
  /// A JSON object: timeout, store_output, exit_code, duration_ms, error, …
  std::string metadata = "{}";
  /// 32 raw bytes each: the previous record's hash and this record's HMAC.
  std::string prev_hash;
  std::string hash;
};

/// Who caused a state change, as the audit log records it.
struct audit_origin {
  /// Unset for the service itself; a task's events then name its owner.
  std::optional<uint64_t> user_id;
  std::string username;
  std::string client_ip;
  std::string user_agent;
};

/// Filters of an audit query; every field is optional.
struct audit_filter {
  std::optional<uint64_t> user_id;
  std::optional<std::string> username;
  /// A prefix such as `task.` or a full action name.
  std::optional<std::string> action_prefix;
  std::optional<task_id> task;
  std::optional<uint64_t> server_id;
  /// Inclusive bounds on ts.
  std::optional<timestamp> from;
  std::optional<timestamp> to;
};

/// The first 100 characters of a command, invalid UTF-8 replaced (SPEC §6).
std::string command_preview(std::string_view command);

/// Builds the JSON object of audit_event::metadata; strings are sanitized.
class audit_metadata {
public:
  audit_metadata& add(std::string_view key, bool value);
  audit_metadata& add(std::string_view key, int64_t value);
  /// Any other integer, without ambiguity with bool.
  template <
      class T,
      class = std::enable_if_t<
          std::is_integral_v<
              T> && !std::is_same_v<T, bool> && !std::is_same_v<T, int64_t>>>
  audit_metadata& add(std::string_view key, T value) {
    return add(key, static_cast<int64_t>(value));
  }
  audit_metadata& add(std::string_view key, std::string_view value);
  audit_metadata& add(std::string_view key, const char* value) {
    return add(key, std::string_view{value});
  }

  /// The object, e.g. `{"timeout":60,"store_output":false}`.
  std::string str() const;

private:
  /// Each entry is a key and its already-encoded JSON value.
  std::vector<std::pair<std::string, std::string>> fields_;
};

} // namespace tasks
