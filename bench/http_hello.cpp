// bench_http_hello PORT: a bare Pistache endpoint with tasksd's endpoint
// options, answering GET /hello with {"status":"ok"} over keep-alive. It is
// the ceiling the HTTP bench compares tasksd's routes with (issue 4).
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include <pthread.h>

#include <pistache/endpoint.h>
#include <pistache/router.h>

#include "http/routes.hpp"
#include "http/server.hpp"

namespace {

using namespace Pistache;

/// As http/server.cpp; only the size limit matters for a GET, the timeouts
/// are kept so that the options are the same, not merely similar.
constexpr std::chrono::seconds request_timeout{30};
constexpr std::chrono::seconds keepalive_timeout{60};

Rest::Route::Result hello(const Rest::Request&, Http::ResponseWriter response) {
  // Pistache 0.0.5 says `Connection: Close` to a request without a
  // Connection header (wrk's), though it keeps the socket: wrk would then
  // reconnect per request. http/reply.cpp replaces it the same way.
  auto& out = response.headers();
  out.remove<Http::Header::Connection>();
  out.add<Http::Header::Connection>(Http::ConnectionControl::KeepAlive);
  response.send(Http::Code::Ok, "{\"status\":\"ok\"}", MIME(Application, Json))
      .then([](ssize_t) {}, [](std::exception_ptr) {});
  return Rest::Route::Result::Ok;
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench_http_hello PORT\n");
    return 2;
  }
  char* end = nullptr;
  auto port = std::strtoul(argv[1], &end, 10);
  if (*end != '\0' || port == 0 || port > 65535) {
    std::fprintf(stderr, "bench_http_hello: bad port %s\n", argv[1]);
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  // Blocked before Pistache starts its threads, which inherit the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  Rest::Router router;
  router.get("/hello", hello);
  Http::Endpoint endpoint{
      Address{"127.0.0.1", Port{static_cast<uint16_t>(port)}}};
  try {
    using tasks::http::max_body_bytes;
    using tasks::http::max_head_bytes;
    endpoint.init(Http::Endpoint::options()
                      .threads(tasks::http::reactor_threads)
                      .flags(Tcp::Options::ReuseAddr | Tcp::Options::NoDelay)
                      .maxRequestSize(max_body_bytes + max_head_bytes)
                      .headerTimeout(request_timeout)
                      .bodyTimeout(request_timeout)
                      .keepaliveTimeout(keepalive_timeout));
    endpoint.setHandler(router.handler());
    endpoint.serveThreaded();
  } catch (const std::exception& e) {
    std::fprintf(stderr,
                 "bench_http_hello: cannot serve on 127.0.0.1:%lu: %s\n", port,
                 e.what());
    return 1;
  }
  std::fprintf(stderr, "bench_http_hello: listening on 127.0.0.1:%lu\n", port);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  endpoint.shutdown();
  return 0;
}
