// The real tasksd binary for a test (see tasksd_process.hpp).
#include "support/tasksd_process.hpp"

#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <caf/test/unit_test.hpp>

#include "support/http_client.hpp"
#include "support/sshd.hpp"

#ifndef TASKS_TASKSD_BINARY
#error "TASKS_TASKSD_BINARY must name the tasksd executable"
#endif

namespace tasks::test {

namespace {

constexpr const char* tasksd_binary = TASKS_TASKSD_BINARY;
constexpr const char* password_variable = "TASKS_BOOTSTRAP_ADMIN_PASSWORD";
constexpr const char* listen_variable = "TASKS_LISTEN";
constexpr int max_launches = 4;

/// A port nobody listens on right now (the kernel's choice).
uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0
      || ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    CAF_FAIL("cannot find a free port: " << std::strerror(errno));
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// `size` random letters and digits.
std::string random_password(size_t size) {
  static constexpr char alphabet[]
      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::ifstream in{"/dev/urandom", std::ios::binary};
  std::string result;
  while (result.size() < size) {
    const auto c = static_cast<unsigned char>(in.get());
    if (!in)
      CAF_FAIL("cannot read /dev/urandom");
    if (c < 248) // 4 * 62: no bias
      result += alphabet[c % 62];
  }
  return result;
}

/// The exit status, or 128 + signal, as a shell reports it.
int decode_status(int status) {
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  if (WIFSIGNALED(status))
    return 128 + WTERMSIG(status);
  return -1;
}

size_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
}

/// The port of `host:port` or `[v6]:port`; 0 when there is none.
uint16_t port_of(const std::string& listen) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    return 0;
  try {
    return static_cast<uint16_t>(std::stoul(listen.substr(colon + 1)));
  } catch (const std::exception&) {
    return 0;
  }
}

/// Whether GET /api/health answers 200. Silence is no failure: until tasksd
/// binds, another process may hold the port (it then exits, and we retry).
bool health_ok(uint16_t port) {
  http_client client{port};
  client.set_timeout(std::chrono::seconds(1));
  client.set_fail_on_timeout(false);
  client.set_close_wait(std::chrono::milliseconds(0));
  return client.request("GET", "/api/health", "", {{"Connection", "close"}})
             .status
         == 200;
}

} // namespace

tasksd_process::tasksd_process(tasksd_options options)
    : env_(std::move(options.env)), ready_(std::move(options.ready)),
      binary_(options.binary.empty() ? tasksd_binary
                                     : std::move(options.binary)),
      open_files_soft_limit_(options.open_files_soft_limit) {
  std::string tmpl
      = (std::filesystem::temp_directory_path() / "tasksd-proc-XXXXXX")
            .string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    CAF_FAIL("mkdtemp failed: " << std::strerror(errno));
  dir_ = tmpl;
  data_dir_ = options.data_dir.empty()
                  ? dir_ + "/data"
                  : std::filesystem::absolute(options.data_dir).string();
  log_file_ = dir_ + "/tasksd.log";
  if (env_.count(password_variable) == 0)
    env_[password_variable] = random_password(20);
  start();
}

tasksd_process::~tasksd_process() {
  if (pid_ >= 0) {
    ::kill(pid_, SIGTERM);
    if (!wait_for_exit(10)) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string tasksd_process::admin_password() const {
  return env_.at(password_variable);
}

void tasksd_process::start() {
  if (pid_ >= 0)
    CAF_FAIL("tasksd is already running as pid " << pid_);
  if (auto listen = env_.find(listen_variable); listen != env_.end()) {
    // The caller chose the address: no retry on another port.
    if (launch(port_of(listen->second)) == launch_result::ready)
      return;
    fail(std::string{"tasksd could not bind "} + listen->second + ":\n"
         + log());
  }
  uint16_t port = port_ != 0 ? port_ : free_port();
  for (int attempt = 0; attempt < max_launches; ++attempt) {
    if (launch(port) == launch_result::ready)
      return;
    port = free_port(); // taken since we looked: try another
  }
  fail("tasksd found no free port in " + std::to_string(max_launches)
       + " attempts:\n" + log());
}

tasksd_process::launch_result tasksd_process::launch(uint16_t port) {
  // The child's environment: ours without TASKS_*, then the test's.
  std::map<std::string, std::string> vars{
      {"TASKS_DATA_DIR", data_dir_},
      {listen_variable, "127.0.0.1:" + std::to_string(port)},
      {"TASKS_LOG_FORMAT", "text"},
  };
  for (const auto& [name, value] : env_)
    vars[name] = value;
  std::vector<std::string> entries;
  for (char** entry = environ; *entry != nullptr; ++entry)
    if (std::strncmp(*entry, "TASKS_", 6) != 0)
      entries.emplace_back(*entry);
  for (const auto& [name, value] : vars)
    entries.push_back(name + "=" + value);
  // Everything the child needs is prepared before fork().
  std::vector<char*> envp;
  for (auto& entry : entries)
    envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string binary = binary_;
  char* argv[] = {binary.data(), nullptr};
  const std::string exec_failed
      = "tasksd_process: cannot execute " + binary + "\n";
  const size_t log_offset = file_size(log_file_);
  {
    std::ofstream log{log_file_, std::ios::app};
    log << "--- tasksd_process: starting on " << vars[listen_variable]
        << " ---\n";
  }
  const int log_fd = ::open(log_file_.c_str(),
                            O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0)
    fail("cannot open " + log_file_ + " or /dev/null");
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0)
    fail("fork failed");
  if (pid == 0) {
    // A test that aborts (failed CAF_REQUIRE) must not leave tasksd behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
      ::_exit(1);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(null_fd, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::close_range(3, ~0U, 0);
    if (open_files_soft_limit_ > 0) {
      rlimit limit{};
      ::getrlimit(RLIMIT_NOFILE, &limit);
      limit.rlim_cur = open_files_soft_limit_;
      ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    // Our own directory, so no stray .env is read.
    if (::chdir(dir_.c_str()) == 0)
      ::execve(argv[0], argv, envp.data());
    [[maybe_unused]] auto n
        = ::write(2, exec_failed.data(), exec_failed.size());
    ::_exit(127);
  }
  ::close(log_fd);
  ::close(null_fd);
  pid_ = pid;
  port_ = port;
  const auto deadline
      = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      last_status_ = decode_status(status);
      if (log().find("Address already in use", log_offset) != std::string::npos)
        return launch_result::port_taken;
      fail("tasksd exited with status " + std::to_string(last_status_)
           + " before it was ready:\n" + log());
    }
    if (ready_ ? ready_(port_) : health_ok(port_))
      return launch_result::ready;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  fail(std::string{ready_ ? "tasksd was not ready"
                          : "tasksd did not answer GET /api/health with 200"}
       + " within 20 s:\n" + log());
}

int tasksd_process::stop() {
  if (pid_ < 0)
    return last_status_;
  ::kill(pid_, SIGTERM);
  if (!wait_for_exit(30)) {
    kill9();
    CAF_ERROR("tasksd did not stop within 30 s of SIGTERM; killed it:\n"
              << log());
  }
  return last_status_;
}

void tasksd_process::kill9() {
  if (pid_ < 0)
    return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  last_status_ = decode_status(status);
}

bool tasksd_process::wait_for_exit(int seconds) {
  const auto deadline
      = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  for (;;) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      last_status_ = decode_status(status);
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void tasksd_process::fail(const std::string& why) {
  if (pid_ >= 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
  CAF_FAIL(why);
}

std::string tasksd_process::log() const {
  return read_file(log_file_);
}

} // namespace tasks::test
