// The OpenSSH reference clients of the end-to-end bench (see .hpp).
#include "e2e_ssh_clients.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <memory>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

namespace tasks::bench {

namespace {

using clock_type = std::chrono::steady_clock;

/// A command line kept alive with the pointer array execve wants.
struct command_line {
  std::vector<std::string> args;
  std::vector<char*> argv;

  explicit command_line(std::vector<std::string> xs) : args(std::move(xs)) {
    for (auto& x : args)
      argv.push_back(x.data());
    argv.push_back(nullptr);
  }
  command_line(const command_line&) = delete;
  command_line& operator=(const command_line&) = delete;
};

/// Spawns (posix_spawn: no copy of this big, multi-threaded process) and
/// waits for this very child; true when it exited with 0.
bool run_command(const command_line& cmd, const std::string& log_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, log_file.c_str(),
                                   O_WRONLY | O_APPEND | O_CREAT, 0600);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, cmd.argv[0], &actions, nullptr,
                                cmd.argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    return false;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    // retry
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

double millis(clock_type::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

} // namespace

ssh_client::ssh_client(std::vector<ssh_target> targets,
                       std::optional<std::string> control_dir,
                       std::string log_file)
    : targets_(std::move(targets)), control_dir_(std::move(control_dir)),
      log_file_(std::move(log_file)) {
  // nop
}

std::vector<std::string>
ssh_client::argv_for(const ssh_target& t,
                     const std::vector<std::string>& tail) const {
  std::vector<std::string> args{"ssh",
                                "-o",
                                "BatchMode=yes",
                                "-o",
                                "StrictHostKeyChecking=no",
                                "-o",
                                "UserKnownHostsFile=/dev/null",
                                "-i",
                                t.key_file,
                                "-p",
                                std::to_string(t.port)};
  if (control_dir_) {
    args.insert(args.end(), {"-o", "ControlMaster=auto", "-o",
                             "ControlPath=" + *control_dir_ + "/cm-%p", "-o",
                             "ControlPersist=60"});
  }
  args.insert(args.end(), tail.begin(), tail.end());
  return args;
}

sample ssh_client::run(size_t n, size_t parallel) const {
  std::vector<std::unique_ptr<command_line>> lines;
  for (const auto& t : targets_)
    lines.push_back(std::make_unique<command_line>(
        argv_for(t, {"root@127.0.0.1", "true"})));
  std::vector<double> walls(n, 0.0);
  std::atomic<size_t> next{0};
  std::atomic<size_t> failures{0};
  // The masters: `ControlPath=<dir>/cm-%p`, retitled `ssh: <dir>/cm-… [mux]`.
  const auto marker = control_dir_ ? *control_dir_ + "/cm-" : "";
  const auto before = cpu_now(marker);
  const auto start = clock_type::now();
  std::vector<std::thread> workers;
  for (size_t w = 0; w < parallel; ++w)
    workers.emplace_back([&] {
      for (auto i = next++; i < n; i = next++) {
        const auto began = clock_type::now();
        if (!run_command(*lines[i % lines.size()], log_file_))
          ++failures;
        walls[i] = millis(clock_type::now() - began);
      }
    });
  for (auto& w : workers)
    w.join();
  const auto elapsed = clock_type::now() - start;
  sample s;
  s.tasks = n;
  s.failures = failures;
  s.tasks_per_s = static_cast<double>(n) / (millis(elapsed) / 1000.0);
  s.run_p50 = percentile(walls, 0.50);
  s.run_p99 = percentile(walls, 0.99);
  set_cpu(s, before, cpu_now(marker), false);
  return s;
}

size_t ssh_client::warm_up() const {
  size_t failed = 0;
  for (const auto& t : targets_) {
    command_line line{argv_for(t, {"root@127.0.0.1", "true"})};
    if (!run_command(line, log_file_))
      ++failed;
  }
  return failed;
}

void ssh_client::stop_masters() const {
  if (!control_dir_)
    return;
  for (const auto& t : targets_) {
    command_line line{argv_for(t, {"-O", "exit", "root@127.0.0.1"})};
    run_command(line, log_file_);
  }
}

} // namespace tasks::bench
