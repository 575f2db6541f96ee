// The task manager's handlers.
#include <caf/all.hpp>

#include "actors/task_manager.hpp"

#include "actors/server_supervisor.hpp"
#include "actors/timeouts.hpp"
#include "core/log.hpp"

namespace tasks {

namespace {

using self_ptr = task_manager_actor::stateful_pointer<manager_state>;

supervisor_actor supervisor_for(self_ptr self, uint64_t server_id) {
  auto& st = self->state;
  auto i = st.supervisors.find(server_id);
  if (i != st.supervisors.end())
    return i->second;
  auto sup = self->spawn<caf::linked>(server_supervisor, server_id,
                                      caf::actor_cast<task_manager_actor>(self),
                                      st.storage, st.cfg);
  st.supervisors.emplace(server_id, sup);
  return sup;
}

void grant(self_ptr self, uint64_t server_id, runner_actor runner) {
  auto& st = self->state;
  auto i = st.supervisors.find(server_id);
  if (i == st.supervisors.end()) {
    st.free.push_back(std::move(runner));
    return;
  }
  self->send(i->second, grant_atom::value, std::move(runner));
}

caf::error already_final(const task& t) {
  return make_error(errc::conflict, "task " + to_string(t.id) + " is already "
                                        + to_string(t.state));
}

} // namespace

task_manager_actor::behavior_type
task_manager(task_manager_actor::stateful_pointer<manager_state> self,
             storage_actor storage, std::vector<runner_actor> runners,
             execution_config cfg) {
  auto& st = self->state;
  st.storage = std::move(storage);
  st.cfg = cfg;
  st.total_workers = runners.size();
  st.free = std::move(runners);
  // Supervisors are linked: when the manager stops, they stop with it;
  // when one of them dies, the manager forgets it and lives on.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& sups = self->state.supervisors;
    for (auto i = sups.begin(); i != sups.end(); ++i) {
      if (i->second.address() == msg.source) {
        if (msg.reason)
          log::error("supervisor of server {} died: {}", i->first,
                     to_string(msg.reason));
        sups.erase(i);
        return;
      }
    }
    if (msg.reason)
      self->quit(msg.reason);
  });
  return {
      [self](create_atom, const new_task& request,
             const audit_origin& who) -> caf::result<task> {
        auto& st = self->state;
        if (!st.accepting)
          return make_error(errc::shutting_down,
                            "tasksd is shutting down and takes no new tasks");
        if (st.queued >= st.cfg.max_queued)
          return make_error(errc::queue_full,
                            "the queue is full: "
                                + std::to_string(st.cfg.max_queued)
                                + " tasks are waiting (TASKS_MAX_QUEUED)");
        ++st.queued; // reserved now, so concurrent creates respect the cap
        auto rp = self->make_response_promise<task>();
        // No CAF timeout: the store answers every create, the HTTP request
        // has its own, and in CAF 0.17 each one costs the clock thread two
        // wake-ups, one of them a message back to this actor 30 s later.
        self->request(st.storage, caf::infinite, create_atom::value, request,
                      who)
            .then(
                [self, rp](task& t) mutable {
                  ++self->state.queued_by_server[t.server_id];
                  self->send(supervisor_for(self, t.server_id),
                             enqueue_atom::value, t);
                  rp.deliver(std::move(t));
                },
                [self, rp](caf::error& err) mutable {
                  --self->state.queued;
                  rp.deliver(std::move(err));
                });
        return rp;
      },
      [self](cancel_atom, const task_id& id,
             const audit_origin& who) -> caf::result<task> {
        auto& st = self->state;
        auto rp = self->make_response_promise<task>();
        self->request(st.storage, timeouts::storage, get_atom::value, id, false)
            .then(
                [self, rp, who](task& t) mutable {
                  auto& st = self->state;
                  if (is_final(t.state)) {
                    rp.deliver(already_final(t));
                    return;
                  }
                  auto sup = st.supervisors.find(t.server_id);
                  if (sup == st.supervisors.end()) {
                    rp.deliver(make_error(errc::conflict,
                                          "task " + to_string(t.id)
                                              + " is not handled by this "
                                                "tasksd"));
                    return;
                  }
                  self->request(sup->second, timeouts::cancel,
                                cancel_atom::value, t.id, who)
                      .then(
                          [rp](task& cancelled) mutable {
                            rp.deliver(cancelled);
                          },
                          [self, rp, id = t.id](caf::error& err) mutable {
                            if (err != errc::not_found) {
                              rp.deliver(err);
                              return;
                            }
                            // It ended between our read and the cancel.
                            self->request(self->state.storage,
                                          timeouts::storage, get_atom::value,
                                          id, false)
                                .then(
                                    [rp](task& now_final) mutable {
                                      rp.deliver(already_final(now_final));
                                    },
                                    [rp](caf::error& e) mutable {
                                      rp.deliver(e);
                                    });
                          });
                },
                [rp](caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
      [self](slot_atom, uint64_t server_id) {
        auto& st = self->state;
        if (st.free.empty()) {
          st.waiting.push_back(server_id);
          return;
        }
        auto runner = std::move(st.free.back());
        st.free.pop_back();
        grant(self, server_id, std::move(runner));
      },
      [self](release_atom, runner_actor& runner) {
        auto& st = self->state;
        if (st.waiting.empty()) {
          st.free.push_back(std::move(runner));
          return;
        }
        auto next = st.waiting.front();
        st.waiting.pop_front();
        grant(self, next, std::move(runner));
      },
      [self](dequeued_atom, uint64_t server_id, uint64_t count) {
        auto& queued = self->state.queued;
        queued -= std::min(queued, count);
        auto& of_server = self->state.queued_by_server[server_id];
        of_server -= std::min(of_server, count);
      },
      [self](recover_atom) -> caf::result<uint64_t> {
        auto rp = self->make_response_promise<uint64_t>();
        self->request(self->state.storage, timeouts::storage,
                      recover_atom::value)
            .then(
                [self, rp](std::vector<task>& queued) mutable {
                  for (auto& t : queued) {
                    ++self->state.queued;
                    ++self->state.queued_by_server[t.server_id];
                    self->send(supervisor_for(self, t.server_id),
                               enqueue_atom::value, std::move(t));
                  }
                  if (!queued.empty())
                    log::info("recovery: {} queued task(s) requeued in order",
                              queued.size());
                  rp.deliver(uint64_t{queued.size()});
                },
                [rp](caf::error& err) mutable { rp.deliver(err); });
        return rp;
      },
      [self](drain_atom) -> caf::result<uint64_t> {
        auto& st = self->state;
        st.accepting = false;
        auto rp = self->make_response_promise<uint64_t>();
        if (st.supervisors.empty()) {
          rp.deliver(uint64_t{0});
          return rp;
        }
        auto pending = std::make_shared<size_t>(st.supervisors.size());
        auto left_queued = std::make_shared<uint64_t>(0);
        for (auto& [id, sup] : st.supervisors) {
          // Running tasks get the grace period, then they are cancelled.
          self->delayed_send(sup, st.cfg.drain_grace, stop_atom::value);
          self->request(sup, timeouts::drain + st.cfg.drain_grace,
                        drain_atom::value)
              .then(
                  [rp, pending, left_queued](uint64_t queued) mutable {
                    *left_queued += queued;
                    if (--*pending == 0)
                      rp.deliver(*left_queued);
                  },
                  [rp, pending, left_queued](caf::error& err) mutable {
                    log::error("drain: a supervisor did not answer: {}",
                               message_of(err));
                    if (--*pending == 0)
                      rp.deliver(*left_queued);
                  });
        }
        return rp;
      },
      [self](stats_atom) -> manager_stats {
        auto& st = self->state;
        manager_stats stats;
        stats.queued = st.queued;
        stats.free_workers = st.free.size();
        stats.running = st.total_workers - st.free.size();
        stats.servers = st.supervisors.size();
        for (const auto& [server_id, depth] : st.queued_by_server)
          stats.queued_by_server.emplace_back(server_id, depth);
        return stats;
      },
  };
}

} // namespace tasks
