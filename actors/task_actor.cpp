// The task actor: start (running, and the server read in the same round
// trip) → (lent session | connect → pin) → execute → final state. A cancel
// or the deadline before anything runs remotely ends the task at once;
// during execution it stops the command, and the task ends when the runner
// reports the process gone.
//
// The storage and exec requests carry no CAF timeout: in CAF 0.17 each one
// wakes the clock thread, and every timeout fires later (holding the actor
// alive until then) even when answered. The store answers every request,
// ssh::exec ends at the task's deadline on its own, and the deadline
// handler below is the backstop for a runner that never answers.
#include <caf/all.hpp>

#include "actors/task_actor.hpp"

#include "actors/task_outcome.hpp"
#include "actors/timeouts.hpp"
#include "core/log.hpp"

namespace tasks {

namespace {

using self_ptr = task_actor::stateful_pointer<task_state>;

void open_session(self_ptr self);

ssh::stop_reason stop_reason_of(self_ptr self) {
  return self->state.stop->reason();
}

/// Shutdown cancels carry no user: the service itself stopped the task.
bool stopped_by_service(self_ptr self) {
  auto& by = self->state.cancelled_by;
  return by && !by->user_id;
}

/// A lent session may serve `target` when it reaches the same account on
/// the same endpoint and the server's pin (set since, perhaps by this very
/// session) is the key the session saw.
bool session_fits(const ssh::session& s, const ssh::target& target) {
  const auto& opened = s.opened_for();
  return opened.host == target.host && opened.port == target.port
         && opened.username == target.username
         && (target.pinned_host_key.empty()
             || target.pinned_host_key == s.host_key());
}

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
  self->request(st.storage, caf::infinite, transit_atom::value, st.t.id, change,
                who)
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
  self->request(st.runner, caf::infinite, exec_atom::value, std::move(job))
      .then(
          [self](exec_done& done) {
            auto& st = self->state;
            st.runner_busy = false;
            st.session = std::move(done.session);
            auto& r = done.result;
            if (r.outcome == ssh::exec_outcome::failed && !r.started
                && st.session_lent) {
              // A warm session the server dropped while idle: nothing ran, so
              // connecting again cannot run the command twice.
              st.session_lent = false;
              st.session.reset();
              return open_session(self);
            }
            finish(self, outcome_of(r, st.t.store_output, stop_reason_of(self),
                                    stopped_by_service(self)));
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

void audit_mismatch(self_ptr self) {
  auto& access = *self->state.access;
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

/// Connects with the access read at the start, then runs the command.
void open_session(self_ptr self) {
  auto& st = self->state;
  st.phase = task_phase::connecting;
  st.runner_busy = true;
  auto deadline = st.access->target.connect_timeout + timeouts::runner_slack;
  self->request(st.runner, deadline, connect_atom::value, *st.access)
      .then(
          [self](connect_result& result) {
            auto& st = self->state;
            st.runner_busy = false;
            st.session = std::move(result.session);
            if (st.finalizing) // cancelled or timed out while connecting
              return maybe_done(self);
            if (result.error) {
              if (result.error == errc::host_key_mismatch)
                audit_mismatch(self);
              return finish(self, failure(message_of(result.error)));
            }
            if (st.session && st.session->needs_pin())
              return pin_and_execute(self);
            execute(self);
          },
          [self](caf::error& err) {
            self->state.runner_busy = false;
            finish(self, failure("internal error: " + message_of(err)));
          });
}

/// Runs on the lent session if it still fits the server as just read (it
/// may have changed since the session was opened), else connects.
void start_run(self_ptr self, task_start& start) {
  auto& st = self->state;
  st.t = std::move(start.running);
  if (!start.access) {
    st.session.reset();
    const auto& err = start.access.error();
    auto id = std::to_string(st.t.server_id);
    return finish(self, failure(err == errc::not_found
                                    ? "server " + id + " no longer exists"
                                    : message_of(err)));
  }
  st.server_cap = start.access->max_concurrent_tasks;
  if (st.finalizing)
    return;
  st.phase = task_phase::connecting;
  if (st.session && !session_fits(*st.session, start.access->target))
    st.session.reset();
  st.session_lent = st.session != nullptr;
  st.access = std::move(*start.access);
  if (st.session)
    return execute(self);
  open_session(self);
}

/// The runner has not answered `runner_slack` past the deadline (a hung
/// libssh call or a bug): the task fails, so its record does not stay
/// running, and the worker goes back as it would after an answer.
void abandon_runner(self_ptr self) {
  auto& st = self->state;
  log::error("task {}: its worker has not answered {} s after the deadline",
             to_string(st.t.id), timeouts::runner_slack.count());
  st.runner_busy = false;
  st.session.reset();
  finish(self, failure("internal error: the worker did not answer"));
  maybe_done(self);
}

/// Asks the running command to stop; ends the task now when nothing runs
/// remotely yet.
void request_stop(self_ptr self, ssh::stop_reason reason) {
  auto& st = self->state;
  st.stop->raise(reason); // the first reason wins
  if (st.phase == task_phase::starting || st.phase == task_phase::connecting)
    finish(self,
           stopped_transition(stop_reason_of(self), stopped_by_service(self)));
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
  self->request(st.storage, caf::infinite, start_atom::value, st.t.id)
      .then([self](task_start& start) { start_run(self, start); },
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
        auto& st = self->state;
        if (st.deadline_passed) {
          if (st.runner_busy)
            abandon_runner(self);
          return;
        }
        st.deadline_passed = true;
        if (!st.finalizing)
          request_stop(self, ssh::stop_reason::timeout);
        if (st.runner_busy)
          self->delayed_send(self, timeouts::runner_slack, timeout_atom::value);
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
