// The bare libssh reference loops of the end-to-end bench (see .hpp).
#include "e2e_libssh_clients.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include <libssh/libssh.h>

namespace tasks::bench {

namespace {

using clock_type = std::chrono::steady_clock;

struct session_deleter {
  void operator()(ssh_session s) const {
    ssh_disconnect(s);
    ssh_free(s);
  }
};
using session_ptr = std::unique_ptr<ssh_session_struct, session_deleter>;

/// Connects and authenticates as root with the target's key; null on any
/// failure. The host key is not checked: loopback, the bench's own sshd.
session_ptr open_session(const ssh_target& t, bool nodelay) {
  session_ptr s{ssh_new()};
  if (!s)
    return nullptr;
  const unsigned int port = t.port;
  const int delay_off = nodelay ? 1 : 0;
  const bool read_config = false; // ~/.ssh/config must not change the bench
  ssh_options_set(s.get(), SSH_OPTIONS_HOST, "127.0.0.1");
  ssh_options_set(s.get(), SSH_OPTIONS_PORT, &port);
  ssh_options_set(s.get(), SSH_OPTIONS_USER, "root");
  ssh_options_set(s.get(), SSH_OPTIONS_NODELAY, &delay_off);
  ssh_options_set(s.get(), SSH_OPTIONS_PROCESS_CONFIG, &read_config);
  if (ssh_connect(s.get()) != SSH_OK)
    return nullptr;
  ssh_key key = nullptr;
  if (ssh_pki_import_privkey_file(t.key_file.c_str(), nullptr, nullptr,
                                  nullptr, &key)
      != SSH_OK)
    return nullptr;
  const int auth = ssh_userauth_publickey(s.get(), nullptr, key);
  ssh_key_free(key);
  if (auth != SSH_AUTH_SUCCESS)
    return nullptr;
  return s;
}

/// Runs `true` on a new channel of `s`; true when it exited with 0.
bool run_true(ssh_session s) {
  ssh_channel channel = ssh_channel_new(s);
  if (channel == nullptr)
    return false;
  bool ok = false;
  if (ssh_channel_open_session(channel) == SSH_OK) {
    if (ssh_channel_request_exec(channel, "true") == SSH_OK) {
      char buf[256];
      while (ssh_channel_read(channel, buf, sizeof buf, 0) > 0) {
        // `true` prints nothing; drain anyway
      }
      ok = ssh_channel_get_exit_status(channel) == 0;
    }
    ssh_channel_send_eof(channel);
    ssh_channel_close(channel);
  }
  ssh_channel_free(channel);
  return ok;
}

double millis(clock_type::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

} // namespace

sample run_libssh(const std::vector<ssh_target>& targets, size_t n,
                  size_t threads, libssh_options options) {
  std::vector<session_ptr> warm(threads);
  size_t failures = 0;
  if (options.warm)
    for (size_t i = 0; i < threads; ++i)
      if (!(warm[i] = open_session(targets[i % targets.size()], options.nodelay)))
        ++failures;
  std::atomic<size_t> next{0};
  std::atomic<size_t> failed{failures};
  std::vector<std::vector<double>> times(threads);
  const auto before = cpu_now();
  const auto began = clock_type::now();
  std::vector<std::thread> pool;
  for (size_t i = 0; i < threads; ++i)
    pool.emplace_back([&, i] {
      const auto& target = targets[i % targets.size()];
      while (next.fetch_add(1) < n) {
        const auto start = clock_type::now();
        bool ok = false;
        if (options.warm) {
          ok = warm[i] && run_true(warm[i].get());
        } else if (auto s = open_session(target, options.nodelay)) {
          ok = run_true(s.get());
        }
        times[i].push_back(millis(clock_type::now() - start));
        if (!ok)
          ++failed;
      }
    });
  for (auto& t : pool)
    t.join();
  const auto elapsed = clock_type::now() - began;
  const auto after = cpu_now();
  std::vector<double> all;
  for (const auto& ts : times)
    all.insert(all.end(), ts.begin(), ts.end());
  sample s;
  s.tasks = n;
  s.failures = failed;
  s.tasks_per_s = static_cast<double>(n) / std::chrono::duration<double>(elapsed).count();
  s.run_p50 = percentile(all, 0.5);
  s.run_p99 = percentile(all, 0.99);
  set_cpu(s, before, after, true);
  return s;
}

} // namespace tasks::bench
