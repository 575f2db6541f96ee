// Measurements of the end-to-end bench: one sample per mode and round, the
// CPU clocks around a run, and the table of medians.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace tasks::bench {

/// What one mode measured in one round. Latencies in milliseconds.
struct sample {
  size_t tasks = 0;
  size_t failures = 0;
  double tasks_per_s = 0;
  /// created_at → finished_at (tasksd modes only; negative when absent);
  /// created_at → started_at in the queue-to-start probe.
  double queue_p50 = -1;
  double queue_p99 = -1;
  /// started_at → finished_at for tasksd, a command's wall time for ssh.
  double run_p50 = 0;
  double run_p99 = 0;
  /// CPU per task of the client: this process for tasksd modes, the ssh
  /// processes (and their ControlMasters) for the OpenSSH modes.
  double client_cpu_ms = 0;
  /// CPU per task of the bench's sshd instances and all their children.
  double sshd_cpu_ms = 0;
  /// Busy CPU per task of the whole machine, other users' work included.
  double machine_cpu_ms = 0;
  /// tasksd over HTTP: task state changes per synced store write (group
  /// commit at work); negative when not measured.
  double changes_per_write = -1;
};

/// A mode of the bench and its samples, one per round.
struct mode {
  std::string key;   // "a", "b", …
  std::string label; // shown in the table
  std::vector<sample> samples;
};

/// CPU seconds consumed so far.
struct cpu_clock {
  double machine = 0;  // busy time of all CPUs (/proc/stat)
  double self = 0;     // this process (getrusage)
  double children = 0; // waited-for children (getrusage)
  double sshd = 0;     // the sshd children of this process, whole trees
  double extra = 0;    // processes whose command line holds a marker
};

/// Reads the CPU clocks now; `extra` sums the processes whose command line
/// contains `marker` (the ControlMasters, which no one here waits for).
cpu_clock cpu_now(const std::string& marker = {});

/// CPU seconds (user + system) of process `pid` so far; 0 when it is gone.
double process_cpu_seconds(long pid);

/// Fills the CPU fields of `s` from the clocks around its run. The client
/// is this process (true) or its children plus the marked processes.
void set_cpu(sample& s, const cpu_clock& before, const cpu_clock& after,
             bool client_is_self);

/// Nearest-rank percentile, p in (0, 1]; 0 for an empty set.
double percentile(std::vector<double> xs, double p);

/// The median; 0 for an empty set.
double median(std::vector<double> xs);

/// One line per sample, printed as rounds go by.
std::string describe(const mode& m, const sample& s);

/// The table of medians as Markdown, with a column of ratios to each mode
/// of `versus` (by key). Ratios are medians of the per-round ratios of
/// tasks/s, so drift between rounds cancels out.
std::string table(const std::vector<mode>& modes,
                  const std::vector<std::string>& versus);

} // namespace tasks::bench
