// A task: one command to run on one server (SPEC §3).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/status.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"

namespace tasks {

/// A task as stored and as the API shows it.
struct task {
  task_id id{};
  uint64_t server_id = 0;
  uint64_t user_id = 0;
  std::string command;
  status state = status::queued;
  std::optional<int32_t> exit_code;
  std::optional<std::string> error;
  uint32_t timeout_seconds = 60;
  bool store_output = false;
  timestamp created_at{};
  std::optional<timestamp> started_at;
  std::optional<timestamp> finished_at;
  bool stdout_truncated = false;
  bool stderr_truncated = false;
  /// Present only when output was stored and loaded with the task.
  std::optional<std::string> stdout_text;
  std::optional<std::string> stderr_text;
};

/// What a caller asks for when creating a task.
struct new_task {
  uint64_t server_id = 0;
  uint64_t user_id = 0;
  std::string command;
  uint32_t timeout_seconds = 60;
  bool store_output = false;
};

/// The outcome that moves a task to a new status.
struct task_transition {
  status to = status::running;
  std::optional<int32_t> exit_code;
  std::optional<std::string> error;
  /// Captured output, stored only for tasks with store_output.
  std::optional<std::string> stdout_text;
  std::optional<std::string> stderr_text;
  bool stdout_truncated = false;
  bool stderr_truncated = false;
};

/// Filters of the task list; every field is optional. Newest first.
struct task_filter {
  std::optional<uint64_t> server_id;
  std::optional<uint64_t> user_id;
  std::optional<status> state;
  /// Inclusive bounds on created_at.
  std::optional<timestamp> from;
  std::optional<timestamp> to;
  size_t limit = 100;
  size_t offset = 0;
};

} // namespace tasks
