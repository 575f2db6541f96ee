// The runner's handlers: connect, and run one command.
#include <caf/all.hpp>

#include "actors/runner.hpp"

namespace tasks {

runner_actor::behavior_type runner(runner_actor::pointer) {
  return {
      [](connect_atom, const server_access& access) -> connect_result {
        auto opened = ssh::session::open(access.target);
        if (!opened)
          return {nullptr, std::move(opened.error())};
        return {std::make_shared<ssh::session>(std::move(*opened)), caf::none};
      },
      [](exec_atom, exec_job& job) -> exec_done {
        exec_done done;
        done.result = ssh::exec(*job.session, job.request, *job.stop);
        if (job.session->reusable())
          done.session = std::move(job.session);
        return done;
      },
  };
}

} // namespace tasks
