#define CAF_SUITE ssh.output
#include <caf/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

#include "actors/ssh/output.hpp"
#include "actors/ssh/session.hpp"
#include "support/sshd.hpp"

using namespace tasks::ssh;
using tasks::test::process_alive;
using tasks::test::read_file;

namespace {

namespace fs = std::filesystem;

/// The login shells the kill command must work in (.ci/deps.sh installs
/// zsh for this test).
const char* const login_shells[] = {"/bin/sh", "/bin/bash", "/usr/bin/zsh"};

/// Forks `shell -c script` in a session of its own when `leader`, as sshd
/// starts a channel's login shell; with PATH=`path` when not empty.
pid_t spawn_shell(const std::string& script, const std::string& path = {},
                  bool leader = true, const char* shell = "/bin/sh") {
  const pid_t pid = ::fork();
  CAF_REQUIRE(pid >= 0);
  if (pid == 0) {
    if (leader)
      ::setsid();
    if (!path.empty())
      ::setenv("PATH", path.c_str(), 1);
    ::execl(shell, shell, "-c", script.c_str(), nullptr);
    ::_exit(127);
  }
  return pid;
}

/// Reaps `pid` within a second and returns its wait status; kills and
/// reaps it and returns 0 when it is still running then.
int reap(pid_t pid) {
  int status = 0;
  for (int i = 0; i < 500; ++i) {
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  return 0;
}

bool killed(int status) {
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

/// This process plays sshd's connection process: one child runs a command
/// tree, a second runs `kill` (kill_siblings_command or a variant) in
/// `shell`. True when the first child's whole group died of SIGKILL and the
/// killer spared itself.
bool kill_command_kills_the_sibling_group(
    const char* shell, const std::string& path,
    const std::string& kill = std::string{kill_siblings_command}) {
  if (!fs::exists(shell))
    CAF_FAIL(shell << " is missing: ./test.sh installs it");
  const auto dir = fs::temp_directory_path()
                   / ("tasksd-kill-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto grandchild_file = (dir / "grandchild").string();
  const pid_t command
      = spawn_shell("sleep 61 & echo $! > " + grandchild_file + ".tmp; mv "
                    + grandchild_file + ".tmp " + grandchild_file + "; wait");
  const auto deadline
      = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!fs::exists(grandchild_file)
         && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  CAF_REQUIRE(fs::exists(grandchild_file));
  const long grandchild = std::stol(read_file(grandchild_file));
  const pid_t killer
      = spawn_shell(kill + "; echo spared > " + (dir / "killer").string(),
                    path, true, shell);
  int killer_status = 0;
  CAF_REQUIRE_EQUAL(::waitpid(killer, &killer_status, 0), killer);
  // The killer has ended: the command is dead by now, or it was missed.
  const int command_status = reap(command);
  bool grandchild_gone = false;
  for (int i = 0; i < 500 && !grandchild_gone; ++i) {
    grandchild_gone = !process_alive(grandchild);
    if (!grandchild_gone)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (!grandchild_gone)
    ::kill(static_cast<pid_t>(grandchild), SIGKILL);
  const bool spared = read_file((dir / "killer").string()) == "spared\n";
  fs::remove_all(dir);
  return killed(command_status) && grandchild_gone && spared;
}

} // namespace

CAF_TEST(kill_command_kills_the_other_channels_process_group) {
  for (const char* shell : login_shells) {
    CAF_MESSAGE(shell);
    CAF_CHECK(kill_command_kills_the_sibling_group(shell, ""));
  }
}

CAF_TEST(kill_command_kills_a_sibling_that_has_no_group_yet) {
  const pid_t command = spawn_shell("exec sleep 62", {}, false);
  const pid_t killer = spawn_shell(std::string{kill_siblings_command});
  CAF_REQUIRE_EQUAL(::waitpid(killer, nullptr, 0), killer);
  CAF_CHECK(killed(reap(command)));
}

CAF_TEST(kill_command_runs_on_shell_builtins_alone_on_linux) {
  // An empty PATH: no pgrep, no tr, nothing to fork.
  const auto bin = fs::temp_directory_path()
                   / ("tasksd-empty-path-" + std::to_string(::getpid()));
  fs::create_directories(bin);
  for (const char* shell : login_shells) {
    CAF_MESSAGE(shell);
    CAF_CHECK(kill_command_kills_the_sibling_group(shell, bin.string()));
  }
  fs::remove_all(bin);
}

CAF_TEST(kill_command_asks_pgrep_where_proc_lists_no_children) {
  std::string kill{kill_siblings_command};
  const std::string proc = "/proc/";
  CAF_REQUIRE(kill.find(proc) != std::string::npos);
  kill.replace(kill.find(proc), proc.size(), "/no-such-proc/");
  for (const char* shell : login_shells) {
    CAF_MESSAGE(shell);
    CAF_CHECK(kill_command_kills_the_sibling_group(shell, "", kill));
  }
}

CAF_TEST(capped_output_keeps_up_to_the_cap_and_flags_the_rest) {
  capped_output out{true, 5};
  out.append("abc");
  CAF_CHECK(!out.truncated());
  out.append("de");
  CAF_CHECK_EQUAL(out.text(), "abcde");
  CAF_CHECK(!out.truncated());
  out.append("f");
  CAF_CHECK_EQUAL(out.text(), "abcde");
  CAF_CHECK(out.truncated());
  CAF_CHECK_EQUAL(out.total(), 6u);
}

CAF_TEST(capped_output_without_capture_keeps_nothing) {
  capped_output out{false, 5};
  out.append("abcdefgh");
  CAF_CHECK(out.text().empty());
  CAF_CHECK(!out.truncated());
  CAF_CHECK_EQUAL(out.total(), 8u);
}

CAF_TEST(same_endpoint_compares_address_account_and_pin) {
  target a;
  a.host = "10.0.0.5";
  a.port = 2222;
  a.username = "deploy";
  a.pinned_host_key = "SHA256:abc";
  a.password = "secret";
  target b = a;
  b.password = "other";
  b.key_file = "/k";
  CAF_CHECK(a.same_endpoint(b));
  b.port = 22;
  CAF_CHECK(!a.same_endpoint(b));
  b = a;
  b.pinned_host_key.clear();
  CAF_CHECK(!a.same_endpoint(b));
  b = a;
  b.username = "root";
  CAF_CHECK(!a.same_endpoint(b));
  b = a;
  b.host = "10.0.0.6";
  CAF_CHECK(!a.same_endpoint(b));
}
