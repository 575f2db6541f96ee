// The settings of the execution actors, taken from the configuration.
#pragma once

#include <chrono>
#include <cstdint>

#include "core/config.hpp"

namespace tasks {

/// How tasks are queued and run.
struct execution_config {
  uint32_t num_workers = 4;
  uint32_t max_queued = 10000;
  uint32_t concurrent_per_server = 1;
  uint64_t output_max_bytes = 65536;
  host_key_policy host_keys = host_key_policy::tofu;
  std::chrono::seconds connect_timeout{10};
  /// How long running tasks may finish on shutdown before they are
  /// cancelled (SPEC §5).
  std::chrono::seconds drain_grace{10};
  /// Warm sessions are lent to the next task of the same server; an idle
  /// one is closed after this long.
  bool reuse_sessions = true;
  std::chrono::seconds session_idle{60};

  /// The settings of a validated configuration.
  static execution_config from(const config& cfg) {
    execution_config result;
    result.num_workers = cfg.num_workers;
    result.max_queued = cfg.max_queued;
    result.concurrent_per_server = cfg.concurrent_per_server;
    result.output_max_bytes = cfg.output_max_bytes;
    result.host_keys = cfg.host_keys;
    result.connect_timeout = std::chrono::seconds{cfg.ssh_connect_timeout};
    result.session_idle = std::chrono::seconds{cfg.ssh_idle_timeout};
    return result;
  }
};

} // namespace tasks
