// Runs a project executable for a test (see run_tool.hpp).
#include "support/run_tool.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace tasks::test {

namespace {

/// Reads `fd` to its end.
std::string drain(int fd) {
  std::string text;
  char buf[65536];
  for (;;) {
    auto n = ::read(fd, buf, sizeof(buf));
    if (n > 0)
      text.append(buf, static_cast<size_t>(n));
    else if (n < 0 && errno == EINTR)
      continue;
    else
      break;
  }
  return text;
}

} // namespace

tool_result run_tool(const std::string& binary,
                     const std::vector<std::string>& args,
                     const std::string& input,
                     const std::map<std::string, std::string>& env,
                     const std::string& cwd) {
  // A child that exits without reading stdin must not kill the test.
  std::signal(SIGPIPE, SIG_IGN);
  int in[2], out[2], err[2];
  if (::pipe(in) != 0 || ::pipe(out) != 0 || ::pipe(err) != 0)
    return {};
  // Built before fork: the child only calls async-signal-safe functions.
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::strncmp(*e, "TASKS_", 6) != 0)
      env_text.emplace_back(*e);
  for (const auto& [name, value] : env)
    env_text.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (auto& e : env_text)
    envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_text{binary};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_text)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  auto pid = ::fork();
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
      ::close(fd);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0)
      ::_exit(127);
    ::execve(binary.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  tool_result result;
  // Read both streams while feeding stdin, so a chatty child never blocks.
  std::thread out_reader{[&] { result.out = drain(out[0]); }};
  std::thread err_reader{[&] { result.err = drain(err[0]); }};
  size_t written = 0;
  while (written < input.size()) {
    auto n = ::write(in[1], input.data() + written, input.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    written += static_cast<size_t>(n);
  }
  ::close(in[1]);
  out_reader.join();
  err_reader.join();
  ::close(out[0]);
  ::close(err[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    // retry
  }
  result.exit_code
      = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

tool_result run_tasksctl(const std::vector<std::string>& args,
                         const std::string& input,
                         const std::map<std::string, std::string>& env,
                         const std::string& cwd) {
  return run_tool(TASKS_TASKSCTL_BINARY, args, input, env, cwd);
}

} // namespace tasks::test
