// The bare libssh reference loops of the end-to-end bench: threads that run
// `true` over warm sessions (a channel per command) or over a new
// connection per command, with or without TCP_NODELAY.
#pragma once

#include <cstddef>
#include <vector>

#include "e2e_report.hpp"
#include "e2e_ssh_clients.hpp"

namespace tasks::bench {

/// How a libssh loop reaches its sshd.
struct libssh_options {
  /// One session per thread, kept for every command (else a new
  /// connection, handshake and authentication per command).
  bool warm = true;
  bool nodelay = true;
};

/// Runs `n` commands on `threads` threads, thread i on target i % targets
/// (as root with the target's key file); tasks/s and per-command wall time.
/// Warm sessions are opened before the clock starts.
sample run_libssh(const std::vector<ssh_target>& targets, size_t n,
                  size_t threads, libssh_options options);

} // namespace tasks::bench
