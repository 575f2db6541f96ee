// What every route handler needs: the actor system, the actors it talks
// to, the configuration and the counters.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

#include "actors/deadline_queue.hpp"
#include "actors/interfaces.hpp"
#include "core/config.hpp"
#include "http/reply.hpp"

namespace tasks {
class shared_token_cache;
class task_metrics;
} // namespace tasks

namespace tasks::storage {
class store;
} // namespace tasks::storage

namespace tasks::http {

class metrics;

/// Handles and settings shared by the routes; lives as long as the server.
struct api_context {
  caf::actor_system& sys;
  const config& cfg;
  rbac_actor rbac;
  task_manager_actor manager;
  /// The writer: every state change goes through it.
  storage_actor storage;
  /// Read-only replicas of the storage actor over the same store, so long
  /// reads (lists, audit queries) never wait behind a synced write.
  std::vector<storage_actor> readers;
  metrics& counters;
  const task_metrics& tasks;
  /// Answers 503 `busy` for a request its actors have not answered within
  /// timeouts::http (run_async arms it; the actor requests themselves carry
  /// no CAF timeout).
  deadline_queue& deadlines;
  /// Set on SIGTERM: new requests that would start work get 503.
  std::atomic<bool> draining{false};
  /// Requests in flight, and the switch that ends all sends.
  reply_gate gate{};
  std::atomic<uint64_t> next_reader{0};
  /// The methods registered per route pattern, for JSON 405 answers.
  std::map<std::string, std::vector<std::string>> methods_by_route{};
  /// The rbac actor's token cache, read on the HTTP threads so a cached
  /// token needs no message; null: every request asks the rbac actor.
  std::shared_ptr<const shared_token_cache> tokens{};
  /// The store, for point reads on the HTTP threads (its reads are
  /// thread-safe); null: every read goes to a storage reader.
  storage::store* store = nullptr;

  /// The next reader, round robin.
  storage_actor reader() {
    if (readers.empty())
      return storage;
    return readers[next_reader.fetch_add(1, std::memory_order_relaxed)
                   % readers.size()];
  }
};

} // namespace tasks::http
