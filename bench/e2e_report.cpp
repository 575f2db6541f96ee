// Statistics, CPU clocks and the table of the end-to-end bench.
#include "e2e_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <sstream>

#include <sys/resource.h>
#include <unistd.h>

namespace tasks::bench {

namespace {

double seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

double rusage_seconds(int who) {
  rusage ru{};
  ::getrusage(who, &ru);
  return seconds(ru.ru_utime) + seconds(ru.ru_stime);
}

/// user + nice + system + irq + softirq + steal of the "cpu" line.
double machine_busy_seconds() {
  std::ifstream in{"/proc/stat"};
  std::string cpu;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0,
         softirq = 0, steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq
      >> steal;
  static const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return (user + nice + system + irq + softirq + steal) / ticks;
}

/// One process from /proc/<pid>/stat; CPU in seconds.
struct proc_entry {
  long pid = 0;
  long ppid = 0;
  std::string comm;
  double own = 0;      // utime + stime
  double children = 0; // cutime + cstime: its waited-for descendants
};

/// /proc/<pid>/stat; nullopt when the process is gone.
std::optional<proc_entry> read_proc(long pid) {
  static const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string text;
  if (!std::getline(in, text))
    return std::nullopt;
  const auto open = text.find('(');
  const auto close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos)
    return std::nullopt;
  proc_entry p;
  p.pid = pid;
  p.comm = text.substr(open + 1, close - open - 1);
  std::istringstream rest{text.substr(close + 1)};
  std::string field;
  double utime = 0, stime = 0, cutime = 0, cstime = 0;
  // Fields 3… of proc(5): state ppid … utime(14) stime cutime cstime.
  for (int i = 3; i <= 17 && rest >> field; ++i) {
    if (i == 4)
      p.ppid = std::stol(field);
    else if (i == 14)
      utime = std::stod(field);
    else if (i == 15)
      stime = std::stod(field);
    else if (i == 16)
      cutime = std::stod(field);
    else if (i == 17)
      cstime = std::stod(field);
  }
  p.own = (utime + stime) / ticks;
  p.children = (cutime + cstime) / ticks;
  return p;
}

std::vector<proc_entry> processes() {
  std::vector<proc_entry> result;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator{"/proc", ec}) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos)
      continue;
    if (auto p = read_proc(std::stol(name)))
      result.push_back(std::move(*p));
  }
  return result;
}

/// Own and reaped-children CPU of every live process in the trees below
/// this process's `sshd` children: a process that exits moves its time into
/// its parent's children time, so the sum only grows.
double sshd_seconds(const std::vector<proc_entry>& all) {
  std::set<long> tree;
  const long self = ::getpid();
  for (const auto& p : all)
    if (p.ppid == self && p.comm == "sshd")
      tree.insert(p.pid);
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& p : all)
      if (tree.count(p.ppid) > 0 && tree.insert(p.pid).second)
        grew = true;
  }
  double sum = 0;
  for (const auto& p : all)
    if (tree.count(p.pid) > 0)
      sum += p.own + p.children;
  return sum;
}

double marked_seconds(const std::vector<proc_entry>& all,
                      const std::string& marker) {
  if (marker.empty())
    return 0;
  double sum = 0;
  for (const auto& p : all) {
    if (p.comm != "ssh")
      continue;
    std::ifstream in{"/proc/" + std::to_string(p.pid) + "/cmdline"};
    std::string args{std::istreambuf_iterator<char>{in}, {}};
    if (args.find(marker) != std::string::npos)
      sum += p.own + p.children;
  }
  return sum;
}

std::string fixed(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

/// Median over rounds of one field of the samples.
template <class F> double median_of(const mode& m, F field) {
  std::vector<double> xs;
  for (const auto& s : m.samples)
    xs.push_back(field(s));
  return median(xs);
}

/// Median over rounds of m's tasks/s divided by the reference's.
std::string ratio(const mode& m, const mode* ref) {
  if (ref == nullptr)
    return "–";
  std::vector<double> xs;
  for (size_t i = 0; i < m.samples.size() && i < ref->samples.size(); ++i)
    if (ref->samples[i].tasks_per_s > 0)
      xs.push_back(m.samples[i].tasks_per_s / ref->samples[i].tasks_per_s);
  return xs.empty() ? "–" : fixed(median(xs), 2) + "×";
}

} // namespace

double process_cpu_seconds(long pid) {
  auto p = read_proc(pid);
  return p ? p->own : 0;
}

cpu_clock cpu_now(const std::string& marker) {
  const auto all = processes();
  return {machine_busy_seconds(), rusage_seconds(RUSAGE_SELF),
          rusage_seconds(RUSAGE_CHILDREN), sshd_seconds(all),
          marked_seconds(all, marker)};
}

void set_cpu(sample& s, const cpu_clock& before, const cpu_clock& after,
             bool client_is_self) {
  if (s.tasks == 0)
    return;
  const auto per_task = 1000.0 / static_cast<double>(s.tasks);
  s.machine_cpu_ms = (after.machine - before.machine) * per_task;
  s.sshd_cpu_ms = (after.sshd - before.sshd) * per_task;
  s.client_cpu_ms
      = client_is_self
            ? (after.self - before.self) * per_task
            : (after.children - before.children + after.extra - before.extra)
                  * per_task;
}

double percentile(std::vector<double> xs, double p) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  auto rank
      = static_cast<size_t>(std::ceil(p * static_cast<double>(xs.size())));
  return xs[std::clamp<size_t>(rank, 1, xs.size()) - 1];
}

double median(std::vector<double> xs) {
  if (xs.empty())
    return 0;
  std::sort(xs.begin(), xs.end());
  const auto n = xs.size();
  return n % 2 == 1 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
}

std::string describe(const mode& m, const sample& s) {
  std::ostringstream out;
  out << "  (" << m.key << ") " << m.label << ": " << s.tasks << " tasks, "
      << fixed(s.tasks_per_s, 1) << " tasks/s";
  if (s.queue_p50 >= 0)
    out << ", queue→finish p50 " << fixed(s.queue_p50, 1) << " / p99 "
        << fixed(s.queue_p99, 1) << " ms";
  out << ", run p50 " << fixed(s.run_p50, 1) << " / p99 " << fixed(s.run_p99, 1)
      << " ms, CPU ms/task: client " << fixed(s.client_cpu_ms, 2) << ", sshd "
      << fixed(s.sshd_cpu_ms, 2) << ", machine " << fixed(s.machine_cpu_ms, 2);
  if (s.changes_per_write >= 0)
    out << ", " << fixed(s.changes_per_write, 1)
        << " state changes per synced write";
  if (s.failures > 0)
    out << ", " << s.failures << " did not succeed";
  return out.str();
}

std::string table(const std::vector<mode>& modes,
                  const std::vector<std::string>& versus) {
  std::vector<const mode*> refs;
  for (const auto& key : versus)
    for (const auto& m : modes)
      if (m.key == key)
        refs.push_back(&m);
  std::ostringstream out;
  out << "| mode | tasks/round | tasks/s | queue→finish p50 / p99 ms"
         " | run p50 / p99 ms | CPU ms/task: client / sshd / machine";
  for (const auto* r : refs)
    out << " | × (" << r->key << ")";
  out << " |\n|---|---:|---:|---:|---:|---:";
  for (size_t i = 0; i < refs.size(); ++i)
    out << "|---:";
  out << "|\n";
  for (const auto& m : modes) {
    if (m.samples.empty())
      continue;
    auto get = [&](auto field) { return median_of(m, field); };
    out << "| (" << m.key << ") " << m.label << " | " << m.samples.front().tasks
        << " | " << fixed(get([](const sample& s) { return s.tasks_per_s; }), 1)
        << " | ";
    if (m.samples.front().queue_p50 >= 0)
      out << fixed(get([](const sample& s) { return s.queue_p50; }), 1) << " / "
          << fixed(get([](const sample& s) { return s.queue_p99; }), 1);
    else
      out << "–";
    out << " | " << fixed(get([](const sample& s) { return s.run_p50; }), 1)
        << " / " << fixed(get([](const sample& s) { return s.run_p99; }), 1)
        << " | "
        << fixed(get([](const sample& s) { return s.client_cpu_ms; }), 2)
        << " / " << fixed(get([](const sample& s) { return s.sshd_cpu_ms; }), 2)
        << " / "
        << fixed(get([](const sample& s) { return s.machine_cpu_ms; }), 1);
    for (const auto* r : refs)
      out << " | " << ratio(m, r);
    out << " |\n";
  }
  return out.str();
}

} // namespace tasks::bench
