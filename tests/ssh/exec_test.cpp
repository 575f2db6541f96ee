#define CAF_SUITE ssh.exec
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actors/ssh/exec.hpp"
#include "actors/ssh/session.hpp"
#include "core/error.hpp"
#include "support/sshd.hpp"

using namespace tasks;
using namespace tasks::ssh;
using tasks::test::process_alive;
using tasks::test::read_file;
using tasks::test::test_sshd;

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

long ms_since(clock_type::time_point start) {
  return static_cast<long>(
      std::chrono::duration_cast<milliseconds>(clock_type::now() - start)
          .count());
}

/// Polls until `pid` is gone or `limit` passed; true when gone.
bool gone_within(long pid, milliseconds limit) {
  const auto deadline = clock_type::now() + limit;
  while (process_alive(pid)) {
    if (clock_type::now() >= deadline)
      return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

/// The pid a remote command wrote into `path`.
long pid_in(const std::string& path) {
  const auto text = read_file(path);
  CAF_REQUIRE(!text.empty());
  return std::stol(text);
}

struct fixture {
  test_sshd sshd;
  session s = open(sshd.key_file());
  stop_signal stop;

  session open(const std::string& key_file) {
    target t;
    t.host = "127.0.0.1";
    t.port = sshd.port();
    t.username = sshd.user();
    t.connect_timeout = std::chrono::seconds(5);
    t.key_file = key_file;
    auto opened = session::open(t);
    if (!opened)
      CAF_FAIL(message_of(opened.error()));
    return std::move(*opened);
  }

  /// The unprivileged account by password: login shell /bin/sh (dash),
  /// and sshd honours signal requests for it (not for root).
  session open_as_password_user() {
    target t;
    t.host = "127.0.0.1";
    t.port = sshd.port();
    t.username = test_sshd::password_user;
    t.connect_timeout = std::chrono::seconds(5);
    t.has_password = true;
    t.password = sshd.password();
    auto opened = session::open(t);
    if (!opened)
      CAF_FAIL(message_of(opened.error()));
    return std::move(*opened);
  }

  exec_result run(const std::string& command,
                  milliseconds timeout = milliseconds(10000),
                  bool capture = true, uint64_t max_bytes = 65536) {
    exec_request request;
    request.command = command;
    request.timeout = timeout;
    request.capture = capture;
    request.max_bytes = max_bytes;
    return exec(s, request, stop);
  }

  std::string file(const std::string& name) const {
    return sshd.dir() + "/" + name;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(ssh_exec_tests, fixture)

CAF_TEST(stdout_and_stderr_are_separate) {
  auto r = run("echo out; echo err >&2; echo more");
  CAF_CHECK(r.outcome == exec_outcome::exited);
  CAF_CHECK_EQUAL(r.exit_code.value_or(-1), 0);
  CAF_CHECK_EQUAL(r.stdout_text, "out\nmore\n");
  CAF_CHECK_EQUAL(r.stderr_text, "err\n");
  CAF_CHECK(!r.stdout_truncated);
  CAF_CHECK(!r.stderr_truncated);
  CAF_CHECK(r.error.empty());
  CAF_CHECK(s.reusable());
}

CAF_TEST(non_zero_exit_code_is_reported) {
  auto r = run("echo partial; exit 3");
  CAF_CHECK(r.outcome == exec_outcome::exited);
  CAF_CHECK_EQUAL(r.exit_code.value_or(-1), 3);
  CAF_CHECK_EQUAL(r.stdout_text, "partial\n");
  CAF_CHECK(s.reusable());
}

CAF_TEST(quotes_and_expansions_reach_the_remote_shell_intact) {
  auto r = run("printf '%s|' \"it's\" 'a\"b' '$HOME' \"$((1+2))\"");
  CAF_CHECK_EQUAL(r.stdout_text, "it's|a\"b|$HOME|3|");
}

CAF_TEST(stdin_is_at_end_of_file) {
  auto r = run("cat; echo done", milliseconds(5000));
  CAF_CHECK(r.outcome == exec_outcome::exited);
  CAF_CHECK_EQUAL(r.stdout_text, "done\n");
}

CAF_TEST(death_by_own_signal_has_no_exit_code) {
  auto r = run("kill -9 $$");
  CAF_CHECK(r.outcome == exec_outcome::exited);
  CAF_CHECK(!r.exit_code);
}

CAF_TEST(timeout_kills_the_remote_command) {
  const auto start = clock_type::now();
  auto r
      = run("echo $$ > " + file("pid") + "; exec sleep 30", milliseconds(1000));
  const auto took = ms_since(start);
  CAF_CHECK(r.outcome == exec_outcome::timed_out);
  CAF_CHECK(!r.exit_code);
  CAF_CHECK_GREATER_OR_EQUAL(took, 1000);
  CAF_CHECK_LESS(took, 1500);
  CAF_CHECK(gone_within(pid_in(file("pid")), milliseconds(1000)));
  CAF_CHECK(!s.reusable());
}

CAF_TEST(timeout_kills_the_whole_process_tree) {
  auto r = run("sh -c 'sleep 31 & echo $! > " + file("a")
                   + "; sleep 32 & echo $! > " + file("b") + "; wait'",
               milliseconds(1000));
  CAF_CHECK(r.outcome == exec_outcome::timed_out);
  CAF_CHECK(gone_within(pid_in(file("a")), milliseconds(1000)));
  CAF_CHECK(gone_within(pid_in(file("b")), milliseconds(1000)));
  CAF_CHECK(!s.reusable());
}

CAF_TEST(kill_works_when_the_server_refuses_signal_requests) {
  // sshd ignores signal requests on forced-command sessions: only the
  // second channel's kill_siblings_command can stop this one.
  s = open(sshd.forced_command_key_file());
  auto r = run("sh -c 'sleep 33 & echo $! > " + file("a") + "; echo $$ > "
                   + file("b") + "; exec sleep 34'",
               milliseconds(1000));
  CAF_CHECK(r.outcome == exec_outcome::timed_out);
  CAF_CHECK(gone_within(pid_in(file("a")), milliseconds(1000)));
  CAF_CHECK(gone_within(pid_in(file("b")), milliseconds(1000)));
}

CAF_TEST(timeout_kills_the_tree_of_an_unprivileged_dash_user) {
  s = open_as_password_user();
  // The account cannot write into the fixture's directory.
  std::string shared = "/tmp/tasksd-exec-XXXXXX";
  CAF_REQUIRE(::mkdtemp(shared.data()) != nullptr);
  CAF_REQUIRE(::chmod(shared.c_str(), 0777) == 0);
  auto r
      = run("echo \"$0\" > " + shared + "/shell; sh -c 'sleep 38 & echo $! > "
                + shared + "/a; echo $$ > " + shared + "/b; exec sleep 39'",
            milliseconds(1000));
  CAF_CHECK(r.outcome == exec_outcome::timed_out);
  // The command ran in the login shell itself, named as sshd names it.
  CAF_CHECK_EQUAL(read_file(shared + "/shell"), "sh\n");
  CAF_CHECK(gone_within(pid_in(shared + "/a"), milliseconds(1000)));
  CAF_CHECK(gone_within(pid_in(shared + "/b"), milliseconds(1000)));
  std::error_code ignored;
  std::filesystem::remove_all(shared, ignored);
}

CAF_TEST(cancel_from_another_thread_kills_within_100_ms) {
  std::atomic<int64_t> set_at{0};
  std::thread canceller{[&] {
    // The stimulus, not a synchronization: cancel 200 ms into the run.
    std::this_thread::sleep_for(milliseconds(200));
    set_at = clock_type::now().time_since_epoch().count();
    stop.raise(stop_reason::cancel);
  }};
  auto r = run("sh -c 'sleep 35 & echo $! > " + file("a") + "; echo $$ > "
                   + file("b") + "; exec sleep 36'",
               milliseconds(10000));
  const auto returned = clock_type::now();
  canceller.join();
  const auto latency
      = std::chrono::duration_cast<milliseconds>(
            returned
            - clock_type::time_point{clock_type::duration{set_at.load()}})
            .count();
  CAF_MESSAGE("cancel returned " << latency << " ms after the flag was set");
  CAF_CHECK(r.outcome == exec_outcome::cancelled);
  CAF_CHECK_LESS(latency, 100);
  CAF_CHECK(gone_within(pid_in(file("a")), milliseconds(1000)));
  CAF_CHECK(gone_within(pid_in(file("b")), milliseconds(1000)));
  CAF_CHECK(!s.reusable());
}

CAF_TEST(a_quiet_command_is_waited_for_without_polling) {
  // A thousand tasks running `sleep` must not cost a thousand threads
  // waking every few milliseconds: the wait sleeps until output, the
  // deadline or a stop. Counted as this thread's voluntary context
  // switches (at 20 ms per look, 1.5 s would be ~75 of them).
  rusage before{};
  ::getrusage(RUSAGE_THREAD, &before);
  auto r = run("sleep 1.5");
  rusage after{};
  ::getrusage(RUSAGE_THREAD, &after);
  const auto switches = after.ru_nvcsw - before.ru_nvcsw;
  CAF_MESSAGE("exec of `sleep 1.5` switched out " << switches << " times");
  CAF_CHECK(r.outcome == exec_outcome::exited);
  CAF_CHECK_LESS(switches, 25);
  // libssh let go of the stop fd without closing it: a second exec with the
  // same signal (a retry on a fresh session) is woken by it again.
  CAF_CHECK_NOT_EQUAL(::fcntl(stop.fd(), F_GETFD), -1);
}

CAF_TEST(stop_with_timeout_reason_reports_timed_out) {
  stop.raise(stop_reason::timeout);
  auto r = run("sleep 37");
  CAF_CHECK(r.outcome == exec_outcome::timed_out);
  CAF_CHECK(!s.reusable());
}

CAF_TEST(capture_keeps_at_most_max_bytes_per_stream) {
  auto r = run("head -c 100000 /dev/zero | tr '\\0' x; "
               "head -c 5000 /dev/zero | tr '\\0' y >&2",
               milliseconds(10000), true, 1000);
  CAF_CHECK(r.outcome == exec_outcome::exited);
  CAF_CHECK_EQUAL(r.stdout_text, std::string(1000, 'x'));
  CAF_CHECK_EQUAL(r.stderr_text, std::string(1000, 'y'));
  CAF_CHECK(r.stdout_truncated);
  CAF_CHECK(r.stderr_truncated);
  auto exact
      = run("printf 12345; printf abcde >&2", milliseconds(10000), true, 5);
  CAF_CHECK_EQUAL(exact.stdout_text, "12345");
  CAF_CHECK_EQUAL(exact.stderr_text, "abcde");
  CAF_CHECK(!exact.stdout_truncated);
  CAF_CHECK(!exact.stderr_truncated);
}

CAF_TEST(without_capture_nothing_is_kept) {
  auto r = run("head -c 100000 /dev/zero; echo err >&2; exit 4",
               milliseconds(10000), false);
  CAF_CHECK(r.outcome == exec_outcome::exited);
  CAF_CHECK_EQUAL(r.exit_code.value_or(-1), 4);
  CAF_CHECK(r.stdout_text.empty());
  CAF_CHECK(r.stderr_text.empty());
  CAF_CHECK(s.reusable());
}

CAF_TEST(hundred_megabytes_of_output_with_bounded_memory) {
  tasks::test::reset_peak_rss();
  const auto before = tasks::test::current_rss_kib();
  const auto start = clock_type::now();
  auto r
      = run("head -c 100000000 /dev/zero; echo end >&2", milliseconds(60000));
  const auto took = ms_since(start);
  const auto growth = tasks::test::peak_rss_kib() - before;
  CAF_MESSAGE("100 MB drained in " << took << " ms, peak RSS growth " << growth
                                   << " KiB");
  CAF_CHECK(r.outcome == exec_outcome::exited);
  CAF_CHECK_EQUAL(r.exit_code.value_or(-1), 0);
  CAF_CHECK_EQUAL(r.stdout_text.size(), 65536u);
  CAF_CHECK(r.stdout_truncated);
  CAF_CHECK_EQUAL(r.stderr_text, "end\n");
  CAF_CHECK_LESS(growth, 32 * 1024);
  CAF_CHECK(s.reusable());
}

CAF_TEST(chatty_stderr_does_not_stall_stdout) {
  const auto start = clock_type::now();
  auto r = run("head -c 5000000 /dev/zero >&2; echo out", milliseconds(20000));
  const auto took = ms_since(start);
  CAF_MESSAGE("5 MB on stderr first took " << took << " ms");
  CAF_CHECK(r.outcome == exec_outcome::exited);
  CAF_CHECK_EQUAL(r.stdout_text, "out\n");
  CAF_CHECK(r.stderr_truncated);
  CAF_CHECK_LESS(took, 5000);
}

CAF_TEST(invalid_utf8_comes_through_raw) {
  auto r = run("printf '\\377\\376'; printf 'a\\300b' >&2");
  CAF_CHECK_EQUAL(r.stdout_text, std::string("\xff\xfe"));
  CAF_CHECK_EQUAL(r.stderr_text, std::string("a\xc0"
                                             "b"));
}

CAF_TEST(background_process_holding_stdout_does_not_hold_the_task) {
  const auto start = clock_type::now();
  auto r = run("sleep 3 & echo started", milliseconds(10000));
  const auto took = ms_since(start);
  CAF_CHECK(r.outcome == exec_outcome::exited);
  CAF_CHECK_EQUAL(r.exit_code.value_or(-1), 0);
  CAF_CHECK_EQUAL(r.stdout_text, "started\n");
  CAF_CHECK_LESS(took, 2500);
}

CAF_TEST(fifty_sequential_commands_reuse_one_session) {
  for (int i = 0; i < 50; ++i) {
    auto r = run("echo " + std::to_string(i));
    CAF_REQUIRE(r.outcome == exec_outcome::exited);
    CAF_REQUIRE_EQUAL(r.stdout_text, std::to_string(i) + "\n");
    CAF_REQUIRE(s.reusable());
  }
  std::vector<long> micros;
  for (int i = 0; i < 50; ++i) {
    const auto start = clock_type::now();
    auto r = run("true");
    micros.push_back(
        static_cast<long>(std::chrono::duration_cast<std::chrono::microseconds>(
                              clock_type::now() - start)
                              .count()));
    CAF_REQUIRE(r.outcome == exec_outcome::exited);
  }
  std::sort(micros.begin(), micros.end());
  CAF_MESSAGE("`true` on a warm session: p50 " << micros[25] << " us, max "
                                               << micros.back() << " us");
}

CAF_TEST(dropped_connection_is_not_reusable) {
  CAF_REQUIRE(s.reusable());
  CAF_REQUIRE(run("true").outcome == exec_outcome::exited);
  sshd.kill_connections();
  CAF_CHECK(!s.reusable());
}

CAF_TEST(broken_connection_is_a_channel_error) {
  CAF_REQUIRE(s.reusable());
  sshd.kill_connections();
  auto r = run("echo never");
  CAF_CHECK(r.outcome == exec_outcome::failed);
  CAF_CHECK_EQUAL(r.error.compare(0, 15, "channel error: "), 0);
  CAF_MESSAGE("error: " << r.error);
  CAF_CHECK(!s.reusable());
}

CAF_TEST_FIXTURE_SCOPE_END()
