// tasksd serving HTTPS with a self-signed certificate (TASKS_TLS_CERT and
// TASKS_TLS_KEY), checked with curl.
#define CAF_SUITE http.tls
#include <caf/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <sys/wait.h>

#include "suite_support.hpp"
#include "support/http_client.hpp"
#include "support/tasksd_process.hpp"

using namespace tasks::test;
using namespace tasks::test::wire;
using namespace std::chrono_literals;

namespace {

/// A shell command's exit status and its stdout and stderr.
struct command_result {
  int status = -1;
  std::string output;
};

command_result run(const std::string& command) {
  command_result result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr)
    return result;
  char chunk[4096];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0)
    result.output.append(chunk, n);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

/// A temporary directory with a self-signed P-256 certificate for
/// 127.0.0.1 (cert.pem) and its key (key.pem).
struct certificate_dir {
  std::string dir;

  certificate_dir() {
    std::string tmpl
        = (std::filesystem::temp_directory_path() / "tasksd-tls-XXXXXX")
              .string();
    if (::mkdtemp(tmpl.data()) == nullptr)
      CAF_FAIL("mkdtemp failed");
    dir = tmpl;
    auto made = run("openssl req -x509 -newkey ec -pkeyopt "
                    "ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 "
                    "-days 1 -keyout "
                    + key() + " -out " + cert());
    if (made.status != 0)
      CAF_FAIL("openssl req failed: " << made.output);
  }

  ~certificate_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }

  std::string cert() const { return dir + "/cert.pem"; }
  std::string key() const { return dir + "/key.pem"; }
};

/// curl over HTTPS to 127.0.0.1:port, trusting only `ca`.
command_result curl(const std::string& ca, uint16_t port,
                    const std::string& args) {
  return run("curl -sS --noproxy '*' --max-time 5 --cacert " + ca + " " + args
             + " https://127.0.0.1:" + std::to_string(port) + "/api/health");
}

struct service {
  certificate_dir certs;
  tasksd_process proc{[this] {
    tasksd_options options;
    options.env["TASKS_TLS_CERT"] = certs.cert();
    options.env["TASKS_TLS_KEY"] = certs.key();
    options.ready = [ca = certs.cert()](uint16_t port) {
      auto res = curl(ca, port, "--max-time 2");
      return res.status == 0 && res.output == R"({"status":"ok"})";
    };
    return options;
  }()};
};

service& shared_service() {
  static auto instance = std::make_unique<service>();
  return *instance;
}

struct fixture {
  service& svc = shared_service();
  uint16_t port = svc.proc.port();

  command_result health(const std::string& args = "") {
    return curl(svc.certs.cert(), port, args);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(http_tls_tests, fixture)

CAF_TEST(https_health_is_ok_with_the_self_signed_certificate) {
  auto res = health();
  CAF_CHECK_EQUAL(res.status, 0);
  CAF_CHECK_EQUAL(res.output, R"({"status":"ok"})");
}

CAF_TEST(https_connection_is_reused_for_a_second_request) {
  // Two URLs in one curl run share one connection when it is kept alive.
  auto res = health("-w '|%{num_connects}' https://127.0.0.1:"
                    + std::to_string(port) + "/api/health");
  CAF_CHECK_EQUAL(res.status, 0);
  CAF_CHECK_EQUAL(res.output, R"({"status":"ok"}|1{"status":"ok"}|0)");
}

CAF_TEST(https_request_bodies_are_read) {
  auto res
      = run("curl -sS --noproxy '*' --max-time 5 --cacert " + svc.certs.cert()
            + " -H 'Content-Type: application/json' -d "
              "'{\"username\":\"admin\",\"password\":\""
            + svc.proc.admin_password() + "\"}' https://127.0.0.1:"
            + std::to_string(port) + "/api/auth/login");
  CAF_CHECK_EQUAL(res.status, 0);
  CAF_CHECK_NOT_EQUAL(json_string(res.output, "token"), "");
}

CAF_TEST(an_untrusted_client_rejects_the_certificate) {
  // Without --cacert the system store does not know the self-signed cert.
  auto res = run("curl -sS --noproxy '*' --max-time 5 https://127.0.0.1:"
                 + std::to_string(port) + "/api/health");
  CAF_CHECK_NOT_EQUAL(res.status, 0);
}

CAF_TEST(plain_http_to_the_tls_port_gets_no_200) {
  http_client client{port};
  client.set_timeout(3s);
  client.set_fail_on_timeout(false);
  auto res = client.request("GET", "/api/health");
  CAF_MESSAGE("plain HTTP: status " << res.status << " " << res.error);
  CAF_CHECK_NOT_EQUAL(res.status, 200);
  CAF_CHECK_EQUAL(res.body.find("\"ok\""), std::string::npos);
  // And the endpoint still serves TLS afterwards.
  CAF_CHECK_EQUAL(health().output, R"({"status":"ok"})");
}

// Pistache 0.0.5 runs each TLS handshake on its one accept thread with a
// 10 s receive timeout of its own: a client that stalls its handshake holds
// everyone else back until then (docs/HTTP.md, known limitation). These
// tests pin that bound; a fix would let them tighten to "not at all".
CAF_TEST(a_client_that_never_starts_the_handshake_holds_others_at_most_10s) {
  raw_connection silent{port};
  auto started = std::chrono::steady_clock::now();
  auto res = curl(svc.certs.cert(), port, "--max-time 15");
  CAF_CHECK_EQUAL(res.status, 0);
  CAF_CHECK_EQUAL(res.output, R"({"status":"ok"})");
  CAF_CHECK_LESS(std::chrono::steady_clock::now() - started, 12s);
  silent.close();
  CAF_CHECK_EQUAL(health().output, R"({"status":"ok"})");
}

CAF_TEST(a_client_that_stalls_inside_the_handshake_holds_others_at_most_10s) {
  raw_connection half_hello{port};
  // The first bytes of a TLS record header, then nothing.
  CAF_REQUIRE(half_hello.send(std::string{"\x16\x03\x01", 3}));
  auto started = std::chrono::steady_clock::now();
  auto res = curl(svc.certs.cert(), port, "--max-time 15");
  CAF_CHECK_EQUAL(res.status, 0);
  CAF_CHECK_EQUAL(res.output, R"({"status":"ok"})");
  CAF_CHECK_LESS(std::chrono::steady_clock::now() - started, 12s);
  half_hello.close();
  CAF_CHECK_EQUAL(health().output, R"({"status":"ok"})");
}

CAF_TEST_FIXTURE_SCOPE_END()
