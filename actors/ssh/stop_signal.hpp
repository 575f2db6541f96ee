// A request to stop a running command, raised by one thread (the task
// actor) and waited for by another (exec() in a runner) without polling.
#pragma once

#include <atomic>

namespace tasks::ssh {

/// Why a running command must stop.
enum class stop_reason : int { none = 0, timeout = 1, cancel = 2 };

/// The first reason raised wins. Raising also makes fd() readable, so an
/// exec() that waits for the command's output wakes at once: a command that
/// runs for hours costs no wake-ups meanwhile.
class stop_signal {
public:
  stop_signal();
  ~stop_signal();

  stop_signal(const stop_signal&) = delete;
  stop_signal& operator=(const stop_signal&) = delete;

  /// Sets `why` unless a reason is set already.
  void raise(stop_reason why);

  stop_reason reason() const {
    return static_cast<stop_reason>(reason_.load());
  }

  /// An eventfd, readable once raised; -1 when none could be made (exec()
  /// then looks at reason() every few milliseconds instead).
  int fd() const { return fd_; }

private:
  std::atomic<int> reason_{0};
  int fd_ = -1;
};

} // namespace tasks::ssh
