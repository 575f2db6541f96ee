// Running one command on a session: capped capture of stdout and stderr,
// drained so the remote side never blocks, killed on timeout or cancel.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "actors/ssh/stop_signal.hpp"

namespace tasks::ssh {

class session;

/// What to run and within which limits.
struct exec_request {
  std::string command;
  /// Deadline measured from the start of exec().
  std::chrono::milliseconds timeout{60000};
  /// Keep output at all (store_output); without it everything is drained.
  bool capture = false;
  /// Cap for stdout and for stderr, each.
  uint64_t max_bytes = 65536;
};

/// How the command ended.
enum class exec_outcome {
  /// It exited by itself; exit_code is set (or unknown if killed by a
  /// signal of its own).
  exited,
  /// The deadline passed; the remote process group was killed.
  timed_out,
  /// `stop` asked for cancel; the remote process group was killed.
  cancelled,
  /// The channel failed; `error` says why (`channel error: …`).
  failed,
};

/// The outcome with the captured output.
struct exec_result {
  exec_outcome outcome = exec_outcome::failed;
  std::optional<int32_t> exit_code;
  /// Raw bytes, each at most max_bytes (UTF-8 repair is the store's job).
  std::string stdout_text;
  std::string stderr_text;
  bool stdout_truncated = false;
  bool stderr_truncated = false;
  std::string error;
  /// The server accepted the command: it may have run. False when the
  /// channel failed before, so a retry cannot run it twice.
  bool started = false;
};

/// Runs `request` on a new channel of `s`. Returns when the command exits,
/// when the deadline passes, or as soon as `stop` is raised (cancel or
/// timeout); in the last cases the remote process group is gone when it
/// returns and `s` is poisoned. It sleeps in poll() in between.
exec_result exec(session& s, const exec_request& request,
                 const stop_signal& stop);

} // namespace tasks::ssh
