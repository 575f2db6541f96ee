// Task status names and transition rules.
#include "core/status.hpp"

namespace tasks {

std::string to_string(status s) {
  switch (s) {
    case status::queued: return "queued";
    case status::running: return "running";
    case status::success: return "success";
    case status::failed: return "failed";
    case status::timeout: return "timeout";
    case status::cancelled: return "cancelled";
  }
  return "unknown";
}

std::optional<status> parse_status(std::string_view name) {
  for (auto s : all_statuses)
    if (to_string(s) == name)
      return s;
  return std::nullopt;
}

bool is_final(status s) {
  return s != status::queued && s != status::running;
}

bool can_transition(status from, status to) {
  switch (from) {
    case status::queued:
      // A queued task starts, is cancelled, or fails before it can start
      // (its server was removed, or its host key cannot be trusted).
      return to == status::running || to == status::cancelled
             || to == status::failed;
    case status::running: return is_final(to);
    default: return false; // a final state never changes again
  }
}

} // namespace tasks
