// The real tasksd binary for a test: a fresh data directory, a free loopback
// port, a clean environment; started by fork/exec, stopped by pid.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include <sys/types.h>

namespace tasks::test {

/// How to start tasksd.
struct tasksd_options {
  /// Extra TASKS_* variables; they win over the ones tasksd_process sets.
  std::map<std::string, std::string> env;

  /// The data directory; empty = a fresh one inside the process object's
  /// temporary directory, removed with it.
  std::string data_dir;

  /// The executable; empty = the TASKS_TASKSD_BINARY of the build (a bench
  /// may compare another build's).
  std::string binary;

  /// The soft limit of open files tasksd starts with; 0 = inherited.
  unsigned long open_files_soft_limit = 0;

  /// Whether tasksd on the given port is ready; polled after each start.
  /// Empty: `GET /api/health` over plain HTTP answers 200 (an HTTPS
  /// endpoint needs a check of its own).
  std::function<bool(uint16_t port)> ready;
};

/// One tasksd instance on 127.0.0.1. The constructor returns once
/// `GET /api/health` answers 200 (or options.ready says so) and fails the
/// test (with the log) when it does not within 20 s. The child gets SIGKILL
/// if the test process dies.
class tasksd_process {
public:
  /// Starts tasksd (options.binary, or TASKS_TASKSD_BINARY).
  explicit tasksd_process(tasksd_options options = {});

  /// Stops a running tasksd (SIGTERM, SIGKILL after 10 s) and removes the
  /// temporary directory.
  ~tasksd_process();

  tasksd_process(const tasksd_process&) = delete;
  tasksd_process& operator=(const tasksd_process&) = delete;

  /// The port tasksd listens on; may change with start().
  uint16_t port() const { return port_; }

  /// TASKS_DATA_DIR of the child (absolute).
  const std::string& data_dir() const { return data_dir_; }

  /// The child's pid; -1 when it is not running.
  pid_t pid() const { return pid_; }

  /// The password of the bootstrap user `admin`.
  std::string admin_password() const;

  /// Sends SIGTERM and waits up to 30 s; returns the exit status, or
  /// 128 + signal when a signal ended it. Past 30 s it kills tasksd and
  /// fails the test. Returns the last status when it is not running.
  int stop();

  /// Kills tasksd with SIGKILL and waits for it: a crash.
  void kill9();

  /// Starts tasksd again on the same data directory: on the previous port
  /// when it is still free, else on a new one (see port()).
  void start();

  /// Everything tasksd wrote to stderr and stdout, over all starts.
  std::string log() const;

private:
  enum class launch_result { ready, port_taken };

  /// One start on `port`; fails the test unless ready or port_taken.
  launch_result launch(uint16_t port);

  /// Waits up to `seconds` for the child to exit; false on timeout.
  bool wait_for_exit(int seconds);

  /// Kills the child, removes the temporary directory, fails the test.
  [[noreturn]] void fail(const std::string& why);

  std::string dir_;
  std::string data_dir_;
  std::string log_file_;
  std::map<std::string, std::string> env_;
  std::function<bool(uint16_t)> ready_;
  std::string binary_;
  unsigned long open_files_soft_limit_ = 0;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  int last_status_ = -1;
};

} // namespace tasks::test
