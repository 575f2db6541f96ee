// The storage actor over a real store in a temp dir, driven by CAF's test
// coordinator: the base of the storage actor suites.
#pragma once

#include <caf/test/dsl.hpp>

#include "../storage/store_fixture.hpp"

#include "actors/storage_actor.hpp"

struct storage_actor_fixture : store_fixture, test_coordinator_fixture<> {
  tasks::storage_actor storage;
  tasks::audit_origin admin{1, "root", "10.0.0.1", "admin-ui"};

  /// Spawns the storage actor over the fixture's store and runs its start.
  void start() {
    storage = sys.spawn(
        [s = st.get()](
            tasks::storage_actor::stateful_pointer<tasks::storage_state> self) {
          return storage_service(self, s, tasks::execution_config{});
        });
    sched.run();
  }

  ~storage_actor_fixture() {
    self->send_exit(storage, caf::exit_reason::user_shutdown);
    sched.run();
  }
};
