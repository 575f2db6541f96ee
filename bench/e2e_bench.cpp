// End-to-end execution benchmark (issues 3 and 7): `true` tasks over 4
// loopback sshd instances through the real tasksd binary over HTTP and
// through the execution actors in this process, next to bare libssh loops
// (warm sessions with and without TCP_NODELAY, a connection per command),
// plain `ssh` and ControlMaster `ssh` over the same sshd instances, in
// interleaved rounds; then tasksd's queue-to-start latency on an idle server
// and its resident memory. Sizes: TASKS_BENCH_TASKS (default 1000) tasks a
// round, TASKS_BENCH_ROUNDS (default 5) rounds, TASKS_BENCH_MODES (default
// all) the modes by key, TASKS_BENCH_QUEUED (default 10000) the tasks left
// queued and TASKS_BENCH_RUNNING (default 0) the tasks running for the
// memory figures; TASKS_BENCH_BASELINE, another build's tasksd, adds mode b
// for a before/after comparison. Exits 1 when any task or command did not
// succeed, 2 when the bench cannot run at all.

// test_sshd reports set-up failures through CAF's test engine: this
// translation unit provides the engine, without its main().
#define CAF_TEST_NO_MAIN
#include <caf/test/unit_test_impl.hpp>

#include <caf/all.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "actors/execution.hpp"
#include "core/error.hpp"
#include "e2e_http.hpp"
#include "e2e_libssh_clients.hpp"
#include "e2e_report.hpp"
#include "e2e_ssh_clients.hpp"
#include "e2e_tasksd.hpp"
#include "support/sshd.hpp"

using namespace tasks;
using namespace tasks::bench;

namespace {

constexpr size_t num_servers = 4;
constexpr size_t ssh_parallel = 16;
/// Threads of the libssh loops, parallel HTTP clients creating tasks.
constexpr size_t libssh_threads = 4;
constexpr size_t http_connections = 4;
/// The OpenSSH clients cost a fork/exec and a process each: fewer of them
/// keep a full run short; rates are per second and compare as such.
constexpr size_t max_ssh_commands = 200;

/// An empty CAF test, "run" once so that the engine has a current test:
/// a CAF_FAIL inside test_sshd then prints its message and aborts instead
/// of dereferencing a null test.
struct fixture_context : caf::test::test {
  fixture_context() : caf::test::test("sshd_fixture", false) {
    // nop
  }
  void run_test_impl() override {
    // nop
  }
};

void enable_fixture_failures() {
  caf::test::engine::add("bench", std::make_unique<fixture_context>());
  caf::test::engine::max_runtime(0);
  caf::test::engine::run(false, "", 0, 0, ".*", "", ".*", "");
  caf::test::logger::init(2, 0, ""); // failure messages are at "info"
}

[[noreturn]] void give_up(const std::string& why) {
  std::cerr << "bench_e2e: cannot run: " << why << std::endl;
  std::exit(2);
}

/// A size from the environment: `fallback` when unset, else `min` to
/// 1,000,000 (anything else ends the bench).
size_t env_size(const char* name, size_t fallback, size_t min = 1) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0')
    return fallback;
  char* end = nullptr;
  const auto value = std::strtoul(text, &end, 10);
  if (*end != '\0' || value < min || value > 1000000)
    give_up(std::string{name} + " must be a number from " + std::to_string(min)
            + " to 1000000");
  return value;
}

/// A directory removed with the object.
struct scratch_dir {
  std::string path;
  explicit scratch_dir(const std::string& parent) {
    std::string tmpl = parent + "/tasksd-bench-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr)
      give_up("mkdtemp in " + parent + " failed");
    path = tmpl;
  }
  ~scratch_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

std::string machine() {
  std::ifstream in{"/proc/cpuinfo"};
  std::string line, model;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  utsname u{};
  ::uname(&u);
  return std::to_string(std::thread::hardware_concurrency()) + " CPUs (" + model
         + "), Linux " + u.release;
}

using sshd_list = std::vector<std::unique_ptr<test::test_sshd>>;

/// A store in `dir` with every sshd registered as a server (ids in `ids`);
/// null, after saying why, when that fails.
std::unique_ptr<bench_store> make_store(const std::string& dir,
                                        const sshd_list& sshds,
                                        std::vector<uint64_t>& ids) {
  auto st = bench_store::create(dir);
  if (!st) {
    std::cerr << "bench_e2e: store in " << dir << ": " << message_of(st.error())
              << std::endl;
    return nullptr;
  }
  for (size_t i = 0; i < sshds.size(); ++i) {
    auto id
        = (*st)->add_server("sshd-" + std::to_string(i + 1), sshds[i]->port(),
                            sshds[i]->user(), sshds[i]->key_file());
    if (!id) {
      std::cerr << "bench_e2e: add server: " << message_of(id.error())
                << std::endl;
      return nullptr;
    }
    ids.push_back(*id);
  }
  return std::move(*st);
}

/// Stops the execution actors when the bench ends, before the actor system
/// and the stores go.
struct execution_stopper {
  caf::actor_system& sys;
  std::vector<tasksd_target*> targets;
  ~execution_stopper() {
    for (auto* t : targets) {
      if (t->st == nullptr)
        continue;
      stop_execution(sys, t->exec);
      t->exec = execution{}; // detached actors end once no handle is left
    }
  }
};

/// Lets the ControlMasters go when the bench ends.
struct master_stopper {
  const ssh_client& client;
  ~master_stopper() { client.stop_masters(); }
};

execution_config tasksd_config(bool reuse) {
  execution_config cfg;
  cfg.num_workers = 16;
  cfg.concurrent_per_server = 4;
  cfg.reuse_sessions = reuse;
  // A round of the full bench outlasts the default 60 s: warm sessions
  // stay warm between rounds as in a busy tasksd (and as the ControlMaster
  // is kept up for the ssh mode).
  cfg.session_idle = std::chrono::minutes{30};
  return cfg;
}

/// Median milliseconds of a 512-byte append + fdatasync in `dir`: the floor
/// of one synced store write there.
double sync_write_ms(const std::string& dir) {
  const auto path = dir + "/sync-probe";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd < 0)
    return -1;
  const std::string block(512, 'x');
  std::vector<double> times;
  for (int i = 0; i < 50; ++i) {
    const auto began = std::chrono::steady_clock::now();
    if (::write(fd, block.data(), block.size()) < 0 || ::fdatasync(fd) != 0)
      break;
    times.push_back(std::chrono::duration<double, std::milli>(
                        std::chrono::steady_clock::now() - began)
                        .count());
  }
  ::close(fd);
  ::unlink(path.c_str());
  return median(times);
}

void print_errors(const std::vector<std::string>& errors) {
  for (const auto& e : errors)
    std::cout << "    error: " << e << '\n';
}

} // namespace

int main() {
  const size_t rounds = env_size("TASKS_BENCH_ROUNDS", 5);
  const size_t n = env_size("TASKS_BENCH_TASKS", 1000);
  const size_t n_ssh = std::min(n, max_ssh_commands);
  if (::geteuid() != 0 || !std::filesystem::exists("/usr/sbin/sshd"))
    give_up("needs root and /usr/sbin/sshd (openssh-server) for the loopback"
            " sshd instances");
  enable_fixture_failures();
  std::cout << "bench_e2e: " << machine() << '\n'
            << "  " << rounds << " round(s); tasksd modes " << n
            << " tasks a round, ssh modes " << n_ssh << " commands a round ("
            << ssh_parallel << " in parallel), all `true`, round-robin over "
            << num_servers << " loopback sshd\n";

  // Declared in the order of set-up: every exit below tears down in
  // reverse (actors, actor system, stores, sshd, directories).
  scratch_dir scratch{std::filesystem::temp_directory_path().string()};
  std::unique_ptr<scratch_dir> shm;
  if (std::filesystem::is_directory("/dev/shm"))
    shm = std::make_unique<scratch_dir>("/dev/shm");
  char probe[256];
  std::snprintf(probe, sizeof probe,
                "  512-byte append + fdatasync (median of 50): %.3f ms on disk"
                " (%s), %.3f ms on tmpfs (/dev/shm)\n",
                sync_write_ms(scratch.path), scratch.path.c_str(),
                shm ? sync_write_ms(shm->path) : -1.0);
  std::cout << probe;

  sshd_list sshds;
  for (size_t i = 0; i < num_servers; ++i)
    sshds.push_back(std::make_unique<test::test_sshd>());
  std::vector<ssh_target> ssh_targets;
  for (const auto& s : sshds)
    ssh_targets.push_back({s->port(), s->key_file()});

  std::vector<uint64_t> disk_servers;
  std::vector<uint64_t> shm_servers;
  auto disk_store = make_store(scratch.path + "/store", sshds, disk_servers);
  std::unique_ptr<bench_store> shm_store;
  if (shm)
    shm_store = make_store(shm->path + "/store", sshds, shm_servers);
  if (!disk_store || (shm && !shm_store))
    return 2;

  caf::actor_system_config sys_cfg;
  configure_scheduler(sys_cfg); // as tasksd does
  caf::actor_system sys{sys_cfg};
  tasksd_target reuse{
      spawn_execution(sys, disk_store->get(), tasksd_config(true)),
      &disk_store->get(), disk_servers};
  execution_stopper stop_actors{sys, {&reuse}};

  // The real tasksd, configured as issue 7 says; sessions stay warm across
  // rounds as in a busy tasksd.
  const std::map<std::string, std::string> served_env{
      {"TASKS_CONCURRENT_PER_SERVER", "4"},
      {"TASKS_NUM_WORKERS", "16"},
      {"TASKS_MAX_QUEUED", "100000"},
      {"TASKS_SSH_IDLE_TIMEOUT", "1800"}};
  http_tasksd served{ssh_targets, served_env};
  // TASKS_BENCH_BASELINE names another build's tasksd: mode b runs it in
  // the same rounds, for a before/after comparison that drift cannot skew.
  const char* baseline_binary = std::getenv("TASKS_BENCH_BASELINE");
  std::unique_ptr<http_tasksd> baseline;
  if (baseline_binary != nullptr && *baseline_binary != '\0')
    baseline = std::make_unique<http_tasksd>(ssh_targets, served_env,
                                             baseline_binary);
  const double idle_rss = served.rss_mib();

  const auto ssh_log = scratch.path + "/ssh.log";
  ssh_client plain{ssh_targets, std::nullopt, ssh_log};
  ssh_client multiplexed{ssh_targets, scratch.path, ssh_log};
  master_stopper stop_masters{multiplexed};

  // Warm-up, untimed: the first task on each server pins its host key
  // (TOFU) and starts its supervisor; the ControlMasters are established.
  std::vector<std::string> errors;
  if (run_tasks(sys, reuse, num_servers, errors).failures
      || served.run(num_servers, 1, errors).failures
      || (baseline && baseline->run(num_servers, 1, errors).failures)) {
    std::cerr << "bench_e2e: warm-up tasks failed\n";
    print_errors(errors);
    return 2;
  }
  if (plain.warm_up() > 0 || multiplexed.warm_up() > 0) {
    std::cerr << "bench_e2e: warm-up ssh failed (is ssh in PATH?):\n"
              << test::read_file(ssh_log) << std::endl;
    return 2;
  }

  std::vector<mode> modes{
      {"h", "tasksd over HTTP (the binary)", {}},
      {"b", "tasksd over HTTP, TASKS_BENCH_BASELINE's binary", {}},
      {"a", "tasksd actors in-process, session reuse", {}},
      {"w", "libssh, warm session per thread, TCP_NODELAY", {}},
      {"W", "libssh, 16 warm sessions (4 a server), TCP_NODELAY", {}},
      {"n", "libssh, warm session per thread, no TCP_NODELAY", {}},
      {"k", "libssh, new connection per command", {}},
      {"c", "ssh, new connection per command", {}},
      {"d", "ssh, ControlMaster", {}},
  };

  // TASKS_BENCH_MODES (e.g. "hw") runs only those modes: for profiling.
  const char* only = std::getenv("TASKS_BENCH_MODES");
  modes.erase(std::remove_if(modes.begin(), modes.end(),
                             [&](const mode& m) {
                               if (m.key == "b" && !baseline)
                                 return true;
                               return only && *only
                                      && std::string_view{only}.find(m.key)
                                             == std::string_view::npos;
                             }),
              modes.end());

  size_t failed = 0;
  for (size_t r = 0; r < rounds; ++r) {
    // Forwards, then backwards: a linear drift hits every mode alike.
    std::vector<size_t> order(modes.size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = r % 2 == 0 ? i : order.size() - 1 - i;
    std::cout << "round " << r + 1 << "/" << rounds << '\n';
    for (auto i : order) {
      auto& m = modes[i];
      errors.clear();
      sample s;
      if (m.key == "h")
        s = served.run(n, http_connections, errors);
      else if (m.key == "b")
        s = baseline->run(n, http_connections, errors);
      else if (m.key == "a")
        s = run_tasks(sys, reuse, n, errors);
      else if (m.key == "w")
        s = run_libssh(ssh_targets, n, libssh_threads, {true, true});
      else if (m.key == "W")
        s = run_libssh(ssh_targets, n, ssh_parallel, {true, true});
      else if (m.key == "n")
        s = run_libssh(ssh_targets, n_ssh, libssh_threads, {true, false});
      else if (m.key == "k")
        s = run_libssh(ssh_targets, n_ssh, libssh_threads, {false, true});
      else if (m.key == "c")
        s = plain.run(n_ssh, ssh_parallel);
      else {
        // A master that ControlPersist let go is back before the clock.
        multiplexed.warm_up();
        s = multiplexed.run(n_ssh, ssh_parallel);
      }
      failed += s.failures;
      m.samples.push_back(s);
      std::cout << describe(m, s) << std::endl;
      print_errors(errors);
    }
  }

  errors.clear();
  const auto idle_probe = served.queue_to_start(std::min<size_t>(n, 200), errors);

  // Memory with many tasks waiting: a server that takes 60 s to let anyone
  // in keeps its tasks queued (4 connect, the rest wait) while they are
  // counted; its sleeping logins end by themselves.
  const double before_queue = served.rss_mib();
  test::test_sshd slow{60};
  const auto slow_id = served.add_server({slow.port(), slow.key_file()});
  const size_t queued = env_size("TASKS_BENCH_QUEUED", 10000);
  failed += served.post(slow_id, queued, http_connections);
  const double with_queue = served.rss_mib();

  // Memory with many tasks running (TASKS_BENCH_RUNNING, default 0: it
  // needs as many SSH sessions and sshd processes): a tasksd of its own
  // with room for them all.
  const size_t running = env_size("TASKS_BENCH_RUNNING", 0, 0);
  double running_idle = 0, running_rss = 0, running_cpu = 0;
  if (running > 0) {
    http_tasksd busy{ssh_targets,
                     {{"TASKS_CONCURRENT_PER_SERVER", "256"},
                      {"TASKS_NUM_WORKERS", "1024"},
                      {"TASKS_MAX_QUEUED", "100000"}}};
    running_idle = busy.rss_mib();
    if (!busy.start_running(running, 50, "sleep 600")) {
      std::cerr << "bench_e2e: " << running << " tasks did not all start\n";
      ++failed;
    }
    running_rss = busy.rss_mib();
    // What waiting on that many commands costs: a share of one core.
    constexpr auto window = std::chrono::seconds{5};
    const double cpu_before = busy.cpu_seconds();
    std::this_thread::sleep_for(window);
    running_cpu = (busy.cpu_seconds() - cpu_before) / window.count();
  }
  failed += idle_probe.failures;
  print_errors(errors);

  std::cout << "\nMedians of " << rounds
            << " round(s); run = start→finish for tasksd, a command's wall"
               " time for the others; ratios are medians of per-round"
               " tasks/s ratios.\n\n"
            << table(modes, {"w", "k", "d", "b"}) << '\n';
  char line[512];
  std::snprintf(line, sizeof line,
                "queue→start on an idle server, warm session (%zu tasks one"
                " at a time): p50 %.1f ms, p99 %.1f ms\n"
                "tasksd RSS: %.1f MiB idle, %.1f MiB after the rounds, "
                "%.1f MiB with %zu more tasks queued (+%.1f MiB)\n",
                idle_probe.tasks, idle_probe.queue_p50, idle_probe.queue_p99,
                idle_rss, before_queue, with_queue, queued,
                with_queue - before_queue);
  std::cout << line;
  if (running > 0)
    std::printf("second tasksd: %.1f MiB idle, %.1f MiB with %zu tasks running"
                " (+%.1f MiB); while they ran, tasksd used %.1f%% of a core\n",
                running_idle, running_rss, running, running_rss - running_idle,
                running_cpu * 100);
  if (failed == 0) {
    std::cout << "bench_e2e: done, every task and command succeeded"
              << std::endl;
    return 0;
  }
  const auto log = test::read_file(ssh_log);
  std::cout << "ssh stderr, last 2000 bytes:\n"
            << log.substr(log.size() - std::min<size_t>(log.size(), 2000))
            << "\nbench_e2e: FAILED: " << failed
            << " task(s) or command(s) did not succeed" << std::endl;
  return 1;
}
