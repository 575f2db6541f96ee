// Counters of the HTTP layer and the Prometheus text rendering of every
// metric tasksd exports at /metrics.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace tasks {
struct manager_stats;
class task_metrics;
} // namespace tasks

namespace tasks::http {

/// HTTP requests by method, route and status code.
class metrics {
public:
  /// Counts one answered request.
  void count_request(const std::string& method, const std::string& route,
                     int code);

  /// The Prometheus text exposition (format 0.0.4) of the HTTP counters,
  /// the task counters, the execution gauges and the store's synced writes.
  std::string render(const manager_stats& execution, const task_metrics& tasks,
                     uint64_t store_writes) const;

private:
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;
};

} // namespace tasks::http
