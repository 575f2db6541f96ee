// Task statuses and the legal transitions between them (SPEC §3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tasks {

/// A task's life cycle; the numeric values are stored and must never change.
enum class status : uint8_t {
  queued = 0,
  running = 1,
  success = 2,
  failed = 3,
  timeout = 4,
  cancelled = 5,
};

/// All statuses, in numeric order.
inline constexpr status all_statuses[]
    = {status::queued, status::running, status::success,
       status::failed, status::timeout, status::cancelled};

/// Returns the API name, e.g. "queued".
std::string to_string(status s);

/// Parses an API name; nullopt for anything else.
std::optional<status> parse_status(std::string_view name);

/// True for success, failed, timeout and cancelled: states that never change.
bool is_final(status s);

/// True when a task in `from` may move to `to`.
bool can_transition(status from, status to);

} // namespace tasks
