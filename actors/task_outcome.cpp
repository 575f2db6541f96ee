// Mapping run results to final task states.
#include "actors/task_outcome.hpp"

namespace tasks {

task_transition failure(std::string error) {
  task_transition change;
  change.to = status::failed;
  change.error = std::move(error);
  return change;
}

task_transition stopped_transition(ssh::stop_reason reason, bool by_service) {
  task_transition change;
  change.to = reason == ssh::stop_reason::timeout ? status::timeout
                                                  : status::cancelled;
  if (change.to == status::cancelled && by_service)
    change.error = "cancelled: service shutting down";
  return change;
}

task_transition outcome_of(ssh::exec_result& result, bool store_output,
                           ssh::stop_reason reason, bool by_service) {
  task_transition change;
  change.stdout_truncated = result.stdout_truncated;
  change.stderr_truncated = result.stderr_truncated;
  if (store_output) {
    change.stdout_text = std::move(result.stdout_text);
    change.stderr_text = std::move(result.stderr_text);
  }
  switch (result.outcome) {
    case ssh::exec_outcome::exited:
      change.exit_code = result.exit_code;
      if (result.exit_code && *result.exit_code == 0) {
        change.to = status::success;
      } else {
        change.to = status::failed;
        if (!result.exit_code)
          change.error = "the command ended without an exit status "
                         "(killed by a signal?)";
      }
      break;
    case ssh::exec_outcome::timed_out: change.to = status::timeout; break;
    case ssh::exec_outcome::cancelled: {
      // The runner may see the deadline and a cancel at once: the stop
      // flag says which came first.
      auto stop = stopped_transition(
          reason == ssh::stop_reason::none ? ssh::stop_reason::cancel : reason,
          by_service);
      change.to = stop.to;
      change.error = stop.error;
      break;
    }
    case ssh::exec_outcome::failed:
      change.to = status::failed;
      change.error = result.error;
      break;
  }
  return change;
}

} // namespace tasks
