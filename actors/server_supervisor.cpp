// The server supervisor's queue, worker requests, cancels and drain.
#include <caf/all.hpp>

#include "actors/server_supervisor.hpp"

#include <algorithm>

#include "actors/task_actor.hpp"
#include "actors/timeouts.hpp"
#include "core/log.hpp"

namespace tasks {

namespace {

using self_ptr = supervisor_actor::stateful_pointer<supervisor_state>;

void request_slot_if_needed(self_ptr self) {
  auto& st = self->state;
  if (st.slot_requested || st.draining || st.queue.empty()
      || st.running.size() >= st.cap())
    return;
  st.slot_requested = true;
  self->send(st.manager, slot_atom::value, st.server_id);
}

void answer_drain_if_idle(self_ptr self) {
  auto& st = self->state;
  if (!st.draining || !st.running.empty())
    return;
  for (auto& waiter : st.drain_waiters)
    waiter.deliver(uint64_t{st.queue.size()});
  st.drain_waiters.clear();
}

void schedule_idle_check(self_ptr self) {
  auto& st = self->state;
  if (st.idle_check_scheduled || st.idle.empty())
    return;
  st.idle_check_scheduled = true;
  self->delayed_send(self, st.cfg.session_idle, idle_atom::value);
}

session_ptr take_idle_session(self_ptr self) {
  auto& idle = self->state.idle;
  while (!idle.empty()) {
    auto candidate = std::move(idle.back().session);
    idle.pop_back();
    if (candidate->reusable())
      return candidate;
  }
  return nullptr;
}

/// Keeps one delayed message pending, for the earliest deadline. In CAF
/// 0.17 every delayed message wakes the clock thread and keeps its receiver
/// alive until it fires: one per task cost a wake-up per task and held
/// every finished task actor for its whole timeout.
void arm_deadline(self_ptr self) {
  auto& st = self->state;
  if (st.deadlines.empty())
    return;
  auto due = st.deadlines.begin()->first;
  if (st.deadline_armed && *st.deadline_armed <= due)
    return;
  st.deadline_armed = due;
  auto delay = std::max(due - self->clock().now(),
                        caf::actor_clock::duration_type::zero());
  self->delayed_send(self, delay, deadline_atom::value,
                     ++st.deadline_generation);
}

/// Tells every task whose deadline has come, then waits for the next one.
void deadlines_due(self_ptr self) {
  auto& st = self->state;
  st.deadline_armed.reset();
  auto now = self->clock().now();
  auto& due = st.deadlines;
  while (!due.empty() && due.begin()->first <= now) {
    auto task = st.running.find(due.begin()->second);
    due.erase(due.begin());
    if (task != st.running.end()) {
      task->second.deadline = due.end();
      self->send(task->second.actor, timeout_atom::value);
    }
  }
  arm_deadline(self);
}

void start(self_ptr self, task t, runner_actor runner) {
  auto& st = self->state;
  auto session = st.cfg.reuse_sessions ? take_idle_session(self) : nullptr;
  auto id = t.id;
  auto deadline = st.deadlines.emplace(
      self->clock().now() + std::chrono::seconds{t.timeout_seconds}, id);
  auto actor = self->spawn<caf::linked>(run_task, std::move(t), runner,
                                        caf::actor_cast<supervisor_actor>(self),
                                        st.storage, std::move(session), st.cfg);
  st.running.emplace(id,
                     supervisor_state::running_task{actor, runner, deadline});
  arm_deadline(self);
}

void finished(self_ptr self, const task_id& id) {
  auto& st = self->state;
  auto i = st.running.find(id);
  if (i == st.running.end())
    return;
  if (i->second.deadline != st.deadlines.end())
    st.deadlines.erase(i->second.deadline);
  self->send(st.manager, release_atom::value, i->second.runner);
  st.running.erase(i);
  request_slot_if_needed(self);
  answer_drain_if_idle(self);
}

} // namespace

supervisor_actor::behavior_type
server_supervisor(supervisor_actor::stateful_pointer<supervisor_state> self,
                  uint64_t server_id, task_manager_actor manager,
                  storage_actor storage, execution_config cfg) {
  auto& st = self->state;
  st.server_id = server_id;
  st.manager = std::move(manager);
  st.storage = std::move(storage);
  st.cfg = cfg;
  self->request(st.storage, timeouts::storage, get_atom::value,
                server_atom::value, server_id)
      .then(
          [self](server& s) {
            self->state.server_cap = s.max_concurrent_tasks.value_or(0);
            request_slot_if_needed(self);
          },
          [self](caf::error&) {
            // The server is gone: its tasks fail when they start.
          });
  // Task actors are linked: they stop with their supervisor. One that dies
  // without reporting still returns its worker, and its task does not
  // stay running.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    for (auto& [id, entry] : st.running) {
      if (entry.actor.address() != msg.source)
        continue;
      if (msg.reason) {
        log::error("task {} actor died: {}", to_string(id),
                   to_string(msg.reason));
        task_transition change;
        change.to = status::failed;
        change.error = "internal error";
        // Nobody waits for the answer: the record is what matters.
        caf::anon_send(st.storage, transit_atom::value, id, change,
                       audit_origin{});
      }
      finished(self, task_id{id});
      return;
    }
    // A task actor that reported already ends normally; anything else that
    // ends abnormally (the manager stopping) takes the supervisor along.
    if (msg.reason)
      self->quit(msg.reason);
  });
  return {
      [self](enqueue_atom, task& t) {
        self->state.queue.push_back(std::move(t));
        request_slot_if_needed(self);
      },
      [self](grant_atom, runner_actor& runner) {
        auto& st = self->state;
        st.slot_requested = false;
        if (st.draining || st.queue.empty() || st.running.size() >= st.cap()) {
          self->send(st.manager, release_atom::value, runner);
          return;
        }
        auto next = std::move(st.queue.front());
        st.queue.pop_front();
        self->send(st.manager, dequeued_atom::value, st.server_id, uint64_t{1});
        start(self, std::move(next), std::move(runner));
        request_slot_if_needed(self);
      },
      [self](cancel_atom, const task_id& id,
             const audit_origin& who) -> caf::result<task> {
        auto& st = self->state;
        for (auto i = st.queue.begin(); i != st.queue.end(); ++i) {
          if (i->id != id)
            continue;
          // A queued task never starts: drop it, then record the cancel.
          st.queue.erase(i);
          self->send(st.manager, dequeued_atom::value, st.server_id,
                     uint64_t{1});
          task_transition change;
          change.to = status::cancelled;
          return self->delegate(st.storage, transit_atom::value, id, change,
                                who);
        }
        auto running = st.running.find(id);
        if (running != st.running.end())
          return self->delegate(running->second.actor, cancel_atom::value, who);
        return make_error(errc::not_found, "task " + to_string(id)
                                               + " is not queued or running");
      },
      [self](done_atom, const task_id& id, runner_actor&, session_ptr& session,
             uint32_t server_cap) {
        auto& st = self->state;
        st.server_cap = server_cap;
        if (session && st.cfg.reuse_sessions && !st.draining) {
          st.idle.push_back({std::move(session), now()});
          schedule_idle_check(self);
        }
        finished(self, id);
      },
      [self](drain_atom) -> caf::result<uint64_t> {
        auto& st = self->state;
        st.draining = true;
        st.idle.clear();
        auto waiter = self->make_response_promise<uint64_t>();
        st.drain_waiters.push_back(waiter);
        answer_drain_if_idle(self);
        return waiter;
      },
      [self](stop_atom) {
        for (auto& [id, entry] : self->state.running)
          self->send(entry.actor, stop_atom::value);
      },
      [self](deadline_atom, uint64_t generation) {
        // A later message superseded by an earlier deadline finds a newer
        // number: the earlier one has swept and armed again.
        if (generation == self->state.deadline_generation)
          deadlines_due(self);
      },
      [self](idle_atom) {
        auto& st = self->state;
        st.idle_check_scheduled = false;
        auto cutoff = now() - st.cfg.session_idle;
        auto& idle = st.idle;
        idle.erase(std::remove_if(idle.begin(), idle.end(),
                                  [&](const supervisor_state::idle_session& s) {
                                    return s.since <= cutoff
                                           || !s.session->reusable();
                                  }),
                   idle.end());
        schedule_idle_check(self);
      },
  };
}

} // namespace tasks
