// The deadline queue's timer actor (see deadline_queue.hpp).
#include <caf/all.hpp>

#include "actors/deadline_queue.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace tasks {

namespace {

using sweep_atom = caf::atom_constant<caf::atom("sweep")>;
using time_point = caf::actor_clock::time_point;

/// The shortest sleep between two sweeps. Deadlines added a millisecond
/// apart would otherwise wake the timer once each (most of them for
/// requests long answered); so a callback runs up to this much late.
constexpr caf::timespan min_sleep = std::chrono::seconds{1};

} // namespace

struct deadline_queue::pending {
  std::mutex mutex;
  /// Oldest first, so also earliest first.
  std::deque<std::pair<time_point, std::function<void()>>> callbacks;
  /// A sweep message is on its way or scheduled.
  bool armed = false;
};

namespace {

/// Runs what is due, then sleeps until the next deadline; stands down
/// when nothing is left (the next add wakes it).
caf::behavior timer(caf::event_based_actor* self,
                    std::shared_ptr<deadline_queue::pending> pending) {
  return {
      [self, pending](sweep_atom) {
        std::vector<std::function<void()>> due;
        std::optional<caf::timespan> next;
        {
          std::lock_guard<std::mutex> guard{pending->mutex};
          auto now = self->clock().now();
          auto& queue = pending->callbacks;
          while (!queue.empty() && queue.front().first <= now) {
            due.push_back(std::move(queue.front().second));
            queue.pop_front();
          }
          if (queue.empty())
            pending->armed = false;
          else
            next
                = std::max<caf::timespan>(queue.front().first - now, min_sleep);
        }
        for (auto& callback : due)
          callback();
        if (next)
          self->delayed_send(self, *next, sweep_atom::value);
      },
  };
}

} // namespace

deadline_queue::deadline_queue(caf::actor_system& sys, caf::timespan length)
    : sys_(sys), length_(length), pending_(std::make_shared<pending>()) {
  timer_ = sys.spawn(timer, pending_);
}

deadline_queue::~deadline_queue() {
  caf::anon_send_exit(timer_, caf::exit_reason::user_shutdown);
}

void deadline_queue::add(std::function<void()> on_expiry) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> guard{pending_->mutex};
    // Taken under the lock: the queue stays in deadline order.
    pending_->callbacks.emplace_back(sys_.clock().now() + length_,
                                     std::move(on_expiry));
    wake = !std::exchange(pending_->armed, true);
  }
  if (wake)
    caf::anon_send(timer_, sweep_atom::value);
}

} // namespace tasks
