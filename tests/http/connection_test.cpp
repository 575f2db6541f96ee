// Connection handling of a real tasksd: keep-alive and close as HTTP/1.0
// and 1.1 define them, the headers on every JSON answer, and clients that
// stall, vanish or come in crowds.
#define CAF_SUITE http.connection
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "suite_support.hpp"
#include "support/http_client.hpp"
#include "support/tasksd_process.hpp"

using namespace tasks::test;
using namespace tasks::test::wire;
using namespace std::chrono_literals;

namespace {

tasksd_process& shared_tasksd() {
  static auto instance = std::make_unique<tasksd_process>();
  return *instance;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

/// A GET of `target` in HTTP/`version` with extra header lines.
std::string get_bytes(const std::string& target,
                      const std::string& version = "1.1",
                      const std::string& extra = "") {
  return "GET " + target + " HTTP/" + version + "\r\nHost: 127.0.0.1\r\n"
         + extra + "\r\n";
}

struct fixture {
  tasksd_process& proc = shared_tasksd();
  uint16_t port = proc.port();

  /// Whether a fresh connection still gets 200 from /api/health.
  bool healthy() { return http_get_once(port, "/api/health").status == 200; }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(http_connection_tests, fixture)

CAF_TEST(http11_without_connection_header_is_kept_alive) {
  raw_connection c{port};
  auto first = c.request(get_bytes("/api/health"));
  CAF_CHECK_EQUAL(raw_connection::status_of(first), 200);
  CAF_CHECK_EQUAL(lower(raw_connection::header_of(first, "connection")),
                  "keep-alive");
  CAF_CHECK(c.open_and_silent_for(300ms));
  auto second = c.request(get_bytes("/api/health"));
  CAF_CHECK_EQUAL(raw_connection::status_of(second), 200);
  CAF_CHECK_EQUAL(raw_connection::body_of(second), R"({"status":"ok"})");
  // Error answers keep the connection and say so.
  for (const std::string target : {"/api/tasks", "/api/tasks?limit=0",
                                   "/api/nope", "/api/servers/1/tasks"}) {
    auto res = c.request(get_bytes(target));
    CAF_MESSAGE(target << " -> " << raw_connection::status_of(res));
    CAF_CHECK_EQUAL(target + ": "
                        + lower(raw_connection::header_of(res, "connection")),
                    target + ": keep-alive");
    auto next = c.request(get_bytes("/api/health"));
    CAF_CHECK_EQUAL(target + ": then "
                        + std::to_string(raw_connection::status_of(next)),
                    target + ": then 200");
  }
}

CAF_TEST(connection_close_is_answered_with_close_and_the_socket_closes) {
  // Success, error and unknown-path answers all honour the request.
  for (const std::string target :
       {"/api/health", "/api/tasks", "/api/tasks?limit=0", "/api/nope",
        "/api/servers/1/tasks"}) {
    raw_connection c{port};
    auto res = c.request(get_bytes(target, "1.1", "Connection: close\r\n"));
    CAF_MESSAGE(target << " -> " << raw_connection::status_of(res));
    CAF_CHECK_NOT_EQUAL(raw_connection::status_of(res), 0);
    CAF_CHECK_EQUAL(target + ": "
                        + lower(raw_connection::header_of(res, "connection")),
                    target + ": close");
    CAF_CHECK_EQUAL(target + (c.closed_within(1s) ? ": closed" : ": open"),
                    target + ": closed");
  }
}

CAF_TEST(http10_without_keep_alive_is_closed_after_the_response) {
  for (const std::string target :
       {"/api/health", "/api/tasks", "/api/nope", "/api/servers/1/tasks"}) {
    raw_connection c{port};
    auto res = c.request(get_bytes(target, "1.0"));
    CAF_MESSAGE(target << " -> " << raw_connection::status_of(res));
    CAF_CHECK_NOT_EQUAL(raw_connection::status_of(res), 0);
    CAF_CHECK_EQUAL(target + ": "
                        + lower(raw_connection::header_of(res, "connection")),
                    target + ": close");
    CAF_CHECK_EQUAL(target + (c.closed_within(1s) ? ": closed" : ": open"),
                    target + ": closed");
  }
}

CAF_TEST(http10_with_keep_alive_is_kept) {
  raw_connection c{port};
  auto first = c.request(
      get_bytes("/api/health", "1.0", "Connection: keep-alive\r\n"));
  CAF_CHECK_EQUAL(raw_connection::status_of(first), 200);
  CAF_CHECK_EQUAL(lower(raw_connection::header_of(first, "connection")),
                  "keep-alive");
  CAF_CHECK(c.open_and_silent_for(300ms));
  auto second = c.request(
      get_bytes("/api/health", "1.0", "Connection: Keep-Alive\r\n"));
  CAF_CHECK_EQUAL(raw_connection::status_of(second), 200);
}

CAF_TEST(pipelined_requests_are_all_answered_in_order) {
  raw_connection c{port};
  auto seen = c.exchange(get_bytes("/api/health") + get_bytes("/api/nope")
                             + get_bytes("/api/tasks"),
                         1s);
  const auto first = seen.received.find("HTTP/1.1 200");
  const auto second = seen.received.find("HTTP/1.1 404");
  const auto third = seen.received.find("HTTP/1.1 401");
  CAF_CHECK_EQUAL(count_of(seen.received, "HTTP/1.1 "), 3u);
  CAF_CHECK(first < second && second < third && third != std::string::npos);
}

CAF_TEST(every_json_response_carries_type_cache_and_nosniff_headers) {
  http_client client{port};
  client.set_close_wait(0ms);
  struct probe {
    const char* what;
    http_response res;
  };
  std::vector<probe> probes;
  probes.push_back({"health", client.request("GET", "/api/health")});
  probes.push_back({"openapi", client.request("GET", "/api/openapi.json")});
  probes.push_back({"401 no token", client.request("GET", "/api/tasks")});
  probes.push_back({"401 bad token", client.request("GET", "/api/tasks", "",
                                                    {bearer("tsk_bogus")})});
  probes.push_back({"401 metrics", client.request("GET", "/metrics")});
  probes.push_back({"400 query", client.request("GET", "/api/tasks?limit=0")});
  probes.push_back({"400 body", client.request("POST", "/api/auth/login",
                                               R"({"username":1})")});
  probes.push_back({"400 path", client.request("GET", "/api/tasks/nope")});
  probes.push_back({"401 login", client.request("POST", "/api/auth/login",
                                                R"({"username":"admin",)"
                                                R"("password":"wrong"})")});
  probes.push_back({"404 path", client.request("GET", "/api/nope")});
  probes.push_back({"405", client.request("DELETE", "/api/tasks")});
  probes.push_back({"415", client.request("POST", "/api/auth/login", "{}",
                                          {{"Content-Type", "text/plain"}})});
  probes.push_back(
      {"413 body", client.request("POST", "/api/auth/login",
                                  std::string((1 << 20) + 1, ' '))});
  probes.push_back({"413 request", client.request("POST", "/api/auth/login",
                                                  std::string(2 << 20, ' '))});
  for (const auto& p : probes) {
    CAF_MESSAGE(p.what << ": " << p.res.status << " "
                       << p.res.body.substr(0, 200));
    CAF_CHECK_NOT_EQUAL(p.res.status, 0);
    const std::string what = p.what;
    CAF_CHECK_EQUAL(what + ": " + p.res.header("content-type"),
                    what + ": application/json");
    CAF_CHECK_EQUAL(what + ": " + p.res.header("cache-control"),
                    what + ": no-store");
    CAF_CHECK_EQUAL(what + ": " + p.res.header("x-content-type-options"),
                    what + ": nosniff");
    rapidjson::Document doc;
    CAF_CHECK(parse_json(p.res.body, doc));
  }
}

CAF_TEST(stalled_clients_do_not_stop_others_being_served) {
  raw_connection silent{port};
  raw_connection half_line{port};
  CAF_REQUIRE(half_line.send("GET /api/hea"));
  raw_connection half_headers{port};
  CAF_REQUIRE(half_headers.send("GET /api/health HTTP/1.1\r\nHost: x\r\n"));
  raw_connection half_body{port};
  CAF_REQUIRE(half_body.send("POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
                             "Content-Type: application/json\r\n"
                             "Content-Length: 100\r\n\r\n{\"user"));
  const auto start = std::chrono::steady_clock::now();
  http_client client{port};
  client.set_close_wait(0ms);
  client.set_timeout(5s);
  int ok = 0;
  for (int i = 0; i < 20; ++i)
    ok += client.request("GET", "/api/health").status == 200 ? 1 : 0;
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  CAF_CHECK_EQUAL(ok, 20);
  CAF_CHECK_LESS(took.count(), 5000);
  // The stalled ones are still waiting, unanswered.
  CAF_CHECK(half_line.open_and_silent_for(50ms));
  CAF_CHECK(half_body.open_and_silent_for(50ms));
  // Finishing a stalled request gets it answered.
  auto finished = half_headers.request("\r\n");
  CAF_CHECK_EQUAL(raw_connection::status_of(finished), 200);
}

CAF_TEST(clients_that_vanish_mid_request_do_not_hurt_the_server) {
  for (int round = 0; round < 10; ++round) {
    {
      raw_connection c{port};
      c.send("GET /api/hea");
    }
    {
      raw_connection c{port};
      c.send("POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
             "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{");
    }
    {
      raw_connection c{port};
      c.send("POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
             "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
             + std::string(50'000, ' '));
      c.reset();
    }
    {
      // A complete request whose answer comes later, from another thread.
      raw_connection c{port};
      c.send("GET /api/tasks HTTP/1.1\r\nHost: x\r\n"
             "Authorization: Bearer tsk_bogus\r\n\r\n");
      c.reset();
    }
    {
      raw_connection c{port};
      c.send("POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
             "Content-Type: application/json\r\nContent-Length: 41\r\n\r\n"
             R"({"username":"nobody","password":"secret"})");
    }
  }
  CAF_CHECK(healthy());
  CAF_CHECK_EQUAL(proc.pid() > 0, true);
}

CAF_TEST(an_answer_for_a_vanished_client_never_reaches_the_next_one) {
  // The login answer is computed after the client left; a new connection
  // (likely on the same file descriptor number) must get only its own.
  for (int round = 0; round < 3; ++round) {
    {
      raw_connection gone{port};
      gone.send("POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
                "Content-Type: application/json\r\nContent-Length: 40\r\n\r\n"
                R"({"username":"admin","password":"wrong1"})");
    }
    raw_connection next{port};
    auto seen = next.exchange(get_bytes("/api/health"), 800ms);
    CAF_CHECK_EQUAL(raw_connection::status_of(seen.received), 200);
    CAF_CHECK_EQUAL(count_of(seen.received, "HTTP/1."), 1u);
    CAF_CHECK_EQUAL(count_of(seen.received, "token"), 0u);
  }
}

CAF_TEST(two_hundred_parallel_connections_are_all_served) {
  constexpr size_t n = 200;
  std::vector<std::unique_ptr<raw_connection>> conns;
  for (size_t i = 0; i < n; ++i)
    conns.push_back(std::make_unique<raw_connection>(port));
  for (auto& c : conns)
    CAF_CHECK(c->send(get_bytes("/api/health")));
  size_t ok = 0;
  for (auto& c : conns)
    ok += raw_connection::status_of(c->read_response(10s)) == 200 ? 1 : 0;
  CAF_CHECK_EQUAL(ok, n);
  conns.clear();
  CAF_CHECK(healthy());
}

CAF_TEST_FIXTURE_SCOPE_END()
