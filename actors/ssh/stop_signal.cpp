// stop_signal: an atomic reason and an eventfd to wake the waiting poll.
#include "actors/ssh/stop_signal.hpp"

#include <cstdint>

#include <sys/eventfd.h>
#include <unistd.h>

namespace tasks::ssh {

stop_signal::stop_signal() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  // nop
}

stop_signal::~stop_signal() {
  if (fd_ >= 0)
    ::close(fd_);
}

void stop_signal::raise(stop_reason why) {
  int none = 0;
  if (!reason_.compare_exchange_strong(none, static_cast<int>(why)))
    return;
  if (fd_ >= 0) {
    const uint64_t one = 1;
    // Cannot fail short of a counter overflow: it is written once.
    [[maybe_unused]] auto written = ::write(fd_, &one, sizeof one);
  }
}

} // namespace tasks::ssh
