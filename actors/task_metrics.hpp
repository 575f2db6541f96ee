// Counters of finished tasks for /metrics, updated by the storage actor as
// tasks reach a final state; lock-free so any thread may read them.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

#include "core/status.hpp"

namespace tasks {

/// Finished tasks by final status and a histogram of their run times.
class task_metrics {
public:
  /// Upper bounds of the duration buckets in seconds (Prometheus `le`).
  static constexpr std::array<double, 10> bucket_bounds
      = {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300, 600};

  /// Counts a task that reached `final_state` after running `duration`
  /// (zero for tasks that never started).
  void record(status final_state, std::chrono::microseconds duration);

  /// Tasks that ended in `s` since the service started.
  uint64_t finished(status s) const;

  /// Cumulative count of durations <= bucket_bounds[i].
  uint64_t bucket(size_t i) const;

  uint64_t duration_count() const;

  double duration_sum_seconds() const;

private:
  std::array<std::atomic<uint64_t>, 6> finished_{};
  std::array<std::atomic<uint64_t>, bucket_bounds.size()> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micros_{0};
};

} // namespace tasks
