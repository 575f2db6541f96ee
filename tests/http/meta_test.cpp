// Health, settings, the OpenAPI document and the Prometheus metrics of a
// real tasksd.
#define CAF_SUITE http.meta
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <caf/deep_to_string.hpp>

#include "suite_support.hpp"
#include "support/http_client.hpp"
#include "support/tasksd_process.hpp"

using namespace tasks::test;
using namespace tasks::test::wire;
using namespace std::chrono_literals;

namespace {

/// TASKS_DEFAULT_TIMEOUT and TASKS_OUTPUT_MAX_BYTES differ from their
/// defaults, so /api/settings is seen to report the configuration.
tasksd_options options() {
  tasksd_options result;
  result.env = {{"TASKS_DEFAULT_TIMEOUT", "42"},
                {"TASKS_OUTPUT_MAX_BYTES", "4096"}};
  return result;
}

struct service {
  tasksd_process proc{options()};
  std::string token = login_admin(proc.port(), proc.admin_password());
};

service& shared_service() {
  static auto instance = std::make_unique<service>();
  return *instance;
}

/// The value of the sample line that starts with `series` + " ", or -1.
double sample(const std::string& text, const std::string& series) {
  const auto line = "\n" + series + " ";
  const auto at = ("\n" + text).find(line);
  if (at == std::string::npos)
    return -1;
  return std::stod(text.substr(at + line.size() - 1));
}

struct fixture {
  service& svc = shared_service();
  http_client client{svc.proc.port()};

  fixture() { client.set_close_wait(0ms); }

  http_response metrics() {
    return client.request("GET", "/metrics", "", {bearer(svc.token)});
  }

  /// The paths object of the OpenAPI document; fails the test without it.
  void openapi(rapidjson::Document& doc) {
    auto res = client.request("GET", "/api/openapi.json");
    CAF_REQUIRE_EQUAL(res.status, 200);
    CAF_REQUIRE(parse_json(res.body, doc));
    CAF_REQUIRE(doc.IsObject());
    CAF_REQUIRE(doc.HasMember("paths"));
    CAF_REQUIRE(doc["paths"].IsObject());
  }

  /// Routes in `wanted` ("post /api/tasks/{id}/cancel") missing from `doc`.
  static std::vector<std::string>
  missing_routes(const rapidjson::Document& doc,
                 const std::vector<std::string>& wanted) {
    std::vector<std::string> missing;
    const auto& paths = doc["paths"];
    for (const auto& route : wanted) {
      const auto space = route.find(' ');
      const auto method = route.substr(0, space);
      const auto path = route.substr(space + 1);
      if (!paths.HasMember(path.c_str()) || !paths[path.c_str()].IsObject()
          || !paths[path.c_str()].HasMember(method.c_str()))
        missing.push_back(route);
    }
    return missing;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(http_meta_tests, fixture)

CAF_TEST(health_is_ok_without_authentication) {
  auto res = client.request("GET", "/api/health");
  CAF_CHECK_EQUAL(res.status, 200);
  CAF_CHECK_EQUAL(res.header("content-type"), "application/json");
  rapidjson::Document doc;
  CAF_REQUIRE(parse_json(res.body, doc));
  CAF_REQUIRE(doc.IsObject());
  CAF_CHECK_EQUAL(doc.MemberCount(), 1u);
  CAF_CHECK_EQUAL(json_string(res.body, "status"), "ok");
}

CAF_TEST(openapi_document_is_json_with_version_and_paths) {
  auto res = client.request("GET", "/api/openapi.json");
  CAF_CHECK_EQUAL(res.status, 200);
  CAF_CHECK_EQUAL(res.header("content-type"), "application/json");
  rapidjson::Document doc;
  CAF_REQUIRE(parse_json(res.body, doc));
  CAF_REQUIRE(doc.IsObject());
  CAF_REQUIRE(doc.HasMember("openapi"));
  CAF_CHECK(doc["openapi"].IsString());
  CAF_CHECK_EQUAL(std::string{doc["openapi"].GetString()}.substr(0, 2), "3.");
  CAF_REQUIRE(doc.HasMember("paths"));
  CAF_CHECK(doc["paths"].IsObject());
}

CAF_TEST(openapi_document_lists_the_seed_endpoints) {
  rapidjson::Document doc;
  openapi(doc);
  auto missing = missing_routes(doc, {"post /api/servers/{id}/tasks",
                                      "get /api/tasks", "get /api/tasks/{id}",
                                      "post /api/tasks/{id}/cancel"});
  CAF_CHECK_EQUAL(caf::deep_to_string(missing), "[]");
}

CAF_TEST(openapi_document_lists_every_api_route_of_spec_section_4) {
  // The /api routes of SPEC §4 whose path and method the text pins down;
  // `/metrics`, `/`, and the document itself are left out.
  rapidjson::Document doc;
  openapi(doc);
  auto missing = missing_routes(
      doc,
      {"post /api/servers/{id}/tasks", "get /api/tasks", "get /api/tasks/{id}",
       "post /api/tasks/{id}/cancel", "post /api/auth/login",
       "post /api/auth/logout", "get /api/auth/me", "get /api/servers",
       "post /api/servers", "get /api/servers/{id}", "put /api/servers/{id}",
       "delete /api/servers/{id}", "get /api/users", "post /api/users",
       "get /api/users/{id}", "put /api/users/{id}", "delete /api/users/{id}",
       "get /api/audit", "get /api/health", "get /api/settings"});
  CAF_CHECK_EQUAL(caf::deep_to_string(missing), "[]");
}

CAF_TEST(settings_report_the_configured_task_defaults_and_limits) {
  CAF_CHECK_EQUAL(client.request("GET", "/api/settings").status, 401);
  auto res = client.request("GET", "/api/settings", "", {bearer(svc.token)});
  CAF_REQUIRE_EQUAL(res.status, 200);
  CAF_CHECK_EQUAL(json_int(res.body, "default_timeout_seconds"), 42);
  CAF_CHECK_EQUAL(json_int(res.body, "timeout_seconds_min"), 1);
  CAF_CHECK_EQUAL(json_int(res.body, "timeout_seconds_max"), 600);
  CAF_CHECK_EQUAL(json_int(res.body, "command_max_bytes"), 16384);
  CAF_CHECK_EQUAL(json_int(res.body, "output_max_bytes"), 4096);
  CAF_CHECK_EQUAL(json_int(res.body, "max_queued"), 10000);
  rapidjson::Document doc;
  CAF_REQUIRE(parse_json(res.body, doc));
  CAF_REQUIRE(doc.HasMember("store_output_default"));
  CAF_CHECK(doc["store_output_default"].IsFalse());
}

CAF_TEST(metrics_need_a_token) {
  auto res = client.request("GET", "/metrics");
  CAF_CHECK_EQUAL(res.status, 401);
  CAF_CHECK_EQUAL(json_string(res.body, "error"), "unauthorized");
  CAF_CHECK_EQUAL(res.header("www-authenticate"), "Bearer");
  CAF_CHECK_EQUAL(
      client.request("GET", "/metrics", "", {bearer("tsk_bogus")}).status, 401);
}

CAF_TEST(metrics_for_admin_are_prometheus_text_with_the_task_series) {
  auto res = metrics();
  CAF_REQUIRE_EQUAL(res.status, 200);
  CAF_CHECK_EQUAL(res.header("content-type").substr(0, 10), "text/plain");
  for (const std::string series :
       {"tasksd_tasks_queued", "tasksd_tasks_running"})
    CAF_CHECK_GREATER_OR_EQUAL(sample(res.body, series), 0.0);
  CAF_CHECK_NOT_EQUAL(res.body.find("# TYPE tasksd_task_duration_seconds "
                                    "histogram\n"),
                      std::string::npos);
  CAF_CHECK_GREATER_OR_EQUAL(
      sample(res.body, R"(tasksd_task_duration_seconds_bucket{le="+Inf"})"),
      0.0);
  CAF_CHECK_NOT_EQUAL(res.body.find("# TYPE tasksd_http_requests_total "
                                    "counter\n"),
                      std::string::npos);
  // The admin's login alone was a synced write.
  CAF_CHECK_GREATER(sample(res.body, "tasksd_store_writes_total"), 0.0);
}

CAF_TEST(health_request_counter_grows_by_the_requests_made) {
  const std::string series = R"(tasksd_http_requests_total{method="GET",)"
                             R"(route="/api/health",code="200"})";
  auto before = metrics();
  CAF_REQUIRE_EQUAL(before.status, 200);
  const auto start = std::max(sample(before.body, series), 0.0);
  constexpr int n = 7;
  for (int i = 0; i < n; ++i)
    CAF_REQUIRE_EQUAL(client.request("GET", "/api/health").status, 200);
  auto after = metrics();
  CAF_REQUIRE_EQUAL(after.status, 200);
  CAF_CHECK_EQUAL(sample(after.body, series) - start, double{n});
}

CAF_TEST(tasksd_raises_its_open_files_limit_to_the_hard_limit) {
  // systemd starts services with a soft limit of 1024; each running task
  // needs two descriptors, so tasksd takes what the hard limit allows.
  tasks::test::tasksd_options options;
  options.open_files_soft_limit = 256;
  tasks::test::tasksd_process proc{options};
  std::ifstream in{"/proc/" + std::to_string(proc.pid()) + "/limits"};
  std::string line;
  while (std::getline(in, line) && line.rfind("Max open files", 0) != 0)
    continue;
  std::istringstream fields{line.substr(std::string{"Max open files"}.size())};
  std::string soft, hard;
  fields >> soft >> hard;
  CAF_MESSAGE("tasksd's open files limit: soft " << soft << ", hard " << hard);
  CAF_CHECK(!soft.empty());
  CAF_CHECK_EQUAL(soft, hard);
  CAF_CHECK_NOT_EQUAL(soft, "256");
}

CAF_TEST_FIXTURE_SCOPE_END()
