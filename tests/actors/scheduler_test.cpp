#define CAF_SUITE actors.scheduler
#include <caf/test/unit_test.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "actors/execution.hpp"

using namespace tasks;

namespace {

/// Threads of this process named `name` (CAF 0.17 names its scheduler
/// workers "caf.multiplexer").
size_t threads_named(const std::string& name) {
  size_t n = 0;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm{task.path() / "comm"};
    std::string line;
    if (std::getline(comm, line) && line == name)
      ++n;
  }
  return n;
}

} // namespace

CAF_TEST(one_worker_per_two_cores_at_least_one_at_most_four) {
  const size_t cores = std::thread::hardware_concurrency();
  const size_t expected = cores < 4 ? 1 : cores >= 8 ? 4 : cores / 2;
  CAF_CHECK_EQUAL(scheduler_threads(), expected);
}

CAF_TEST(the_actor_system_starts_that_many_workers) {
  // CAF only warns about a misspelt setting and keeps its default: count
  // the threads it starts.
  const size_t before = threads_named("caf.multiplexer");
  caf::actor_system_config cfg;
  configure_scheduler(cfg);
  caf::actor_system sys{cfg};
  // Each worker names itself once it runs: wait for the names to appear.
  auto started = [&] { return threads_named("caf.multiplexer") - before; };
  const auto deadline
      = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (started() < scheduler_threads()
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CAF_CHECK_EQUAL(started(), scheduler_threads());
}
