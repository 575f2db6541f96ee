// The task actor: start → (connect → pin) → execute → final state. A
// cancel or the deadline during connect ends the task at once (nothing
// runs remotely yet); during execution it stops the command and the task
// ends when the runner reports the remote process gone.
#include <caf/all.hpp>

#include "actors/task_actor.hpp"

#include "actors/timeouts.hpp"
#include "core/log.hpp"

namespace tasks {

namespace {

using self_ptr = task_actor::stateful_pointer<task_state>;

void connect(self_ptr self);
void execute(self_ptr self);

/// Sends the worker and the session back once nothing is in flight.
void maybe_done(self_ptr self) {
  auto& st = self->state;
  if (!st.final_written || st.runner_busy)
    return;
  // A session that saw a timeout or cancel is never reused.
  session_ptr reusable;
  if (st.session && st.session->reusable() && st.t.state != status::timeout
      && st.t.state != status::cancelled)
    reusable = std::move(st.session);
  st.session.reset();
  self->send(st.supervisor, done_atom::value, st.t.id, st.runner, reusable,
             st.server_cap);
  self->quit();
}

void answer_cancel_waiters(self_ptr self, const caf::error& err) {
  auto& st = self->state;
  for (auto& waiter : st.cancel_waiters) {
    if (err)
      waiter.deliver(err);
    else if (st.final_task && st.final_task->state == status::cancelled)
      waiter.deliver(*st.final_task);
    else
      waiter.deliver(make_error(errc::conflict, "task " + to_string(st.t.id)
                                                    + " is already "
                                                    + to_string(st.t.state)));
  }
  st.cancel_waiters.clear();
}

/// Writes the final state; once per task.
void finish(self_ptr self, task_transition change) {
  auto& st = self->state;
  if (st.finalizing)
    return;
  st.finalizing = true;
  st.phase = task_phase::finishing;
  auto who = st.cancelled_by.value_or(audit_origin{});
  self->request(st.storage, timeouts::storage, transit_atom::value, st.t.id,
                change, who)
      .then(
          [self](task& final_task) {
            auto& st = self->state;
            st.t = final_task;
            st.final_task = std::move(final_task);
            st.final_written = true;
            answer_cancel_waiters(self, caf::none);
            maybe_done(self);
          },
          [self](caf::error& err) {
            auto& st = self->state;
            log::error("task {}: cannot record its final state: {}",
                       to_string(st.t.id), message_of(err));
            st.final_written = true;
            answer_cancel_waiters(self, err);
            maybe_done(self);
          });
}

task_transition failure(std::string error) {
  task_transition change;
  change.to = status::failed;
  change.error = std::move(error);
  return change;
}

/// The final state a stop reason asks for, before anything ran remotely.
task_transition stopped(self_ptr self) {
  task_transition change;
  auto reason = static_cast<ssh::stop_reason>(self->state.stop->load());
  change.to = reason == ssh::stop_reason::timeout ? status::timeout
                                                  : status::cancelled;
  if (self->state.cancelled_by && !self->state.cancelled_by->user_id)
    change.error = "cancelled: service shutting down";
  return change;
}

task_transition outcome_of(self_ptr self, ssh::exec_result& r) {
  task_transition change;
  change.stdout_truncated = r.stdout_truncated;
  change.stderr_truncated = r.stderr_truncated;
  if (self->state.t.store_output) {
    change.stdout_text = std::move(r.stdout_text);
    change.stderr_text = std::move(r.stderr_text);
  }
  change.exit_code = r.exit_code;
  switch (r.outcome) {
    case ssh::exec_outcome::exited:
      if (r.exit_code && *r.exit_code == 0) {
        change.to = status::success;
      } else {
        change.to = status::failed;
        if (!r.exit_code)
          change.error = "the command ended without an exit status "
                         "(killed by a signal?)";
      }
      break;
    case ssh::exec_outcome::timed_out:
    case ssh::exec_outcome::cancelled: {
      auto stop = stopped(self);
      change.to = r.outcome == ssh::exec_outcome::timed_out ? status::timeout
                                                            : stop.to;
      change.error = stop.error;
      change.exit_code.reset(); // killed: the exit code means nothing
      break;
    }
    case ssh::exec_outcome::failed:
      change.to = status::failed;
      change.error = r.error;
      break;
  }
  return change;
}

void execute(self_ptr self) {
  auto& st = self->state;
  if (st.finalizing)
    return;
  st.phase = task_phase::executing;
  exec_job job;
  job.session = st.session;
  job.request.command = st.t.command;
  job.request.timeout = std::chrono::seconds{st.t.timeout_seconds};
  job.request.capture = st.t.store_output;
  job.request.max_bytes = st.cfg.output_max_bytes;
  job.stop = st.stop;
  st.runner_busy = true;
  self->request(st.runner,
                std::chrono::seconds{st.t.timeout_seconds}
                    + timeouts::runner_slack,
                exec_atom::value, std::move(job))
      .then(
          [self](exec_done& done) {
            auto& st = self->state;
            st.runner_busy = false;
            st.session = std::move(done.session);
            if (st.finalizing) // cannot happen while executing; be safe
              return maybe_done(self);
            finish(self, outcome_of(self, done.result));
          },
          [self](caf::error& err) {
            auto& st = self->state;
            st.runner_busy = false;
            st.session.reset();
            finish(self, failure("internal error: " + message_of(err)));
          });
}

void pin_and_execute(self_ptr self) {
  auto& st = self->state;
  self->request(st.storage, timeouts::storage, pin_atom::value, st.t.server_id,
                st.session->host_key())
      .then([self](server&) { execute(self); },
            [self](caf::error& err) {
              // Another task pinned a different key meanwhile.
              self->state.session.reset();
              finish(self,
                     failure(err == errc::conflict
                                 ? "host key mismatch"
                                 : "cannot pin host key: " + message_of(err)));
            });
}

void audit_mismatch(self_ptr self, const server_access& access) {
  audit_event event;
  event.action = "server.host_key_mismatch";
  event.task = self->state.t.id;
  event.server_id = access.server_id;
  event.metadata = audit_metadata{}
                       .add("host", access.target.host)
                       .add("pinned", access.target.pinned_host_key)
                       .str();
  self->request(self->state.storage, timeouts::storage, audit_atom::value,
                std::move(event))
      .then([](uint64_t) {},
            [](caf::error& err) {
              log::error("cannot audit a host key mismatch: {}",
                         message_of(err));
            });
}

void connect(self_ptr self) {
  auto& st = self->state;
  st.phase = task_phase::connecting;
  self->request(st.storage, timeouts::storage, target_atom::value,
                st.t.server_id)
      .then(
          [self](server_access& access) {
            auto& st = self->state;
            st.server_cap = access.max_concurrent_tasks;
            if (st.finalizing)
              return;
            st.runner_busy = true;
            auto deadline
                = access.target.connect_timeout + timeouts::runner_slack;
            auto mismatch_info = access; // for the audit record, without reuse
            self->request(st.runner, deadline, connect_atom::value, access)
                .then(
                    [self, mismatch_info](connect_result& result) {
                      auto& st = self->state;
                      st.runner_busy = false;
                      st.session = std::move(result.session);
                      if (st.finalizing) // cancelled or timed out while
                                         // connecting
                        return maybe_done(self);
                      if (result.error) {
                        if (result.error == errc::host_key_mismatch)
                          audit_mismatch(self, mismatch_info);
                        return finish(self, failure(message_of(result.error)));
                      }
                      if (st.session && st.session->needs_pin())
                        return pin_and_execute(self);
                      execute(self);
                    },
                    [self](caf::error& err) {
                      self->state.runner_busy = false;
                      finish(self,
                             failure("internal error: " + message_of(err)));
                    });
          },
          [self](caf::error& err) {
            finish(self,
                   failure(err == errc::not_found
                               ? "server "
                                     + std::to_string(self->state.t.server_id)
                                     + " no longer exists"
                               : message_of(err)));
          });
}

/// Asks the running command to stop; ends the task now when nothing runs
/// remotely yet.
void request_stop(self_ptr self, ssh::stop_reason reason) {
  auto& st = self->state;
  int none = 0;
  st.stop->compare_exchange_strong(none, static_cast<int>(reason));
  if (st.phase == task_phase::starting || st.phase == task_phase::connecting)
    finish(self, stopped(self));
}

} // namespace

task_actor::behavior_type
run_task(task_actor::stateful_pointer<task_state> self, task t,
         runner_actor runner, supervisor_actor supervisor,
         storage_actor storage, session_ptr session, execution_config cfg) {
  auto& st = self->state;
  st.t = std::move(t);
  st.runner = std::move(runner);
  st.supervisor = std::move(supervisor);
  st.storage = std::move(storage);
  st.session = std::move(session);
  st.cfg = cfg;
  self->delayed_send(self, std::chrono::seconds{st.t.timeout_seconds},
                     timeout_atom::value);
  task_transition start;
  start.to = status::running;
  self->request(st.storage, timeouts::storage, transit_atom::value, st.t.id,
                start, audit_origin{})
      .then(
          [self](task& running) {
            auto& st = self->state;
            st.t = std::move(running);
            if (st.finalizing)
              return;
            if (st.session)
              execute(self);
            else
              connect(self);
          },
          [self](caf::error& err) {
            // The task is not ours to run (e.g. it became final meanwhile).
            auto& st = self->state;
            log::warn("task {} cannot start: {}", to_string(st.t.id),
                      message_of(err));
            st.finalizing = st.final_written = true;
            answer_cancel_waiters(self, err);
            maybe_done(self);
          });
  return {
      [self](cancel_atom, const audit_origin& who) -> caf::result<task> {
        auto& st = self->state;
        auto waiter = self->make_response_promise<task>();
        st.cancel_waiters.push_back(waiter);
        if (st.final_written) {
          answer_cancel_waiters(self, caf::none);
        } else if (!st.finalizing) {
          st.cancelled_by = who;
          request_stop(self, ssh::stop_reason::cancel);
        }
        return waiter;
      },
      [self](timeout_atom) {
        if (!self->state.finalizing)
          request_stop(self, ssh::stop_reason::timeout);
      },
      [self](stop_atom) {
        auto& st = self->state;
        if (st.finalizing)
          return;
        st.cancelled_by = audit_origin{std::nullopt, "tasksd", "", ""};
        request_stop(self, ssh::stop_reason::cancel);
      },
  };
}

} // namespace tasks
