// HTTP counters and the Prometheus text exposition (see metrics.hpp).
#include "http/metrics.hpp"

#include <fmt/format.h>

#include "actors/task_metrics.hpp"
#include "actors/types.hpp"

namespace tasks::http {

void metrics::count_request(const std::string& method, const std::string& route,
                            int code) {
  std::lock_guard<std::mutex> guard{mutex_};
  ++requests_[{method, route, code}];
}

std::string metrics::render(const manager_stats& execution,
                            const task_metrics& tasks,
                            uint64_t store_writes) const {
  std::string out;
  auto line = [&out](auto&&... args) {
    fmt::format_to(std::back_inserter(out), args...);
    out += '\n';
  };
  line("# HELP tasksd_tasks_queued Tasks waiting to start, all servers.");
  line("# TYPE tasksd_tasks_queued gauge");
  line("tasksd_tasks_queued {}", execution.queued);
  line("# HELP tasksd_tasks_running Tasks running now.");
  line("# TYPE tasksd_tasks_running gauge");
  line("tasksd_tasks_running {}", execution.running);
  line("# HELP tasksd_workers_free Global worker slots not in use.");
  line("# TYPE tasksd_workers_free gauge");
  line("tasksd_workers_free {}", execution.free_workers);
  line("# HELP tasksd_server_queue_depth Tasks waiting per server.");
  line("# TYPE tasksd_server_queue_depth gauge");
  for (const auto& [server_id, depth] : execution.queued_by_server)
    line("tasksd_server_queue_depth{{server_id=\"{}\"}} {}", server_id, depth);
  line("# HELP tasksd_tasks_finished_total Tasks that reached a final status "
       "since the service started.");
  line("# TYPE tasksd_tasks_finished_total counter");
  for (auto s :
       {status::success, status::failed, status::timeout, status::cancelled})
    line("tasksd_tasks_finished_total{{status=\"{}\"}} {}", to_string(s),
         tasks.finished(s));
  line("# HELP tasksd_task_duration_seconds Run time of finished tasks.");
  line("# TYPE tasksd_task_duration_seconds histogram");
  for (size_t i = 0; i < task_metrics::bucket_bounds.size(); ++i)
    line("tasksd_task_duration_seconds_bucket{{le=\"{}\"}} {}",
         task_metrics::bucket_bounds[i], tasks.bucket(i));
  line("tasksd_task_duration_seconds_bucket{{le=\"+Inf\"}} {}",
       tasks.duration_count());
  line("tasksd_task_duration_seconds_sum {}", tasks.duration_sum_seconds());
  line("tasksd_task_duration_seconds_count {}", tasks.duration_count());
  line("# HELP tasksd_store_writes_total Synced writes to the store; a group "
       "commit is one.");
  line("# TYPE tasksd_store_writes_total counter");
  line("tasksd_store_writes_total {}", store_writes);
  line("# HELP tasksd_http_requests_total HTTP requests by method, route and "
       "status code.");
  line("# TYPE tasksd_http_requests_total counter");
  std::lock_guard<std::mutex> guard{mutex_};
  for (const auto& [key, count] : requests_) {
    const auto& [method, route, code] = key;
    line("tasksd_http_requests_total{{method=\"{}\",route=\"{}\",code=\"{}\"}} "
         "{}",
         method, route, code, count);
  }
  return out;
}

} // namespace tasks::http
