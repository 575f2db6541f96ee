// The HTTP(S) endpoint of tasksd: binds TASKS_LISTEN, serves the routes on
// Pistache's reactor threads, and drains before it stops.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include <caf/error.hpp>

#include "http/context.hpp"

namespace Pistache::Http {
class Endpoint;
} // namespace Pistache::Http

namespace tasks::http {

/// Pistache reactor threads: the handlers only parse and hand off to actors.
inline constexpr int reactor_threads = 2;

class server {
public:
  explicit server(api_context& ctx);
  ~server();

  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and starts serving; an error names the address or the TLS file.
  caf::error start();

  /// Refuses new work with 503 and waits up to `limit` for the requests in
  /// flight to be answered.
  void drain(std::chrono::milliseconds limit);

  /// Stops listening (after drain()).
  void stop();

private:
  api_context& ctx_;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint_;
};

} // namespace tasks::http
