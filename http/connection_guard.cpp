// The request size guard (see connection_guard.hpp).
#include "http/connection_guard.hpp"

#include <cstdint>
#include <string>

#include <sys/socket.h>

#include <pistache/peer.h>
#include <pistache/transport.h>

#include "http/json_out.hpp"

namespace tasks::http {

namespace {

constexpr size_t closing = SIZE_MAX;

/// The 413 answer; the connection closes after it.
const std::string& too_large() {
  static const std::string response = [] {
    auto body = error_body("payload_too_large",
                           "the request is larger than 1 MiB; the connection "
                           "is closed");
    return "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n"
           "Content-Type: application/json\r\nContent-Length: "
           + std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  return response;
}

} // namespace

/// Pistache's router handler, telling the guard when a request is complete.
class connection_guard::router_handler
  : public Pistache::Rest::Private::RouterHandler {
public:
  router_handler(std::shared_ptr<Pistache::Rest::Router> router,
                 connection_guard* guard)
    : RouterHandler(std::move(router)), guard_(guard) {
    // nop
  }

  void onRequest(const Pistache::Http::Request& request,
                 Pistache::Http::ResponseWriter response) override {
    guard_->request_complete();
    RouterHandler::onRequest(request, std::move(response));
  }

private:
  connection_guard* guard_;
};

connection_guard::connection_guard(
    std::shared_ptr<Pistache::Rest::Router> router, size_t max_request_bytes)
  : router_(std::move(router)), max_request_bytes_(max_request_bytes) {
  // nop
}

connection_guard::connection_guard(const connection_guard& other)
  : Pistache::Http::Handler(other),
    router_(other.router_),
    max_request_bytes_(other.max_request_bytes_) {
  // nop
}

std::shared_ptr<Pistache::Tcp::Handler> connection_guard::clone() const {
  auto copy = std::make_shared<connection_guard>(*this);
  copy->self_ = copy;
  return copy;
}

void connection_guard::onRequest(const Pistache::Http::Request&,
                                 Pistache::Http::ResponseWriter response) {
  response.send(Pistache::Http::Code::Internal_Server_Error);
}

Pistache::Tcp::Handler& connection_guard::inner() {
  if (!inner_) {
    // Only a transport can bind a handler to itself: bind the inner handler
    // by handing it to our transport, then take our place back.
    inner_ = std::make_shared<router_handler>(router_, this);
    inner_->setMaxRequestSize(max_request_bytes_ + 1);
    inner_->setMaxResponseSize(getMaxResponseSize());
    inner_->setHeaderTimeout(getHeaderTimeout());
    inner_->setBodyTimeout(getBodyTimeout());
    auto* transport = this->transport();
    transport->init(inner_);
    transport->init(self_.lock());
  }
  return *inner_;
}

void connection_guard::onConnection(
    const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  pending_[peer.get()] = 0;
  inner().onConnection(peer);
}

void connection_guard::onDisconnection(
    const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  pending_.erase(peer.get());
  inner().onDisconnection(peer);
}

void connection_guard::onInput(
    const char* buffer, size_t size,
    const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  auto& pending = pending_[peer.get()];
  if (pending == closing)
    return;
  pending += size;
  if (pending > max_request_bytes_) {
    pending = closing;
    peer->send(Pistache::RawBuffer(too_large(), too_large().size()))
        .then([peer](ssize_t) { ::shutdown(peer->fd(), SHUT_RDWR); },
              [peer](std::exception_ptr) {
                ::shutdown(peer->fd(), SHUT_RDWR);
              });
    return;
  }
  completed_ = false;
  inner().onInput(buffer, size, peer);
  // Pistache drops what follows a complete request in the same read, so
  // the next request starts from zero.
  if (completed_)
    pending = 0;
}

std::shared_ptr<connection_guard>
make_connection_guard(std::shared_ptr<Pistache::Rest::Router> router,
                      size_t max_request_bytes) {
  auto guard
      = std::make_shared<connection_guard>(std::move(router), max_request_bytes);
  guard->self_ = guard;
  return guard;
}

} // namespace tasks::http
