// The real tasksd binary in the end-to-end bench (see e2e_http.hpp).
#include "e2e_http.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <optional>
#include <thread>

#include <caf/test/unit_test.hpp>
#include <rapidjson/document.h>

#include "support/http_client.hpp"
#include "support/tasksd_process.hpp"

namespace tasks::bench {

namespace {

using namespace std::chrono_literals;
using test::bearer;
using test::http_client;

rapidjson::Document parse(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.c_str(), body.size());
  if (doc.HasParseError() || !doc.IsObject())
    CAF_FAIL("tasksd answered with something other than a JSON object: "
             << body.substr(0, 200));
  return doc;
}

/// Epoch seconds of the API's `YYYY-MM-DDTHH:MM:SS.mmmZ`; -1 otherwise.
double seconds_of(const rapidjson::Value& v) {
  if (!v.IsString())
    return -1;
  std::tm tm{};
  int millis = 0;
  if (std::sscanf(v.GetString(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year,
                  &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
                  &millis)
      != 7)
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<double>(::timegm(&tm)) + millis / 1000.0;
}

/// `seconds` (epoch) as the API's time format, rounded down to the ms.
std::string iso_of(double seconds) {
  const auto whole = static_cast<std::time_t>(seconds);
  std::tm tm{};
  ::gmtime_r(&whole, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec,
                static_cast<int>((seconds - static_cast<double>(whole)) * 1000));
  return text;
}

double now_seconds() {
  return std::chrono::duration<double>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

http_client client_on(uint16_t port) {
  http_client c{port};
  c.set_close_wait(0ms);
  c.set_timeout(60s);
  return c;
}

/// Whether any task has `status` (GET /api/tasks?status=…&limit=1: the
/// page's `count` is 0 or 1).
bool any_in(http_client& c, const std::string& token,
            const std::string& status) {
  auto res = c.request("GET", "/api/tasks?limit=1&status=" + status, "",
                       {bearer(token)});
  if (res.status != 200)
    CAF_FAIL("GET /api/tasks: " << res.status << " " << res.body);
  return parse(res.body)["count"].GetInt64() > 0;
}

struct task_times {
  double created = -1;
  double started = -1;
  double finished = -1;
  bool success = false;
  std::string error;
};

/// The value of an unlabelled series of GET /metrics, e.g.
/// `tasksd_tasks_running`; nullopt when this tasksd has no such series (an
/// older build as the baseline).
std::optional<int64_t> metric(http_client& c, const std::string& token,
                              const std::string& name) {
  auto res = c.request("GET", "/metrics", "", {bearer(token)});
  if (res.status != 200)
    CAF_FAIL("GET /metrics: " << res.status);
  const std::string series = "\n" + name + " ";
  const auto at = res.body.find(series);
  if (at == std::string::npos)
    return std::nullopt;
  return std::stoll(res.body.substr(at + series.size()));
}

/// Every task created at or after `from` (epoch seconds), newest first.
std::vector<task_times> tasks_since(http_client& c, const std::string& token,
                                    double from) {
  std::vector<task_times> result;
  for (size_t offset = 0;; offset += 100) {
    auto res = c.request("GET",
                         "/api/tasks?limit=100&from=" + iso_of(from)
                             + "&offset=" + std::to_string(offset),
                         "", {bearer(token)});
    if (res.status != 200)
      CAF_FAIL("GET /api/tasks: " << res.status << " " << res.body);
    auto doc = parse(res.body);
    const auto& tasks = doc["tasks"];
    for (const auto& t : tasks.GetArray()) {
      task_times times;
      times.created = seconds_of(t["created_at"]);
      times.started = seconds_of(t["started_at"]);
      times.finished = seconds_of(t["finished_at"]);
      times.success = std::string{t["status"].GetString()} == "success";
      if (t["error"].IsString())
        times.error = t["error"].GetString();
      result.push_back(times);
    }
    if (tasks.Size() < 100)
      return result;
  }
}

/// Fills the latency fields of `s` from the records: queue is created_at →
/// finished_at, or → started_at with `to_start`.
void set_latencies(sample& s, const std::vector<task_times>& tasks,
                   std::vector<std::string>& errors, bool to_start) {
  std::vector<double> queue, run;
  for (const auto& t : tasks) {
    if (!t.success) {
      ++s.failures;
      if (errors.size() < 5)
        errors.push_back(t.error.empty() ? "a task did not succeed" : t.error);
    }
    if (t.started >= 0) {
      queue.push_back(((to_start ? t.started : t.finished) - t.created) * 1000);
      run.push_back((t.finished - t.started) * 1000);
    }
  }
  s.queue_p50 = percentile(queue, 0.5);
  s.queue_p99 = percentile(queue, 0.99);
  s.run_p50 = percentile(run, 0.5);
  s.run_p99 = percentile(run, 0.99);
}

} // namespace

http_tasksd::http_tasksd(const std::vector<ssh_target>& targets,
                         std::map<std::string, std::string> env,
                         std::string binary) {
  test::tasksd_options options;
  options.env = std::move(env);
  options.binary = std::move(binary);
  proc_ = std::make_unique<test::tasksd_process>(options);
  http_ = std::make_unique<http_client>(client_on(proc_->port()));
  auto login = http_->request("POST", "/api/auth/login",
                              "{\"username\":\"admin\",\"password\":\""
                                  + proc_->admin_password() + "\"}");
  if (login.status != 200)
    CAF_FAIL("login: " << login.status << " " << login.body);
  token_ = parse(login.body)["token"].GetString();
  for (const auto& target : targets)
    servers_.push_back(add_server(target));
}

uint64_t http_tasksd::add_server(const ssh_target& target) {
  auto res = http_->request(
      "POST", "/api/servers",
      "{\"name\":\"sshd-" + std::to_string(target.port)
          + "\",\"host\":\"127.0.0.1\",\"port\":"
          + std::to_string(target.port)
          + ",\"username\":\"root\",\"key_file\":\"" + target.key_file
          + "\"}",
      {bearer(token_)});
  if (res.status != 201)
    CAF_FAIL("POST /api/servers: " << res.status << " " << res.body);
  return parse(res.body)["id"].GetUint64();
}

size_t http_tasksd::post(uint64_t server_id, size_t n, size_t connections) {
  std::atomic<size_t> next{0};
  std::atomic<size_t> refused{0};
  const auto target = "/api/servers/" + std::to_string(server_id) + "/tasks";
  std::vector<std::thread> posters;
  for (size_t j = 0; j < connections; ++j)
    posters.emplace_back([&] {
      auto c = client_on(proc_->port());
      while (next++ < n)
        if (c.request("POST", target, "{\"command\":\"true\"}",
                      {bearer(token_)})
                .status
            != 202)
          ++refused;
    });
  for (auto& t : posters)
    t.join();
  return refused;
}

http_tasksd::~http_tasksd() {
  // SIGTERM and its whole drain (running tasks get 10 s, then are cancelled
  // and their remote processes killed); the process object alone would
  // SIGKILL after 10 s and leave the remote commands running.
  proc_->stop();
}

sample http_tasksd::run(size_t n, size_t connections,
                        std::vector<std::string>& errors) {
  std::atomic<size_t> next{0};
  std::atomic<size_t> refused{0};
  const auto writes_before
      = metric(*http_, token_, "tasksd_store_writes_total");
  const auto before = cpu_now();
  const double began = now_seconds();
  std::vector<std::thread> posters;
  for (size_t j = 0; j < connections; ++j)
    posters.emplace_back([&] {
      auto c = client_on(proc_->port());
      for (size_t i = next++; i < n; i = next++) {
        auto res = c.request("POST",
                             "/api/servers/"
                                 + std::to_string(servers_[i % servers_.size()])
                                 + "/tasks",
                             "{\"command\":\"true\"}", {bearer(token_)});
        if (res.status != 202)
          ++refused;
      }
    });
  for (auto& t : posters)
    t.join();
  // Done when nothing is queued or running (earlier rounds are final). The
  // rate comes from the records' finished_at, not from when this loop
  // notices, so it looks rarely: its lists would count as tasksd's load.
  while (any_in(*http_, token_, "queued") || any_in(*http_, token_, "running"))
    std::this_thread::sleep_for(20ms);
  const auto after = cpu_now();
  auto tasks = tasks_since(*http_, token_, began);
  sample s;
  s.tasks = n;
  double last = began;
  for (const auto& t : tasks)
    last = std::max(last, t.finished);
  s.tasks_per_s = static_cast<double>(tasks.size()) / (last - began);
  set_latencies(s, tasks, errors, false);
  s.failures += refused + (n - std::min(n, tasks.size()));
  set_cpu(s, before, after, true);
  // Create, start and finish of each task, per synced write.
  const auto writes_after = metric(*http_, token_, "tasksd_store_writes_total");
  if (writes_before && writes_after && *writes_after > *writes_before)
    s.changes_per_write = 3.0 * static_cast<double>(n)
                          / static_cast<double>(*writes_after - *writes_before);
  return s;
}

sample http_tasksd::queue_to_start(size_t n, std::vector<std::string>& errors) {
  const double began = now_seconds();
  const auto target = "/api/servers/" + std::to_string(servers_.front()) + "/tasks";
  for (size_t i = 0; i < n; ++i) {
    auto res = http_->request("POST", target, "{\"command\":\"true\"}",
                              {bearer(token_)});
    if (res.status != 202)
      CAF_FAIL("POST task: " << res.status << " " << res.body);
    const auto location = res.header("location");
    // Idle means idle: the next task waits until this one is final.
    for (;;) {
      auto got = http_->request("GET", location, "", {bearer(token_)});
      auto doc = parse(got.body);
      if (!doc["finished_at"].IsNull())
        break;
      std::this_thread::sleep_for(1ms);
    }
  }
  auto tasks = tasks_since(*http_, token_, began);
  sample s;
  s.tasks = n;
  set_latencies(s, tasks, errors, true);
  return s;
}

bool http_tasksd::start_running(size_t n, size_t batch,
                                const std::string& command) {
  const auto body = "{\"command\":\"" + command + "\",\"timeout_seconds\":600}";
  for (size_t started = 0; started < n;) {
    const size_t upto = std::min(n, started + batch);
    for (size_t i = started; i < upto; ++i) {
      auto res = http_->request(
          "POST",
          "/api/servers/" + std::to_string(servers_[i % servers_.size()])
              + "/tasks",
          body, {bearer(token_)});
      if (res.status != 202)
        CAF_FAIL("POST task: " << res.status << " " << res.body);
    }
    started = upto;
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (metric(*http_, token_, "tasksd_tasks_running").value_or(-1)
           < static_cast<int64_t>(started)) {
      if (std::chrono::steady_clock::now() > deadline)
        return false;
      std::this_thread::sleep_for(20ms);
    }
  }
  return true;
}

double http_tasksd::rss_mib() const {
  std::ifstream in{"/proc/" + std::to_string(proc_->pid()) + "/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stod(line.substr(6)) / 1024.0;
  return -1;
}

double http_tasksd::cpu_seconds() const {
  return process_cpu_seconds(proc_->pid());
}

} // namespace tasks::bench
