// One timer for many deadlines of the same length. In CAF 0.17 a request
// timeout wakes the clock thread when it is set and again when it fires,
// even after the answer came, and keeps its actor alive until then; with
// every deadline `length` from now, the deadlines fall in the order they
// were added, and one delayed message for the oldest serves them all.
#pragma once

#include <functional>
#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/timespan.hpp>

namespace tasks {

class deadline_queue {
public:
  deadline_queue(caf::actor_system& sys, caf::timespan length);

  /// Stops the timer; callbacks not yet due never run.
  ~deadline_queue();

  deadline_queue(const deadline_queue&) = delete;
  deadline_queue& operator=(const deadline_queue&) = delete;

  /// Runs `on_expiry` on the timer's actor `length` from now, or up to a
  /// second later when it falls just after an earlier one (one wake-up a
  /// second at most); callable from any thread. The callback runs whatever
  /// happened meanwhile: it checks for itself whether there is still something
  /// to do.
  void add(std::function<void()> on_expiry);

  struct pending;

private:
  caf::actor_system& sys_;
  caf::timespan length_;
  std::shared_ptr<pending> pending_;
  caf::actor timer_;
};

} // namespace tasks
