// bench_http_fill DATA_DIR N SERVERS: a store tasksd opens as it is, with an
// admin, a few operators, SERVERS unreachable servers and N final tasks, for
// the HTTP bench of issue 4 (http_bench.sh). The bulk load writes unsynced.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "storage/crypto.hpp"
#include "storage/database.hpp"
#include "storage/passwords.hpp"
#include "storage/store.hpp"
#include "tools/bootstrap_admin.hpp"
#include "tools/store_setup.hpp"

using namespace tasks;

namespace {

using clock_type = std::chrono::steady_clock;

/// The admin's password; http_bench.sh logs in with it. A bench store is
/// never a real one: the password is not a secret.
constexpr const char* admin_password = "bench-admin-password";

/// Operators besides the admin that own tasks.
constexpr uint64_t operator_count = 4;

/// Written last, so that a store without it is an interrupted fill.
constexpr const char* marker_file = "bench_fill.txt";

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "bench_http_fill: %s\n", what.c_str());
  std::exit(1);
}

void require(const caf::error& err, const char* what) {
  if (err)
    fail(std::string{what} + ": " + message_of(err));
}

template <class T> T require(caf::expected<T> value, const char* what) {
  if (!value)
    require(value.error(), what);
  return std::move(*value);
}

uint64_t parse_count(const char* text, const char* name, uint64_t max) {
  char* end = nullptr;
  auto value = std::strtoull(text, &end, 10);
  if (*end != '\0' || value == 0 || value > max)
    fail(std::string{name} + " must be a number from 1 to "
         + std::to_string(max));
  return value;
}

/// As store_bench: waits until RocksDB's flushes and compactions after the
/// load are done (the process is idle), so that tasksd does not inherit
/// them; returns the seconds waited.
double wait_until_idle() {
  auto started = clock_type::now();
  for (int second = 0; second < 900; ++second) {
    auto cpu = std::clock();
    std::this_thread::sleep_for(std::chrono::seconds{1});
    if (std::clock() - cpu < CLOCKS_PER_SEC / 20)
      break;
  }
  return std::chrono::duration<double>(clock_type::now() - started).count();
}

/// The configuration tasksd gets with TASKS_DATA_DIR=dir and nothing else
/// (the vault key file defaults to dir/vault.key).
config config_for(const std::string& dir) {
  return require(load_config({{"TASKS_DATA_DIR", dir}}, {}), "config");
}

/// Opens the store as tasksd does (migrations, vault key created), then
/// binds a second store object to the same database that writes unsynced:
/// open_store has no option for that, and only a bulk load may use it.
struct unsynced_store {
  opened_store opened;
  std::unique_ptr<storage::store> st;

  explicit unsynced_store(const config& cfg) {
    opened
        = require(open_store(cfg, storage::open_mode::primary), "open store");
    opened.st.reset();
    auto master = require(storage::load_master_key(cfg.vault_key_file, false),
                          "vault key");
    storage::store_options options;
    options.output_max_bytes = cfg.output_max_bytes;
    options.sync_writes = false;
    st = require(storage::store::open(*opened.db, master, options),
                 "open unsynced store");
  }

  ~unsynced_store() {
    st.reset(); // before the database it refers to
  }
};

/// Writes the memtables to SST files, so that tasksd does not replay the
/// load from the WAL when it opens the store (13 s for 20,000 tasks here).
/// The database exposes no flush, but a RocksDB checkpoint flushes every
/// column family first; the checkpoint itself, hard links beside `dir`, is
/// thrown away.
void flush(storage::database& db, const std::string& dir) {
  auto target = std::filesystem::path{dir}.lexically_normal();
  if (!target.has_filename())
    target = target.parent_path();
  target += ".flush-checkpoint";
  std::error_code ignored;
  std::filesystem::remove_all(target, ignored);
  require(db.checkpoint(target.string()), "flush");
  std::filesystem::remove_all(target, ignored);
}

audit_origin origin_of(const user& u) {
  return {u.id, u.username, "127.0.0.1", "bench_http_fill"};
}

void move(storage::store& st, const task& t, const task_transition& change,
          const audit_origin& who) {
  require(st.transition_task(t.id, change, who), "transition");
}

/// One task through queued → running → final: 90% success, 8% failed with
/// exit code 1, 1% failed before it could run, 1% timeout. None is left
/// queued or running, so tasksd's recovery has nothing to requeue.
void add_task(storage::store& st, std::mt19937_64& rng, uint64_t i,
              uint64_t servers, const std::vector<user>& owners) {
  const auto& owner = owners[rng() % owners.size()];
  auto who = origin_of(owner);
  new_task req;
  req.server_id = 1 + rng() % servers;
  req.user_id = owner.id;
  req.command = "systemctl restart app-" + std::to_string(i % 50) + ".service";
  req.timeout_seconds = 60;
  req.store_output = i % 10 == 0;
  auto t = require(st.create_task(req, who), "create task");
  auto fate = rng() % 100;
  task_transition end;
  if (fate == 0) {
    end.to = status::failed;
    end.error = "connect to 127.0.0.1:1: Connection refused";
    move(st, t, end, who);
    return;
  }
  task_transition start;
  start.to = status::running;
  move(st, t, start, who);
  if (fate == 1) {
    end.to = status::timeout;
    end.error = "timed out after 60 s";
  } else if (fate < 10) {
    end.to = status::failed;
    end.exit_code = 1;
    if (req.store_output)
      end.stderr_text = "Job for app.service failed.\n";
  } else {
    end.to = status::success;
    end.exit_code = 0;
    if (req.store_output)
      end.stdout_text = "restarted\n";
  }
  move(st, t, end, who);
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: bench_http_fill DATA_DIR N SERVERS\n");
    return 2;
  }
  const std::string dir = argv[1];
  const auto n = parse_count(argv[2], "N", 100000000);
  const auto servers = parse_count(argv[3], "SERVERS", 10000);
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_empty(dir, ec))
    fail(dir + " exists and is not empty: give a new directory");
  const auto cfg = config_for(dir);
  const auto started = clock_type::now();
  {
    unsynced_store store{cfg};
    auto& st = *store.st;
    // The admin as tasksd's first start makes it (user 1), with a cheap
    // hash: the bench logs in once.
    require(ensure_bootstrap_admin(st, admin_password,
                                   storage::password_cost::for_tests()),
            "bootstrap admin");
    std::vector<user> owners{
        require(st.find_user(bootstrap_admin_name), "find admin")};
    for (uint64_t u = 1; u <= operator_count; ++u)
      owners.push_back(
          require(st.add_user("operator-" + std::to_string(u), role::operator_,
                              "", origin_of(owners.front())),
                  "add user"));
    for (uint64_t s = 1; s <= servers; ++s) {
      server srv;
      srv.name = "bench-" + std::to_string(s);
      srv.host = "127.0.0.1";
      srv.port = 1; // refused at once: a task against it fails fast
      srv.username = "bench";
      srv.key_file = "/nonexistent";
      require(st.add_server(srv, std::nullopt, origin_of(owners.front())),
              "add server");
    }
    std::mt19937_64 rng{42};
    auto last = clock_type::now();
    for (uint64_t i = 0; i < n; ++i) {
      add_task(st, rng, i, servers, owners);
      if ((i + 1) % 100000 == 0 || i + 1 == n) {
        auto now = clock_type::now();
        std::chrono::duration<double> total = now - started;
        std::chrono::duration<double> step = now - last;
        auto done = (i + 1) % 100000 == 0 ? 100000 : (i + 1) % 100000;
        std::fprintf(stderr,
                     "bench_http_fill: %llu/%llu tasks, %.0f s, %.0f tasks/s"
                     " (last %llu)\n",
                     static_cast<unsigned long long>(i + 1),
                     static_cast<unsigned long long>(n), total.count(),
                     static_cast<double>(done) / step.count(),
                     static_cast<unsigned long long>(done));
        last = now;
      }
    }
    std::chrono::duration<double> took = clock_type::now() - started;
    std::fprintf(
        stderr, "bench_http_fill: loaded %llu tasks in %.1f s (%.0f tasks/s)\n",
        static_cast<unsigned long long>(n), took.count(),
        static_cast<double>(n) / took.count());
    flush(*store.opened.db, dir);
    std::fprintf(stderr,
                 "bench_http_fill: flushed; background work settled after"
                 " %.0f s\n",
                 wait_until_idle());
  }
  std::ofstream marker{dir + "/" + marker_file};
  marker << "tasks=" << n << " servers=" << servers
         << " admin=" << bootstrap_admin_name << '\n';
  if (!marker.flush())
    fail("cannot write " + dir + "/" + marker_file);
  return 0;
}
