// The tasksd side of the end-to-end bench: a store with synced writes, the
// execution actors over it, and a run of N `true` tasks through the manager.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/execution.hpp"
#include "e2e_report.hpp"
#include "storage/database.hpp"
#include "storage/store.hpp"

namespace tasks::bench {

/// A store migrated to the current schema in `dir`, writes synced (as in
/// tasksd: durability is never traded in this bench).
class bench_store {
public:
  /// Creates the store; errors are fatal to the bench.
  static caf::expected<std::unique_ptr<bench_store>>
  create(const std::string& dir);

  storage::store& get() { return *st_; }

  /// Registers 127.0.0.1:port as root with a key file; returns its id.
  caf::expected<uint64_t> add_server(const std::string& name, uint16_t port,
                                     const std::string& user,
                                     const std::string& key_file);

private:
  std::unique_ptr<storage::database> db_;
  std::unique_ptr<storage::store> st_;
};

/// One tasksd configuration under test: its actors and its servers.
struct tasksd_target {
  execution exec;
  storage::store* st = nullptr;
  std::vector<uint64_t> servers;
};

/// Submits `n` `true` tasks round-robin over the servers as fast as one
/// scoped actor can, waits until every one is final and measures tasks/s
/// (n / first create → last finished_at) and the latencies from the store
/// records. Messages of failures go to `errors` (a few of them).
sample run_tasks(caf::actor_system& sys, const tasksd_target& target, size_t n,
                 std::vector<std::string>& errors);

} // namespace tasks::bench
