// The OpenSSH reference clients of the end-to-end bench: `ssh … true` run
// by a pool of parallel fork/exec workers, plain or through a ControlMaster.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "e2e_report.hpp"

namespace tasks::bench {

/// One sshd to run `true` on, as root with a key file.
struct ssh_target {
  uint16_t port = 0;
  std::string key_file;
};

/// Builds `ssh` command lines; with a control directory, every command goes
/// through the ControlMaster of its sshd (socket `<dir>/cm-<port>`).
class ssh_client {
public:
  /// `log_file` receives the stderr of every ssh process.
  ssh_client(std::vector<ssh_target> targets,
             std::optional<std::string> control_dir, std::string log_file);

  /// Runs `n` commands, spread round-robin over the targets, `parallel` at
  /// a time; a sample of tasks/s and per-command wall time.
  sample run(size_t n, size_t parallel) const;

  /// Runs one command per target, one after the other, untimed: with a
  /// control directory this starts (or reuses) each master. Returns the
  /// number of failed commands.
  size_t warm_up() const;

  /// Asks each master to exit (`ssh -O exit`); no-op without masters.
  void stop_masters() const;

private:
  std::vector<std::string> argv_for(const ssh_target& t,
                                    const std::vector<std::string>& tail) const;

  std::vector<ssh_target> targets_;
  std::optional<std::string> control_dir_;
  std::string log_file_;
};

} // namespace tasks::bench
