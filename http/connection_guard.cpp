// The request framing guard (see connection_guard.hpp).
#include "http/connection_guard.hpp"

#include <algorithm>
#include <cstdint>

#include <sys/socket.h>

#include <pistache/peer.h>
#include <pistache/transport.h>

#include "http/json_out.hpp"
#include "http/request_head.hpp"

namespace tasks::http {

namespace {

const char* reason_phrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 405: return "Method Not Allowed";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
  }
}

void send_and_close(const std::shared_ptr<Pistache::Tcp::Peer>& peer,
                    const std::string& bytes) {
  peer->send(Pistache::RawBuffer(bytes, bytes.size()))
      .then([peer](ssize_t) { ::shutdown(peer->fd(), SHUT_RDWR); },
            [peer](std::exception_ptr) { ::shutdown(peer->fd(), SHUT_RDWR); });
}

const std::string continue_line = "HTTP/1.1 100 Continue\r\n\r\n";

} // namespace

connection_guard::connection_guard(
    std::shared_ptr<Pistache::Rest::Router> router, size_t max_head,
    size_t max_body)
    : router_(std::move(router)), max_head_(max_head), max_body_(max_body) {
  // nop
}

connection_guard::connection_guard(const connection_guard& other)
    : Pistache::Http::Handler(other), router_(other.router_),
      max_head_(other.max_head_), max_body_(other.max_body_) {
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
    // Only a transport can bind a handler to itself: bind the router handler
    // by handing it to our transport, then take our place back.
    inner_ = std::make_shared<Pistache::Rest::Private::RouterHandler>(router_);
    // Forwarded heads grow by the header prefix: leave room for it.
    inner_->setMaxRequestSize(max_body_ + 4 * max_head_);
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
  connections_[peer.get()] = connection_state{};
  inner().onConnection(peer);
}

void connection_guard::onDisconnection(
    const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  connections_.erase(peer.get());
  inner().onDisconnection(peer);
}

void connection_guard::refuse(
    connection_state& state, int status, const std::string& error,
    const std::string& message,
    const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  state.closing = true;
  state.head.clear();
  auto body = error_body(error, message);
  send_and_close(peer, "HTTP/1.1 " + std::to_string(status) + " "
                           + reason_phrase(status)
                           + "\r\nContent-Type: application/json\r\n"
                             "Cache-Control: no-store\r\n"
                             "X-Content-Type-Options: nosniff\r\n"
                             "Connection: close\r\nContent-Length: "
                           + std::to_string(body.size()) + "\r\n\r\n" + body);
}

size_t
connection_guard::read_head(connection_state& state, const char* data,
                            size_t size,
                            const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  // Empty lines before a request are allowed (RFC 9112 §2.2).
  size_t skipped = 0;
  if (state.head.empty())
    while (skipped < size && (data[skipped] == '\r' || data[skipped] == '\n'))
      ++skipped;
  data += skipped;
  size -= skipped;
  if (size == 0)
    return skipped;
  auto before = state.head.size();
  state.head.append(data, std::min(size, max_head_ + 1 - before));
  // Search only the new bytes (and the three before them) for the end.
  auto end = state.head.find("\r\n\r\n", before >= 3 ? before - 3 : 0);
  if (end == std::string::npos) {
    if (state.head.size() > max_head_)
      refuse(state, 431, "header_too_large",
             "the request line and headers exceed 64 KiB", peer);
    return skipped + size;
  }
  auto head_size = end + 4;
  auto used = head_size - before;
  auto checked = check_head(std::string_view{state.head}.substr(0, head_size),
                            max_body_);
  state.head.clear();
  if (checked.status != 0) {
    refuse(state, checked.status, checked.error, checked.message, peer);
    return skipped + size;
  }
  state.body_left = checked.content_length;
  if (checked.expect_continue)
    peer->send(Pistache::RawBuffer(continue_line, continue_line.size()));
  inner().onInput(checked.forwarded.data(), checked.forwarded.size(), peer);
  return skipped + used;
}

void connection_guard::onInput(
    const char* buffer, size_t size,
    const std::shared_ptr<Pistache::Tcp::Peer>& peer) {
  auto& state = connections_[peer.get()];
  while (size > 0 && !state.closing) {
    size_t used = 0;
    if (state.body_left > 0) {
      used = std::min(size, state.body_left);
      state.body_left -= used;
      inner().onInput(buffer, used, peer);
    } else {
      used = read_head(state, buffer, size, peer);
    }
    buffer += used;
    size -= used;
  }
}

std::shared_ptr<connection_guard>
make_connection_guard(std::shared_ptr<Pistache::Rest::Router> router,
                      size_t max_head, size_t max_body) {
  auto guard = std::make_shared<connection_guard>(std::move(router), max_head,
                                                  max_body);
  guard->self_ = guard;
  return guard;
}

} // namespace tasks::http
