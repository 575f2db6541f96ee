// Production wiring of the execution actors.
#include <caf/all.hpp>

#include "actors/execution.hpp"

#include <algorithm>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include "actors/runner.hpp"
#include "actors/storage_actor.hpp"
#include "actors/task_manager.hpp"
#include "actors/task_metrics.hpp"
#include "storage/store.hpp"

namespace tasks {

void configure_scheduler(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.set("scheduler.max-threads", scheduler_threads());
}

size_t scheduler_threads() {
  const size_t cores = std::thread::hardware_concurrency(); // 0: unknown
  return std::clamp<size_t>(cores / 2, 1, 4);
}

execution spawn_execution(caf::actor_system& sys, storage::store& st,
                          const execution_config& cfg, task_metrics* finished) {
  execution result;
  result.storage
      = sys.spawn<caf::detached>(storage_service, &st, cfg, finished);
  for (size_t i = 0; i < storage_readers; ++i)
    result.readers.push_back(sys.spawn<caf::detached>(
        storage_service, &st, cfg, static_cast<task_metrics*>(nullptr)));
  for (uint32_t i = 0; i < cfg.num_workers; ++i)
    result.runners.push_back(sys.spawn<caf::detached>(runner));
  result.manager = sys.spawn(task_manager, result.storage, result.runners, cfg);
  return result;
}

void stop_execution(caf::actor_system&, const execution& exec) {
  caf::anon_send_exit(exec.manager, caf::exit_reason::user_shutdown);
  for (const auto& r : exec.runners)
    caf::anon_send_exit(r, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(exec.storage, caf::exit_reason::user_shutdown);
  for (const auto& r : exec.readers)
    caf::anon_send_exit(r, caf::exit_reason::user_shutdown);
}

} // namespace tasks
