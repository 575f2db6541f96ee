// The layer between Pistache's transport and its HTTP parser. Pistache
// 0.0.5 keeps reading a connection after it refused a request (an oversized
// body, a malformed header), so the rest of the body is parsed as further
// requests; it answers malformed standard headers with a 500 carrying its
// exception text; and it drops pipelined requests that arrive in one read.
// The guard frames every request itself (head up to the empty line, then
// Content-Length bytes), checks the head (request_head.hpp), feeds Pistache
// exactly one request at a time, and answers anything it refuses with a JSON
// error before closing the connection.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>

#include <pistache/http.h>
#include <pistache/router.h>

namespace tasks::http {

/// The handler given to the Pistache endpoint; one clone per reactor thread.
class connection_guard : public Pistache::Http::Handler {
public:
  typedef Pistache::Http::details::prototype_tag tag;

  /// Routes through `router`; heads over `max_head` bytes and bodies over
  /// `max_body` bytes are refused and the connection closed.
  connection_guard(std::shared_ptr<Pistache::Rest::Router> router,
                   size_t max_head, size_t max_body);

  connection_guard(const connection_guard& other);

  std::shared_ptr<Pistache::Tcp::Handler> clone() const override;

  /// Never called: requests reach the inner router handler.
  void onRequest(const Pistache::Http::Request& request,
                 Pistache::Http::ResponseWriter response) override;

private:
  /// Where one connection is in its current request.
  struct connection_state {
    /// Bytes of a head not complete yet.
    std::string head;
    /// Body bytes of the current request still to pass on.
    size_t body_left = 0;
    /// A refusal was sent; everything else is dropped.
    bool closing = false;
  };

  void onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
  void onInput(const char* buffer, size_t size,
               const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;
  void
  onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;

  /// Consumes head bytes from the front of [data, data + size); returns how
  /// many it used.
  size_t read_head(connection_state& state, const char* data, size_t size,
                   const std::shared_ptr<Pistache::Tcp::Peer>& peer);

  /// Sends a JSON error and closes the connection.
  void refuse(connection_state& state, int status, const std::string& error,
              const std::string& message,
              const std::shared_ptr<Pistache::Tcp::Peer>& peer);

  /// The router handler of this thread, bound to this guard's transport.
  Pistache::Tcp::Handler& inner();

  std::shared_ptr<Pistache::Rest::Router> router_;
  size_t max_head_;
  size_t max_body_;
  std::shared_ptr<Pistache::Http::Handler> inner_;
  std::weak_ptr<connection_guard> self_;
  std::unordered_map<Pistache::Tcp::Peer*, connection_state> connections_;

  friend std::shared_ptr<connection_guard>
  make_connection_guard(std::shared_ptr<Pistache::Rest::Router> router,
                        size_t max_head, size_t max_body);
};

/// A guard ready for Http::Endpoint::setHandler().
std::shared_ptr<connection_guard>
make_connection_guard(std::shared_ptr<Pistache::Rest::Router> router,
                      size_t max_head, size_t max_body);

} // namespace tasks::http
