// Google Benchmark of the task store: create (alone and group-committed),
// transition and get a task, and the server+status list on a small and a
// big store (TASKS_BENCH_TASKS).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "core/error.hpp"
#include "storage/database.hpp"
#include "storage/keys.hpp"
#include "storage/store.hpp"

using namespace tasks;
using namespace tasks::storage;

namespace {

using clock_type = std::chrono::steady_clock;

constexpr uint64_t server_count = 10;
constexpr uint64_t user_count = 20;
constexpr size_t page_size = 100;
/// Offsets rotate through 0, 100, …, 900 (as far as the small store has
/// full pages, so both sizes run the same queries).
constexpr size_t max_pages = 10;
/// Task ids kept for get_task, spread evenly over the load.
constexpr size_t sample_size = 10000;

/// Tasks in the big store: TASKS_BENCH_TASKS, 1,000,000 by default.
size_t big_size() {
  static const size_t n = [] {
    const char* env = std::getenv("TASKS_BENCH_TASKS");
    auto parsed = env != nullptr ? std::strtoull(env, nullptr, 10) : 0;
    return parsed > 0 ? static_cast<size_t>(parsed) : size_t{1000000};
  }();
  return n;
}

/// Tasks in the small store: a hundredth of the big one, at least 100.
size_t small_size() {
  return std::max(size_t{100}, big_size() / 100);
}

/// A failed setup step: a bench on a broken store lies, so the run ends.
struct setup_failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void require(const caf::error& err, const char* what) {
  if (err)
    throw setup_failure{std::string{what} + ": " + message_of(err)};
}

template <class T> T require(caf::expected<T> value, const char* what) {
  if (!value)
    require(value.error(), what);
  return std::move(*value);
}

/// The request of the i-th task: a random server and owner.
new_task make_request(std::mt19937_64& rng, size_t i) {
  new_task req;
  req.server_id = 1 + rng() % server_count;
  req.user_id = 1 + rng() % user_count;
  req.command = "systemctl restart app-" + std::to_string(i % 50) + ".service";
  req.timeout_seconds = 60;
  return req;
}

audit_origin origin_of(uint64_t user_id) {
  return {user_id, "user-" + std::to_string(user_id), "10.0.0.7", "bench"};
}

/// Waits until RocksDB's background flushes and compactions after a load
/// are done (the process is idle), so that they do not run during the
/// timed loops; returns the seconds waited.
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

/// A fresh temporary directory, removed with the object.
struct temp_dir {
  std::string path;
  temp_dir() {
    std::string tmpl
        = std::filesystem::temp_directory_path() / "tasksd-store-bench-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr)
      throw setup_failure{"mkdtemp failed"};
    path = tmpl;
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

/// A bulk-loaded store in a temporary directory, removed with the object.
struct loaded_store {
  temp_dir tmp;
  secret_key master = secret_key::random();
  std::unique_ptr<database> db;
  std::unique_ptr<store> st;
  bool synced = false;
  std::mt19937_64 rng{42};
  /// Ids spread evenly over the load, for get_task.
  std::vector<task_id> sample;
  /// Tasks left queued, consumed by the transition bench.
  std::vector<task_id> queued;
  /// Full server+success pages that every server has.
  size_t full_pages = 0;

  explicit loaded_store(size_t tasks) {
    db = require(database::open(tmp.path + "/data", open_mode::primary),
                 "open database");
    write_batch batch{*db};
    batch.put(cf::meta, keys::meta::schema_version, std::string{"\0\0\0\1", 4});
    require(db->write(batch), "write schema version");
    auto started = clock_type::now();
    load(tasks);
    std::chrono::duration<double> took = clock_type::now() - started;
    std::fprintf(stderr, "loaded %zu tasks in %.1f s (%.0f tasks/s)\n", tasks,
                 took.count(), static_cast<double>(tasks) / took.count());
    std::fprintf(stderr, "background work settled after %.0f s\n",
                 wait_until_idle());
  }

  ~loaded_store() {
    st.reset();
    db.reset();
  }

  /// The store, reopened if it does not write with `sync` already.
  store& use(bool sync) {
    if (!st || synced != sync) {
      st.reset();
      store_options options;
      options.sync_writes = sync;
      st = require(store::open(*db, master, options), "open store");
      synced = sync;
    }
    return *st;
  }

  void move(const task_id& id, status to) {
    task_transition change;
    change.to = to;
    if (to == status::success || to == status::failed)
      change.exit_code = to == status::success ? 0 : 1;
    require(st->transition_task(id, change, audit_origin{}), "transition");
  }

  /// Users, servers and `tasks` tasks: 88% success, 10% failed, 1% left
  /// running, 1% left queued. Unsynced: the only use of that knob.
  void load(size_t tasks) {
    use(false);
    for (uint64_t u = 1; u <= user_count; ++u)
      require(st->add_user("user-" + std::to_string(u),
                           u == 1 ? role::admin : role::operator_, "",
                           audit_origin{}),
              "add user");
    for (uint64_t s = 1; s <= server_count; ++s) {
      server srv;
      srv.name = "srv-" + std::to_string(s);
      srv.host = "10.0.1." + std::to_string(s);
      srv.port = 22;
      srv.username = "deploy";
      srv.key_file = "/etc/tasksd/id_ed25519";
      require(st->add_server(srv, std::nullopt, origin_of(1)), "add server");
    }
    std::vector<size_t> successes(server_count + 1, 0);
    auto stride = std::max(size_t{1}, tasks / sample_size);
    for (size_t i = 0; i < tasks; ++i) {
      auto req = make_request(rng, i);
      auto t = require(st->create_task(req, origin_of(req.user_id)), "create");
      if (i % stride == 0)
        sample.push_back(t.id);
      auto fate = rng() % 100;
      if (fate == 0) {
        queued.push_back(t.id);
        continue;
      }
      move(t.id, status::running);
      if (fate == 1)
        continue;
      move(t.id, fate < 12 ? status::failed : status::success);
      if (fate >= 12)
        ++successes[t.server_id];
    }
    auto fewest = *std::min_element(successes.begin() + 1, successes.end());
    full_pages = std::min(max_pages, fewest / page_size);
  }
};

/// The process-wide stores by size. main() closes them: RocksDB's own
/// statics are gone by the time static destructors would run.
std::map<size_t, std::unique_ptr<loaded_store>> stores;

/// The store of `tasks` tasks, loaded on first use.
loaded_store& loaded(size_t tasks) {
  auto& entry = stores[tasks];
  if (!entry)
    entry = std::make_unique<loaded_store>(tasks);
  return *entry;
}

/// The nearest-rank q-quantile of `samples` (sorts them).
double percentile(std::vector<double>& samples, double q) {
  if (samples.empty())
    return 0;
  std::sort(samples.begin(), samples.end());
  auto rank = static_cast<size_t>(std::ceil(q * samples.size()));
  return samples[std::max(rank, size_t{1}) - 1];
}

/// Creates one task per iteration on the big store.
void create_task_bench(benchmark::State& state, bool sync) {
  auto& fx = loaded(big_size());
  auto& st = fx.use(sync);
  size_t i = 0;
  for (auto _ : state) {
    auto req = make_request(fx.rng, i++);
    auto t = st.create_task(req, origin_of(req.user_id));
    if (!t) {
      state.SkipWithError(message_of(t.error()).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

/// The real cost of a create: the batch plus the fsync'd WAL.
void BM_create_task_synced(benchmark::State& state) {
  create_task_bench(state, true);
}

/// For reference: how much of a create is the fsync.
void BM_create_task_unsynced(benchmark::State& state) {
  create_task_bench(state, false);
}

/// Group commit: range(0) creates staged, then one synced write for all of
/// them, as the storage actor does with requests that arrive together.
void BM_create_task_grouped(benchmark::State& state) {
  auto& fx = loaded(big_size());
  auto& st = fx.use(true);
  auto group = static_cast<size_t>(state.range(0));
  size_t i = 0;
  for (auto _ : state) {
    for (size_t n = 0; n < group; ++n) {
      auto req = make_request(fx.rng, i++);
      auto t = st.stage_create_task(req, origin_of(req.user_id));
      if (!t) {
        state.SkipWithError(message_of(t.error()).c_str());
        return;
      }
    }
    if (auto err = st.commit_group()) {
      state.SkipWithError(message_of(err).c_str());
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

/// queued → running on tasks the load left queued (more made untimed).
void BM_transition_task_synced(benchmark::State& state) {
  auto& fx = loaded(big_size());
  auto& st = fx.use(true);
  task_transition start;
  start.to = status::running;
  for (auto _ : state) {
    if (fx.queued.empty()) {
      state.PauseTiming();
      for (size_t i = 0; i < page_size; ++i) {
        auto req = make_request(fx.rng, i);
        fx.queued.push_back(
            require(st.create_task(req, origin_of(req.user_id)), "create").id);
      }
      state.ResumeTiming();
    }
    auto id = fx.queued.back();
    fx.queued.pop_back();
    auto t = st.transition_task(id, start, audit_origin{});
    if (!t) {
      state.SkipWithError(message_of(t.error()).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

/// list_tasks(server, success, limit 100) on the store of range(0) tasks;
/// server and offset rotate so that no single page stays hot.
void BM_list_server_status(benchmark::State& state) {
  auto& fx = loaded(static_cast<size_t>(state.range(0)));
  auto pages = std::max(size_t{1}, loaded(small_size()).full_pages);
  auto& st = *fx.st;
  task_filter filter;
  filter.state = status::success;
  filter.limit = page_size;
  // Latencies in µs by page, so that the cost of the offset shows.
  std::vector<std::vector<double>> by_page(pages);
  size_t i = 0;
  size_t listed = 0;
  for (auto _ : state) {
    auto page = i / server_count % pages;
    filter.server_id = 1 + i % server_count;
    filter.offset = page_size * page;
    ++i;
    auto started = clock_type::now();
    auto tasks = st.list_tasks(filter);
    std::chrono::duration<double, std::micro> took
        = clock_type::now() - started;
    by_page[page].push_back(took.count());
    if (!tasks) {
      state.SkipWithError(message_of(tasks.error()).c_str());
      break;
    }
    listed += tasks->size();
  }
  std::vector<double> all;
  for (const auto& samples : by_page)
    all.insert(all.end(), samples.begin(), samples.end());
  state.SetItemsProcessed(static_cast<int64_t>(listed));
  state.counters["p50_us"] = percentile(all, 0.50);
  state.counters["p99_us"] = percentile(all, 0.99);
  state.counters["pages"] = static_cast<double>(pages);
  state.counters["p50_first_page_us"] = percentile(by_page.front(), 0.50);
  state.counters["p50_last_page_us"] = percentile(by_page.back(), 0.50);
}

/// For reference: one task by a random id of the store of range(0) tasks.
void BM_get_task(benchmark::State& state) {
  auto& fx = loaded(static_cast<size_t>(state.range(0)));
  auto& st = *fx.st;
  std::uniform_int_distribution<size_t> pick(0, fx.sample.size() - 1);
  for (auto _ : state) {
    auto t = st.get_task(fx.sample[pick(fx.rng)]);
    if (!t) {
      state.SkipWithError(message_of(t.error()).c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

/// Microseconds of real time (fsync waits cost no CPU but are the point),
/// at least a second per benchmark.
void configure(benchmark::internal::Benchmark* b) {
  b->Unit(benchmark::kMicrosecond)->MinTime(1.0)->UseRealTime();
}

/// As configure, once on the small and once on the big store.
void configure_sizes(benchmark::internal::Benchmark* b) {
  configure(b);
  b->Arg(static_cast<int64_t>(small_size()));
  b->Arg(static_cast<int64_t>(big_size()));
}

} // namespace

BENCHMARK(BM_create_task_synced)->Apply(configure);
BENCHMARK(BM_create_task_unsynced)->Apply(configure);
BENCHMARK(BM_create_task_grouped)
    ->Apply(configure)
    ->Arg(1)
    ->Arg(16)
    ->Arg(64)
    ->Arg(256);
BENCHMARK(BM_transition_task_synced)->Apply(configure);
BENCHMARK(BM_list_server_status)->Apply(configure_sizes);
BENCHMARK(BM_get_task)->Apply(configure_sizes);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return EXIT_FAILURE;
  auto result = EXIT_SUCCESS;
  try {
    benchmark::RunSpecifiedBenchmarks();
  } catch (const setup_failure& failure) {
    std::fprintf(stderr, "%s\n", failure.what());
    result = EXIT_FAILURE;
  }
  benchmark::Shutdown();
  stores.clear();
  return result;
}
