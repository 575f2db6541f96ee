// Pure helpers of exec(): the command that kills a running command, and the
// capped output buffers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tasks::ssh {

/// Kills, from a second channel of the same session, the process group of
/// every other command that session runs. sshd forks each channel's login
/// shell from the connection's own process and makes it a session leader
/// (so its pid is its process group), which makes the running command a
/// sibling of this one's shell: `$PPID`'s children other than `$$`.
/// Finding them needs `pgrep` (procps, busybox) or, failing that, Linux's
/// /proc/<pid>/task/<tid>/children; `kill -s KILL --` is the form dash
/// accepts. A sibling that has no group of its own yet (sshd's child calls
/// setsid() just after fork()) is killed by its pid. The pids come from a
/// command substitution, which zsh splits into words as POSIX shells do (a
/// variable it would not). Needs a POSIX-like login shell.
inline constexpr std::string_view kill_siblings_command
    = "for p in $(pgrep -P \"$PPID\" 2>/dev/null"
      " || cat /proc/\"$PPID\"/task/*/children); do"
      " [ \"$p\" = \"$$\" ]"
      " || kill -s KILL -- \"-$p\" 2>/dev/null || kill -s KILL \"$p\";"
      " done";

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

} // namespace tasks::ssh
