// bench_audit_fill DATA_DIR N: appends varied audit records, unsynced, until
// the store's log holds N, for audit_export_bench.sh. Run it again with a
// larger N to grow the same store.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/uuid.hpp"
#include "storage/store.hpp"
#include "tools/store_setup.hpp"

using namespace tasks;

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "bench_audit_fill: %s\n", what.c_str());
  std::exit(1);
}

template <class T> T require(caf::expected<T> value, const char* what) {
  if (!value)
    fail(std::string{what} + ": " + message_of(value.error()));
  return std::move(*value);
}

/// A record like tasksd's own: mostly task events with a command, some
/// logins; a few fields that CSV has to quote.
audit_event make_event(uint64_t i, const task_id& task) {
  audit_event e;
  static const char* actions[]
      = {"task.create", "task.start", "task.finish", "auth.login"};
  e.action = actions[i % 4];
  e.user_id = 1 + i % 5;
  e.username = "operator-" + std::to_string(1 + i % 5);
  e.client_ip = "10.0." + std::to_string(i % 7) + "." + std::to_string(i % 250);
  e.user_agent = i % 3 == 0 ? "curl/8.4.0" : "tasksd-web/1.0 (X11; Linux)";
  if (i % 4 != 3) {
    e.task = task;
    e.server_id = 1 + i % 10;
    e.command_preview = "systemctl restart \"app-" + std::to_string(i % 50)
                        + ".service\", then check";
    e.metadata = audit_metadata{}
                     .add("timeout", 60)
                     .add("store_output", i % 10 == 0)
                     .add("exit_code", 0)
                     .add("duration_ms", static_cast<int64_t>(i % 5000))
                     .str();
  }
  return e;
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: bench_audit_fill DATA_DIR N\n");
    return 2;
  }
  const std::string dir = argv[1];
  char* end = nullptr;
  const auto n = std::strtoull(argv[2], &end, 10);
  if (*end != '\0' || n == 0)
    fail("N must be a positive number");
  auto cfg = require(load_config({{"TASKS_DATA_DIR", dir}}, {}), "config");
  auto started = std::chrono::steady_clock::now();
  uint64_t from = 0;
  {
    // As bench_http_fill: open as tasksd does, then bind a second store
    // object that writes unsynced (only a bulk load may).
    auto opened
        = require(open_store(cfg, storage::open_mode::primary), "open store");
    opened.st.reset();
    auto master = require(storage::load_master_key(cfg.vault_key_file, false),
                          "vault key");
    storage::store_options options;
    options.sync_writes = false;
    auto st = require(storage::store::open(*opened.db, master, options),
                      "open unsynced store");
    from = require(st->head(), "head").seq;
    auto task = new_task_id();
    for (uint64_t i = from; i < n; ++i) {
      if (i % 3 == 0)
        task = new_task_id();
      if (auto err = st->append_audit(make_event(i, task)))
        fail("append: " + message_of(err));
    }
    st.reset();
    // A checkpoint flushes every memtable, so that a reader does not replay
    // the load from the WAL; the checkpoint itself is thrown away.
    auto target = std::filesystem::path{dir}.lexically_normal();
    if (!target.has_filename())
      target = target.parent_path();
    target += ".flush-checkpoint";
    std::error_code ignored;
    std::filesystem::remove_all(target, ignored);
    if (auto err = opened.db->checkpoint(target.string()))
      fail("flush: " + message_of(err));
    std::filesystem::remove_all(target, ignored);
  }
  std::chrono::duration<double> took
      = std::chrono::steady_clock::now() - started;
  std::fprintf(stderr, "bench_audit_fill: %llu records (%llu new) in %.1f s\n",
               static_cast<unsigned long long>(n),
               static_cast<unsigned long long>(n > from ? n - from : 0),
               took.count());
  return 0;
}
