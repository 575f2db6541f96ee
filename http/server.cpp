// The HTTP(S) endpoint (see server.hpp).
#include "http/server.hpp"

#include <thread>

#include <pistache/endpoint.h>
#include <pistache/router.h>

#include "core/error.hpp"
#include "core/log.hpp"
#include "http/connection_guard.hpp"
#include "http/routes.hpp"

namespace tasks::http {

namespace {

/// Time a client may take to send a request's headers or body; longer and
/// Pistache answers 408 and closes, so slow clients cannot pile up.
constexpr std::chrono::seconds request_timeout{30};

/// Idle keep-alive connections are closed after this.
constexpr std::chrono::seconds keepalive_timeout{60};

} // namespace

server::server(api_context& ctx) : ctx_(ctx) {
  // nop
}

server::~server() {
  stop();
}

caf::error server::start() {
  auto router = std::make_shared<Pistache::Rest::Router>();
  add_meta_routes(*router, ctx_);
  add_auth_routes(*router, ctx_);
  add_task_routes(*router, ctx_);
  add_server_routes(*router, ctx_);
  add_user_routes(*router, ctx_);
  add_audit_routes(*router, ctx_);
  add_ui_routes(*router, ctx_);
  add_method_fallbacks(*router, ctx_);
  const auto& cfg = ctx_.cfg;
  auto listen = cfg.listen_host + ":" + std::to_string(cfg.listen_port);
  try {
    Pistache::Address address{cfg.listen_host, Pistache::Port{cfg.listen_port}};
    endpoint_ = std::make_unique<Pistache::Http::Endpoint>(address);
    auto options = Pistache::Http::Endpoint::options()
                       .threads(reactor_threads)
                       .flags(Pistache::Tcp::Options::ReuseAddr
                              | Pistache::Tcp::Options::NoDelay)
                       .maxRequestSize(max_body_bytes + 4 * max_head_bytes)
                       .headerTimeout(request_timeout)
                       .bodyTimeout(request_timeout)
                       .keepaliveTimeout(keepalive_timeout);
    endpoint_->init(options);
    endpoint_->setHandler(
        make_connection_guard(router, max_head_bytes, max_body_bytes));
    if (!cfg.tls_cert.empty())
      endpoint_->useSSL(cfg.tls_cert, cfg.tls_key);
    endpoint_->serveThreaded();
  } catch (const std::exception& e) {
    endpoint_.reset();
    return make_error(errc::invalid_config,
                      "cannot serve on " + listen + ": " + e.what());
  }
  log::info("listening on {}://{}", cfg.tls_cert.empty() ? "http" : "https",
            listen);
  return {};
}

void server::drain(std::chrono::milliseconds limit) {
  ctx_.draining = true;
  auto deadline = std::chrono::steady_clock::now() + limit;
  // Pistache has no completion signal for queued writes: poll briefly.
  while (ctx_.gate.in_flight > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  // Let the reactor threads flush the last answers.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

void server::stop() {
  if (endpoint_) {
    ctx_.gate.close();
    endpoint_->shutdown();
    endpoint_.reset();
  }
}

} // namespace tasks::http
