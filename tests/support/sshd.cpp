// A real OpenSSH server on 127.0.0.1 for tests (see sshd.hpp).
#include "support/sshd.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <caf/test/unit_test.hpp>

namespace tasks::test {

namespace {

constexpr const char* sshd_binary = "/usr/sbin/sshd";

/// Serializes password changes of the shared account across test processes.
constexpr const char* password_lock_file = "/tmp/tasksd-test-account.lock";

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out{path, std::ios::binary | std::ios::trunc};
  out << text;
  if (!out)
    CAF_FAIL("cannot write " << path);
}

/// Runs argv (PATH lookup) with `input` on stdin; stdout goes to `output`
/// when given, stderr to <dir>/commands.log. Returns the exit status.
int run(const std::string& dir, const std::vector<std::string>& argv,
        const std::string& input = {}, std::string* output = nullptr) {
  const std::string out_path = dir + "/command.out";
  const std::string log_path = dir + "/commands.log";
  // Everything the child needs is prepared before fork().
  std::vector<char*> args;
  for (const auto& arg : argv)
    args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  int in_pipe[2];
  if (::pipe(in_pipe) != 0)
    CAF_FAIL("pipe failed");
  const pid_t pid = ::fork();
  if (pid < 0)
    CAF_FAIL("fork failed");
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    const int out
        = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int log
        = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(out, 1);
    ::dup2(log, 2);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  if (!input.empty()
      && ::write(in_pipe[1], input.data(), input.size())
             != static_cast<ssize_t>(input.size()))
    CAF_FAIL("cannot write to " << argv[0]);
  ::close(in_pipe[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (output != nullptr)
    *output = read_file(out_path);
  ::unlink(out_path.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void run_or_fail(const std::string& dir, const std::vector<std::string>& argv,
                 const std::string& input = {}, std::string* output = nullptr) {
  if (run(dir, argv, input, output) != 0)
    CAF_FAIL(argv[0] << " failed: " << read_file(dir + "/commands.log"));
}

/// A port nobody listens on right now (the kernel's choice).
uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0
      || ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    CAF_FAIL("cannot find a free port");
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool accepts_connections(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool ok
      = fd >= 0
        && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  if (fd >= 0)
    ::close(fd);
  return ok;
}

std::string random_hex(size_t bytes) {
  std::ifstream in{"/dev/urandom", std::ios::binary};
  std::string raw(bytes, '\0');
  in.read(raw.data(), static_cast<std::streamsize>(bytes));
  if (!in)
    CAF_FAIL("cannot read /dev/urandom");
  static const char* digits = "0123456789abcdef";
  std::string result;
  for (unsigned char c : raw) {
    result += digits[c >> 4];
    result += digits[c & 15];
  }
  return result;
}

long status_field_kib(const char* field) {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  const std::string prefix = std::string{field} + ":";
  while (std::getline(in, line))
    if (line.compare(0, prefix.size(), prefix) == 0)
      return std::stol(line.substr(prefix.size()));
  return -1;
}

/// Parent pid and state of `pid` from /proc/<pid>/stat; false if gone.
bool stat_of(long pid, long& ppid, char& state) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string text;
  if (!std::getline(in, text))
    return false;
  // The command name may contain anything; the fields follow its last ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos)
    return false;
  std::istringstream rest{text.substr(close + 1)};
  rest >> state >> ppid;
  return static_cast<bool>(rest);
}

/// `socket:[inode]` of every accepted (not listening) TCP socket whose local
/// port is `port`: the server side of each connection to it.
std::set<std::string> connection_socket_inodes(uint16_t port) {
  std::set<std::string> result;
  std::ifstream in{"/proc/net/tcp"};
  std::string line;
  std::getline(in, line); // header
  while (std::getline(in, line)) {
    std::istringstream fields{line};
    std::string slot, local, remote, state, queues, timer, retransmits, uid,
        timeout, inode;
    fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits
        >> uid >> timeout >> inode;
    const auto colon = local.find(':');
    if (!fields || colon == std::string::npos || state == "0A") // LISTEN
      continue;
    if (std::stoul(local.substr(colon + 1), nullptr, 16) == port)
      result.insert("socket:[" + inode + "]");
  }
  return result;
}

} // namespace

test_sshd::test_sshd(int auth_delay_seconds) {
  std::string tmpl
      = (std::filesystem::temp_directory_path() / "tasksd-sshd-XXXXXX")
            .string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    CAF_FAIL("mkdtemp failed");
  dir_ = tmpl;
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr)
    user_ = pw->pw_name;
  else
    CAF_FAIL("cannot name the current user");
  // sshd insists on its privilege separation directory.
  std::error_code ignored;
  std::filesystem::create_directories("/run/sshd", ignored);
  make_host_key();
  rsa_passphrase_ = "rsa-" + random_hex(8);
  run_or_fail(dir_, {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                     "tasksd-test", "-f", key_file()});
  run_or_fail(dir_, {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                     "tasksd-test", "-f", unauthorized_key_file()});
  run_or_fail(dir_, {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                     "tasksd-test", "-f", forced_command_key_file()});
  run_or_fail(dir_,
              {"ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N",
               rsa_passphrase_, "-C", "tasksd-test", "-f", rsa_key_file()});
  write_file(dir_ + "/authorized_keys",
             read_file(key_file() + ".pub") + read_file(rsa_key_file() + ".pub")
                 + "command=\"eval \\\"$SSH_ORIGINAL_COMMAND\\\"\" "
                 + read_file(forced_command_key_file() + ".pub"));
  std::string slow_auth;
  if (auth_delay_seconds > 0)
    slow_auth = "AuthorizedKeysCommand /usr/bin/sleep "
                + std::to_string(auth_delay_seconds)
                + "\nAuthorizedKeysCommandUser nobody\n";
  // A port can be taken between free_port() and sshd's bind: retry.
  for (int attempt = 0; attempt < 5 && pid_ < 0; ++attempt) {
    port_ = free_port();
    write_file(dir_ + "/sshd_config",
               "Port " + std::to_string(port_)
                   + "\n"
                     "ListenAddress 127.0.0.1\n"
                     "HostKey "
                   + dir_
                   + "/host_ed25519\n"
                     "AuthorizedKeysFile "
                   + dir_
                   + "/authorized_keys\n"
                     "PidFile "
                   + dir_
                   + "/sshd.pid\n"
                     "UsePAM no\n"
                     "StrictModes no\n"
                     "PermitRootLogin prohibit-password\n"
                     "PasswordAuthentication yes\n"
                     "KbdInteractiveAuthentication no\n"
                     "PubkeyAuthentication yes\n"
                     "SetEnv SHLVL=1\n"
                     "MaxSessions 100\n"
                     "MaxStartups 200:30:400\n"
                     "LogLevel VERBOSE\n"
                   + slow_auth);
    start();
  }
  if (pid_ < 0)
    CAF_FAIL("sshd did not start: " << log());
}

test_sshd::~test_sshd() {
  stop();
  if (password_lock_ >= 0) {
    // Back to "no usable password", as ./test.sh created the account.
    run(dir_, {"usermod", "-p", "!", password_user});
    ::close(password_lock_); // releases the flock
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string test_sshd::rsa_key_text() const {
  return read_file(rsa_key_file());
}

void test_sshd::make_host_key() {
  const std::string key = dir_ + "/host_ed25519";
  ::unlink(key.c_str());
  ::unlink((key + ".pub").c_str());
  run_or_fail(dir_, {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C",
                     "tasksd-test-host", "-f", key});
  std::string listing;
  run_or_fail(dir_, {"ssh-keygen", "-lf", key + ".pub"}, {}, &listing);
  // "256 SHA256:… comment (ED25519)"
  std::istringstream fields{listing};
  std::string bits;
  fields >> bits >> fingerprint_;
  if (fingerprint_.compare(0, 7, "SHA256:") != 0)
    CAF_FAIL("unexpected ssh-keygen -lf output: " << listing);
}

void test_sshd::start() {
  const std::string config = dir_ + "/sshd_config";
  const std::string log_file = dir_ + "/sshd.log";
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0)
    CAF_FAIL("fork failed");
  if (pid == 0) {
    // A test that aborts (failed CAF_REQUIRE) must not leave sshd behind.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent)
      ::_exit(1);
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(sshd_binary, sshd_binary, "-D", "-f", config.c_str(), "-E",
            log_file.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline
      = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return; // exited: port taken or bad config; pid_ stays -1
    if (accepts_connections(port_)) {
      pid_ = pid;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  CAF_FAIL("sshd did not accept connections within 10 s: " << log());
}

void test_sshd::stop() {
  if (pid_ < 0)
    return;
  ::kill(pid_, SIGTERM);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void test_sshd::rotate_host_key() {
  stop();
  make_host_key();
  start();
  if (pid_ < 0)
    CAF_FAIL("sshd did not restart on port " << port_ << ": " << log());
}

void test_sshd::kill_connections() {
  // The processes holding the server side of a connection to our port;
  // after rotate_host_key() they are orphans of an earlier sshd, so they are
  // found by socket, not by parent.
  const auto inodes = connection_socket_inodes(port_);
  std::vector<long> killed;
  for (const auto& entry : std::filesystem::directory_iterator{"/proc"}) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos
        || std::stol(name) == ::getpid())
      continue;
    std::error_code ec;
    for (const auto& fd :
         std::filesystem::directory_iterator{entry.path() / "fd", ec}) {
      const auto link = std::filesystem::read_symlink(fd.path(), ec);
      if (!ec && inodes.count(link.string()) > 0) {
        killed.push_back(std::stol(name));
        ::kill(static_cast<pid_t>(std::stol(name)), SIGKILL);
        break;
      }
    }
  }
  // Dead processes have closed their sockets: the clients see the end.
  const auto deadline
      = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (long pid : killed)
    while (process_alive(pid) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

const std::string& test_sshd::password() {
  if (!password_.empty())
    return password_;
  if (::getpwnam(password_user) == nullptr)
    CAF_FAIL("local account " << password_user
                              << " is missing: run ./test.sh (it creates it)"
                                 " or `useradd -m -s /bin/sh "
                              << password_user << "` as root");
  password_lock_ = ::open(password_lock_file, O_RDWR | O_CREAT, 0600);
  if (password_lock_ < 0 || ::flock(password_lock_, LOCK_EX) != 0)
    CAF_FAIL("cannot lock " << password_lock_file);
  const std::string fresh = random_hex(16);
  run_or_fail(dir_, {"chpasswd"},
              std::string{password_user} + ":" + fresh + "\n");
  password_ = fresh;
  return password_;
}

std::string test_sshd::log() const {
  return read_file(dir_ + "/sshd.log");
}

std::string read_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool process_alive(long pid) {
  long ppid = 0;
  char state = 0;
  return stat_of(pid, ppid, state) && state != 'Z' && state != 'X';
}

long peak_rss_kib() {
  return status_field_kib("VmHWM");
}

long current_rss_kib() {
  return status_field_kib("VmRSS");
}

void reset_peak_rss() {
  std::ofstream out{"/proc/self/clear_refs"};
  out << "5";
}

} // namespace tasks::test
