// Running one command on a channel: both streams drained in one loop driven
// by ssh_event_dopoll, capped capture, the process group killed on stop.
#include "actors/ssh/exec.hpp"

#include <algorithm>
#include <cerrno>
#include <optional>
#include <string>
#include <string_view>

#include <poll.h>

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include "actors/ssh/options.hpp"
#include "actors/ssh/output.hpp"
#include "actors/ssh/session.hpp"

namespace tasks::ssh {

namespace {

using clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// Longest wait between two looks at `stop` when it has no fd to wake us.
constexpr milliseconds fallback_poll_interval{20};

/// How long the channel may stay silent after the exit status before the
/// command counts as finished: a background process that keeps stdout open
/// would otherwise hold the task until its deadline (`ssh` waits forever).
constexpr milliseconds exit_grace{1000};

/// Budget of the second channel that kills the process group.
constexpr milliseconds kill_budget{2000};

/// Consecutive failed polls (other than EINTR) that mean the link is broken.
constexpr int max_poll_errors = 50;

/// What the channel callbacks learn; lives on exec()'s stack.
struct channel_state {
  channel_state(bool keep, uint64_t max) : out(keep, max), err(keep, max) {
    // nop
  }
  capped_output out;
  capped_output err;
  bool eof = false;
  bool closed = false;
  std::optional<int32_t> exit_code;
  std::optional<clock::time_point> exited_at;
  clock::time_point last_data_at;
};

channel_state& state_of(void* userdata) {
  return *static_cast<channel_state*>(userdata);
}

/// Consumes everything, so libssh re-opens the window at once and the remote
/// command never blocks on a full pipe.
int on_data(ssh_session, ssh_channel, void* data, uint32_t len, int is_stderr,
            void* userdata) {
  auto& st = state_of(userdata);
  st.last_data_at = clock::now();
  const std::string_view bytes{static_cast<const char*>(data), len};
  (is_stderr != 0 ? st.err : st.out).append(bytes);
  return static_cast<int>(len);
}

void on_eof(ssh_session, ssh_channel, void* userdata) {
  state_of(userdata).eof = true;
}

void on_close(ssh_session, ssh_channel, void* userdata) {
  state_of(userdata).closed = true;
}

void on_exit_status(ssh_session, ssh_channel, int status, void* userdata) {
  auto& st = state_of(userdata);
  st.exit_code = status;
  st.exited_at = clock::now();
}

void on_exit_signal(ssh_session, ssh_channel, const char*, int, const char*,
                    const char*, void* userdata) {
  state_of(userdata).exited_at = clock::now(); // no exit code
}

/// Does nothing: a readable stop fd only has to end the poll.
int on_stop_raised(socket_t, int, void*) {
  return 0;
}

/// Removes the callbacks (they point into exec()'s stack) and frees the
/// channel; libssh sends the close if the remote has not yet.
struct channel_guard {
  ssh_channel channel = nullptr;
  ssh_channel_callbacks callbacks = nullptr;
  ~channel_guard() {
    if (channel == nullptr)
      return;
    ssh_remove_channel_callbacks(channel, callbacks);
    ssh_channel_free(channel);
  }
};

/// Owns the poll event; release() hands the session back to its own
/// poll context so blocking calls work again.
struct event_guard {
  ssh_event event = nullptr;
  ssh_session raw = nullptr;
  void release() {
    if (event == nullptr)
      return;
    ssh_event_remove_session(event, raw);
    ssh_event_free(event);
    event = nullptr;
  }
  ~event_guard() { release(); }
};

/// Gives the session its usual timeout back when exec() returns.
struct timeout_restorer {
  ssh_session raw;
  milliseconds timeout;
  ~timeout_restorer() {
    if (alive(raw))
      set_timeout(raw, timeout);
  }
};

milliseconds until(clock::time_point deadline) {
  return std::chrono::ceil<milliseconds>(deadline - clock::now());
}

/// Runs kill_siblings_command on a second channel and waits until it ended,
/// so the command's process group is dead when this returns.
void kill_running_command(ssh_session raw) {
  set_timeout(raw, kill_budget);
  ssh_channel channel = ssh_channel_new(raw);
  if (channel == nullptr)
    return;
  const std::string command{kill_siblings_command};
  if (ssh_channel_open_session(channel) == SSH_OK
      && ssh_channel_request_exec(channel, command.c_str()) == SSH_OK) {
    ssh_channel_send_eof(channel);
    const auto deadline = clock::now() + kill_budget;
    char discard[256];
    for (auto left = until(deadline); left.count() > 0;
         left = until(deadline)) {
      const int rc = ssh_channel_poll_timeout(
          channel, static_cast<int>(left.count()), 0);
      if (rc == SSH_EOF || rc == SSH_ERROR)
        break;
      if (rc > 0)
        ssh_channel_read_nonblocking(channel, discard, sizeof discard, 0);
    }
  }
  ssh_channel_free(channel);
}

} // namespace

exec_result exec(session& s, const exec_request& request,
                 const stop_signal& stop) {
  const auto deadline = clock::now() + request.timeout;
  exec_result result;
  ssh_session raw = s.native();
  auto fail = [&](const std::string& why) {
    s.poison();
    if (clock::now() >= deadline) {
      result.outcome = exec_outcome::timed_out; // never started
      return result;
    }
    result.outcome = exec_outcome::failed;
    result.error = "channel error: " + why;
    return result;
  };
  if (raw == nullptr)
    return fail("not connected");
  if (!alive(raw))
    return fail(ssh_get_error(raw));
  if (const auto requested = stop.reason(); requested != stop_reason::none) {
    s.poison(); // as after any stop; nothing was started
    result.outcome = requested == stop_reason::cancel
                         ? exec_outcome::cancelled
                         : exec_outcome::timed_out;
    return result;
  }
  // Blocking calls below wait at most until the deadline; the session gets
  // its usual timeout back whatever happens.
  timeout_restorer restore{raw, s.opened_for().connect_timeout};
  channel_state st{request.capture, request.max_bytes};
  ssh_channel_callbacks_struct callbacks{};
  callbacks.userdata = &st;
  callbacks.channel_data_function = on_data;
  callbacks.channel_eof_function = on_eof;
  callbacks.channel_close_function = on_close;
  callbacks.channel_exit_status_function = on_exit_status;
  callbacks.channel_exit_signal_function = on_exit_signal;
  ssh_callbacks_init(&callbacks);
  set_timeout(raw, std::min<milliseconds>(until(deadline),
                                          s.opened_for().connect_timeout));
  channel_guard channel{ssh_channel_new(raw), &callbacks};
  if (channel.channel == nullptr)
    return fail(ssh_get_error(raw));
  // Before the exec request: output may arrive in the packets that carry
  // its reply.
  ssh_set_channel_callbacks(channel.channel, &callbacks);
  if (ssh_channel_open_session(channel.channel) != SSH_OK)
    return fail(ssh_get_error(raw));
  // As `ssh host command` runs it: the login shell's `-c`, no wrapper (one
  // line on stderr to learn the process group cost sshd 12% more CPU per
  // `true`); a kill finds the command from a sibling channel instead.
  if (ssh_channel_request_exec(channel.channel, request.command.c_str())
      != SSH_OK)
    return fail(ssh_get_error(raw));
  result.started = true;
  ssh_channel_send_eof(channel.channel); // stdin: the command reads nothing
  event_guard ev{ssh_event_new(), raw};
  if (ev.event == nullptr || ssh_event_add_session(ev.event, raw) != SSH_OK)
    return fail("cannot poll the session");
  const bool woken_by_stop
      = stop.fd() >= 0
        && ssh_event_add_fd(ev.event, stop.fd(), POLLIN, on_stop_raised,
                            nullptr)
               == SSH_OK;
  const milliseconds longest_wait
      = woken_by_stop ? std::max(request.timeout, milliseconds{1})
                      : fallback_poll_interval;
  auto poll = [&](milliseconds wait) {
    const int wait_ms = static_cast<int>(
        std::clamp<milliseconds::rep>(wait.count(), 1, longest_wait.count()));
    return ssh_event_dopoll(ev.event, wait_ms);
  };
  // After the exit status, only until the grace ends; else the deadline.
  auto next_wake = [&] {
    return st.exited_at
               ? std::min(deadline,
                          std::max(*st.exited_at, st.last_data_at) + exit_grace)
               : deadline;
  };
  auto finished = [&] { return st.closed || (st.eof && st.exited_at); };
  std::optional<exec_outcome> stopped;
  int poll_errors = 0;
  while (!finished()) {
    if (st.exited_at
        && clock::now() - std::max(*st.exited_at, st.last_data_at)
               >= exit_grace)
      break;
    if (!alive(raw))
      return fail(ssh_get_error(raw));
    const auto requested = stop.reason();
    if (requested == stop_reason::cancel) {
      stopped = exec_outcome::cancelled;
      break;
    }
    if (requested == stop_reason::timeout || clock::now() >= deadline) {
      stopped = exec_outcome::timed_out;
      break;
    }
    if (poll(until(next_wake())) == SSH_ERROR && errno != EINTR) {
      if (++poll_errors >= max_poll_errors)
        return fail(ssh_get_error(raw));
    } else {
      poll_errors = 0;
    }
  }
  if (!stopped) {
    result.outcome = exec_outcome::exited;
    result.exit_code = st.exit_code;
  } else {
    // sshd killpg()s the session on a signal request, but OpenSSH 9.2
    // refuses it for root logins ("session signalling requires privilege
    // separation") and forced commands: the second channel covers those.
    ssh_channel_request_send_signal(channel.channel, "KILL");
    ev.release();
    if (alive(raw))
      kill_running_command(raw);
    s.poison();
    result.outcome = *stopped;
  }
  result.stdout_text = std::move(st.out.text());
  result.stderr_text = std::move(st.err.text());
  result.stdout_truncated = st.out.truncated();
  result.stderr_truncated = st.err.truncated();
  return result;
}

} // namespace tasks::ssh
