// Pistache 0.0.5 answers a request over maxRequestSize with 413 but keeps
// reading the connection, so the rest of an oversized body is parsed as
// further requests. The guard sits between Pistache's transport and the
// router: it counts the bytes of the request being read and, past the
// limit, answers 413 and closes the connection instead of parsing on.
#pragma once

#include <cstddef>
#include <memory>
#include <unordered_map>

#include <pistache/http.h>
#include <pistache/router.h>

namespace tasks::http {

/// The handler given to the Pistache endpoint; one clone per reactor thread.
class connection_guard : public Pistache::Http::Handler {
public:
  typedef Pistache::Http::details::prototype_tag tag;

  /// Routes through `router`; a request whose line, headers and body exceed
  /// `max_request_bytes` is refused and its connection closed.
  connection_guard(std::shared_ptr<Pistache::Rest::Router> router,
                   size_t max_request_bytes);

  connection_guard(const connection_guard& other);

  std::shared_ptr<Pistache::Tcp::Handler> clone() const override;

  /// Never called: requests reach the inner router handler.
  void onRequest(const Pistache::Http::Request& request,
                 Pistache::Http::ResponseWriter response) override;

  /// Called by the inner handler when it has read a whole request.
  void request_complete() { completed_ = true; }

private:
  class router_handler;

  void onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
  void onInput(const char* buffer, size_t size,
               const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
  void
  onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;

  /// The router handler of this thread, bound to this guard's transport.
  Pistache::Tcp::Handler& inner();

  std::shared_ptr<Pistache::Rest::Router> router_;
  size_t max_request_bytes_;
  std::shared_ptr<router_handler> inner_;
  std::weak_ptr<connection_guard> self_;
  /// Bytes read of the current request, per connection; SIZE_MAX once the
  /// connection is being closed.
  std::unordered_map<Pistache::Tcp::Peer*, size_t> pending_;
  bool completed_ = false;

  friend std::shared_ptr<connection_guard>
  make_connection_guard(std::shared_ptr<Pistache::Rest::Router> router,
                        size_t max_request_bytes);
};

/// A guard ready for Http::Endpoint::setHandler().
std::shared_ptr<connection_guard>
make_connection_guard(std::shared_ptr<Pistache::Rest::Router> router,
                      size_t max_request_bytes);

} // namespace tasks::http
