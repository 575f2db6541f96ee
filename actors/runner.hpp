// A runner: one thread that performs the blocking SSH work of one task at
// a time. tasksd spawns TASKS_NUM_WORKERS of them (the global cap).
#pragma once

#include "actors/interfaces.hpp"

namespace tasks {

/// Spawn detached: its handlers block in libssh.
runner_actor::behavior_type runner(runner_actor::pointer self);

} // namespace tasks
