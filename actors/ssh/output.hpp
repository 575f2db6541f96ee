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
///
/// It forks nothing on Linux: the children come from
/// /proc/<pid>/task/<pid>/children through the `read` builtin (sshd has
/// one thread), from `pgrep -P` where that file is missing. A hundred kills
/// at once that each ran pgrep took up to 2.3 s on two cores, past the kill
/// channel's budget. `eval "set -- …"` splits the pids into words in every
/// shell, zsh included (which does not split a variable). A sibling with no
/// group of its own yet (sshd's child calls setsid() just after fork()) is
/// killed by its pid; `kill -s KILL --` is the form dash accepts. Needs a
/// POSIX-like login shell.
inline constexpr std::string_view kill_siblings_command
    = "f=/proc/$PPID/task/$PPID/children;"
      " if [ -r \"$f\" ]; then read -r kids < \"$f\";"
      " else kids=$(pgrep -P \"$PPID\" | tr '\\n' ' '); fi;"
      " eval \"set -- $kids\";"
      " for p do"
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
