// Synced task creates through the storage actor from concurrent senders:
// tasks/s and the synced writes that carried them (group commit, issue 7).
// TASKS_BENCH_TASKS creates per row (default 2000); rows for 1, 4, 16 and
// 64 senders, each sender waiting for every answer as an HTTP client does.
#include <caf/all.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "actors/storage_actor.hpp"
#include "actors/task_metrics.hpp"
#include "core/error.hpp"
#include "storage/database.hpp"
#include "storage/keys.hpp"
#include "storage/store.hpp"

using namespace tasks;
using namespace tasks::storage;

namespace {

size_t tasks_per_row() {
  const char* env = std::getenv("TASKS_BENCH_TASKS");
  auto parsed = env != nullptr ? std::strtoull(env, nullptr, 10) : 0;
  return parsed > 0 ? static_cast<size_t>(parsed) : size_t{2000};
}

/// A migrated store with one server in a temporary directory.
struct bench_store {
  std::string dir;
  std::unique_ptr<database> db;
  std::unique_ptr<store> st;

  bench_store() {
    std::string tmpl
        = std::filesystem::temp_directory_path() / "tasksd-actor-bench-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr)
      fail("mkdtemp failed");
    dir = tmpl;
    auto opened = database::open(dir + "/data", open_mode::primary);
    if (!opened)
      fail(message_of(opened.error()));
    db = std::move(*opened);
    write_batch batch{*db};
    batch.put(cf::meta, keys::meta::schema_version, std::string{"\0\0\0\1", 4});
    if (auto err = db->write(batch))
      fail(message_of(err));
    auto s = store::open(*db, secret_key::random());
    if (!s)
      fail(message_of(s.error()));
    st = std::move(*s);
    server srv;
    srv.name = "srv-1";
    srv.host = "10.0.1.1";
    srv.username = "deploy";
    srv.key_file = "/etc/tasksd/id_ed25519";
    if (auto added = st->add_server(srv, std::nullopt, audit_origin{}); !added)
      fail(message_of(added.error()));
  }

  ~bench_store() {
    st.reset();
    db.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }

  [[noreturn]] static void fail(const std::string& what) {
    std::fprintf(stderr, "bench_storage_actor: %s\n", what.c_str());
    std::exit(2);
  }
};

struct row {
  size_t senders = 0;
  size_t tasks = 0;
  size_t failed = 0;
  double seconds = 0;
  uint64_t writes = 0;
};

/// `tasks` creates spread over `senders` threads, each waiting for its
/// answer before it sends the next.
row run(caf::actor_system& sys, storage_actor storage, store& st,
        size_t senders, size_t tasks) {
  std::vector<size_t> failed(senders, 0);
  auto writes_before = st.writes();
  auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (size_t s = 0; s < senders; ++s)
    threads.emplace_back([&, s] {
      caf::scoped_actor self{sys};
      new_task req;
      req.server_id = 1;
      req.user_id = 1;
      req.command = "true";
      req.timeout_seconds = 60;
      for (size_t i = s; i < tasks; i += senders)
        self->request(storage, std::chrono::seconds(60), create_atom::value,
                      req, audit_origin{})
            .receive([](task&) {}, [&](caf::error&) { ++failed[s]; });
    });
  for (auto& t : threads)
    t.join();
  row r;
  r.senders = senders;
  r.tasks = tasks;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now()
                                            - started)
                  .count();
  r.writes = st.writes() - writes_before;
  for (auto n : failed)
    r.failed += n;
  return r;
}

} // namespace

int main() {
  bench_store fx;
  auto tasks = tasks_per_row();
  std::vector<row> rows;
  {
    caf::actor_system_config cfg;
    caf::actor_system sys{cfg};
    auto storage = sys.spawn<caf::detached>(
        storage_service, fx.st.get(), execution_config{},
        static_cast<task_metrics*>(nullptr));
    for (size_t senders : {1, 4, 16, 64})
      rows.push_back(run(sys, storage, *fx.st, senders, tasks));
    caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
  }
  std::printf(
      "| senders | creates | failed | seconds | creates/s | synced "
      "writes | creates/write |\n|---:|---:|---:|---:|---:|---:|---:|\n");
  size_t failed = 0;
  for (const auto& r : rows) {
    failed += r.failed;
    std::printf("| %zu | %zu | %zu | %.2f | %.0f | %llu | %.1f |\n", r.senders,
                r.tasks, r.failed, r.seconds,
                static_cast<double>(r.tasks) / r.seconds,
                static_cast<unsigned long long>(r.writes),
                r.writes > 0 ? static_cast<double>(r.tasks)
                                   / static_cast<double>(r.writes)
                             : 0.0);
  }
  return failed == 0 ? 0 : 1;
}
