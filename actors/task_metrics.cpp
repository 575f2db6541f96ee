// Counters of finished tasks (see task_metrics.hpp).
#include "actors/task_metrics.hpp"

namespace tasks {

void task_metrics::record(status final_state,
                          std::chrono::microseconds duration) {
  finished_[static_cast<size_t>(final_state)].fetch_add(
      1, std::memory_order_relaxed);
  auto micros = static_cast<uint64_t>(std::max<int64_t>(0, duration.count()));
  double seconds = static_cast<double>(micros) / 1e6;
  for (size_t i = 0; i < bucket_bounds.size(); ++i)
    if (seconds <= bucket_bounds[i])
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(micros, std::memory_order_relaxed);
}

uint64_t task_metrics::finished(status s) const {
  return finished_[static_cast<size_t>(s)].load(std::memory_order_relaxed);
}

uint64_t task_metrics::bucket(size_t i) const {
  return buckets_[i].load(std::memory_order_relaxed);
}

uint64_t task_metrics::duration_count() const {
  return count_.load(std::memory_order_relaxed);
}

double task_metrics::duration_sum_seconds() const {
  return static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6;
}

} // namespace tasks
