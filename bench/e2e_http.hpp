// The real tasksd binary in the end-to-end bench, driven over its REST API:
// tasks created by POST over keep-alive connections, counted done when the
// store says so, timed from the records' own timestamps.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "e2e_report.hpp"
#include "e2e_ssh_clients.hpp"

namespace tasks::test {
class http_client;
class tasksd_process;
} // namespace tasks::test

namespace tasks::bench {

class http_tasksd {
public:
  /// Starts tasksd (`binary`, empty = this build's) with `env` on a fresh
  /// data dir, logs in as admin and registers every target as a server
  /// (root, key file). Failures end the bench (CAF_FAIL).
  http_tasksd(const std::vector<ssh_target>& targets,
              std::map<std::string, std::string> env,
              std::string binary = "");
  ~http_tasksd();

  /// Creates `n` `true` tasks round-robin over the servers from
  /// `connections` parallel keep-alive clients, waits until none is queued
  /// or running, and reads them back: tasks/s is n / (first POST → last
  /// finished_at); queue = created_at → started_at, run = started_at →
  /// finished_at. Failure messages go to `errors` (a few).
  sample run(size_t n, size_t connections, std::vector<std::string>& errors);

  /// Runs `n` tasks one after the other on the first server (idle, warm
  /// session); queue_p50/p99 are created_at → started_at.
  sample queue_to_start(size_t n, std::vector<std::string>& errors);

  /// Registers `target` as one more server; returns its id.
  uint64_t add_server(const ssh_target& target);

  /// Creates `n` `true` tasks on `server_id` from `connections` parallel
  /// clients and returns once every one is accepted (202); the number
  /// refused.
  size_t post(uint64_t server_id, size_t n, size_t connections);

  /// Starts `n` tasks running `command` round-robin over the servers, in
  /// batches of `batch` (so that the sshd instances never see more than
  /// `batch` logins at once), and waits until all of them are running (the
  /// /metrics gauge); false when they are not within a minute.
  bool start_running(size_t n, size_t batch, const std::string& command);

  /// tasksd's resident set size now, in MiB.
  double rss_mib() const;

  /// tasksd's CPU seconds (user + system) so far.
  double cpu_seconds() const;

private:
  std::unique_ptr<test::tasksd_process> proc_;
  std::unique_ptr<test::http_client> http_;
  std::string token_;
  std::vector<uint64_t> servers_;
};

} // namespace tasks::bench
