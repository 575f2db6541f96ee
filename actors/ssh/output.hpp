// Pure helpers of exec(): the remote wrapper command, the stderr filter that
// takes the process-group marker out, and the capped output buffers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tasks::ssh {

/// The first stderr line the wrapper prints: `tasksd-pgid:<pid>\n`.
inline constexpr std::string_view pgid_marker = "tasksd-pgid:";

/// Returns `text` as one single-quoted POSIX shell word.
std::string shell_quote(std::string_view text);

/// Wraps `command` so that the remote login shell first reports its pid (the
/// process group id of the session, since sshd starts it with setsid) on
/// stderr, then replaces itself by `$SHELL -c command`. Needs a POSIX login
/// shell (sh, dash, bash, zsh, ksh); csh or fish cannot parse it.
std::string wrap_command(std::string_view command);

/// Returns `kill -s KILL -- -<pgid>`: dash's kill rejects `-KILL --`.
std::string kill_group_command(long pgid);

/// Keeps at most `max` bytes of a stream and drops the rest, remembering
/// that it did; keeps nothing when `keep` is false.
class capped_output {
public:
  capped_output(bool keep, uint64_t max) : keep_(keep), max_(max) {
    // nop
  }

  /// Consumes `data`: the part under the cap is kept, the rest discarded.
  void append(std::string_view data);

  /// The kept bytes, raw.
  std::string& text() { return text_; }

  /// True when bytes beyond the cap arrived (only when keeping).
  bool truncated() const { return truncated_; }

  /// Every byte seen, kept or not.
  uint64_t total() const { return total_; }

private:
  bool keep_;
  uint64_t max_;
  std::string text_;
  bool truncated_ = false;
  uint64_t total_ = 0;
};

/// Removes the wrapper's marker line from a stderr stream that may arrive
/// in pieces of any size. Lines before it (start-up noise of the login
/// shell) pass through; after `give_up_after` bytes without a marker it
/// stops looking and passes everything.
class pgid_filter {
public:
  explicit pgid_filter(size_t give_up_after = 65536)
      : give_up_after_(give_up_after) {
    // nop
  }

  /// Feeds the next piece; appends the command's own stderr bytes to `out`.
  void feed(std::string_view data, capped_output& out);

  /// Passes on whatever is still held back; call when the stream ended.
  void finish(capped_output& out);

  /// The process group id, once the marker was seen.
  std::optional<long> pgid() const { return pgid_; }

  /// True once the marker was found or the filter gave up.
  bool done() const { return done_; }

private:
  /// Handles the complete lines and provable non-markers in pending_.
  void scan(capped_output& out);

  size_t give_up_after_;
  size_t passed_ = 0;
  bool done_ = false;
  bool at_line_start_ = true;
  std::string pending_;
  std::optional<long> pgid_;
};

} // namespace tasks::ssh
