// The server supervisor: one per server, a FIFO of queued tasks, the
// per-server cap, the running task actors and the warm SSH sessions.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include <boost/functional/hash.hpp>
#include <caf/actor_clock.hpp>

#include "actors/execution_config.hpp"
#include "actors/interfaces.hpp"

namespace tasks {

struct supervisor_state {
  /// Running tasks by deadline: the supervisor keeps one delayed message
  /// for the earliest instead of each task one for its own (see
  /// docs/EXECUTION.md).
  using deadline_map = std::multimap<caf::actor_clock::time_point, task_id>;
  struct running_task {
    task_actor actor;
    runner_actor runner;
    deadline_map::iterator deadline;
  };
  struct idle_session {
    session_ptr session;
    timestamp since;
  };

  uint64_t server_id = 0;
  /// The server's own cap, 0 = cfg.concurrent_per_server.
  uint32_t server_cap = 0;
  task_manager_actor manager;
  storage_actor storage;
  execution_config cfg;
  std::deque<task> queue;
  std::unordered_map<task_id, running_task, boost::hash<task_id>> running;
  deadline_map deadlines;
  /// When the pending deadline message is due, and its number.
  std::optional<caf::actor_clock::time_point> deadline_armed;
  uint64_t deadline_generation = 0;
  std::vector<idle_session> idle;
  /// One worker request at a time keeps the manager's round-robin fair.
  bool slot_requested = false;
  bool draining = false;
  bool idle_check_scheduled = false;
  std::vector<caf::typed_response_promise<uint64_t>> drain_waiters;
  static inline const char* name = "server_supervisor";

  /// The cap in force.
  uint32_t cap() const {
    return server_cap != 0 ? server_cap : cfg.concurrent_per_server;
  }
};

/// Supervises the tasks of `server_id`.
supervisor_actor::behavior_type
server_supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
                  uint64_t server_id, task_manager_actor manager,
                  storage_actor storage, execution_config cfg);

} // namespace tasks
