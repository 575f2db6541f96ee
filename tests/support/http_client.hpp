// A minimal blocking HTTP/1.1 client over POSIX sockets to 127.0.0.1, for
// tests that talk to a real server.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace tasks::test {

/// One HTTP response as read off the wire.
struct http_response {
  /// The status code; 0 when no response was read (see `error`).
  int status = 0;

  /// Header fields by lower-cased name; repeated fields joined by ", ".
  /// Trailer fields of a chunked body are added too.
  std::map<std::string, std::string> headers;

  /// The body, de-chunked.
  std::string body;

  /// True when the server closed the connection right after the response
  /// (or without one), or said `Connection: close`.
  bool closed_by_server = false;

  /// Why no response was read ("connect: Connection refused", "connection
  /// closed before a response", ...); empty when status != 0.
  std::string error;

  /// The value of header `name` (any case), or "" when absent.
  std::string header(const std::string& name) const;
};

/// One header field: name and value.
using http_header = std::pair<std::string, std::string>;

/// `Authorization: Bearer <token>`.
http_header bearer(const std::string& token);

/// Keeps one persistent connection to 127.0.0.1:port, opened on first use
/// and again after either side closed it. A response that does not arrive
/// within the receive timeout fails the running test (CAF_ERROR, unless
/// set_fail_on_timeout(false)) and comes back with status 0; a refused or
/// dropped connection only yields status 0 with `error` set, so tests can
/// expect it.
class http_client {
public:
  /// A client for 127.0.0.1:port; connects lazily.
  explicit http_client(uint16_t port);

  ~http_client();

  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;
  http_client(http_client&& other) noexcept;
  http_client& operator=(http_client&& other) noexcept;

  /// Sends one request and reads one response. Adds `Host`, `Content-Length`
  /// (when the body is non-empty or the method is POST, PUT or PATCH) and
  /// `Content-Type: application/json` (when there is a body) unless
  /// `headers` names that field itself.
  http_response request(const std::string& method, const std::string& target,
                        const std::string& body = "",
                        const std::vector<http_header>& headers = {});

  /// Sends `bytes` verbatim and reads one response (to a non-HEAD request).
  http_response send_raw(const std::string& bytes);

  /// True while the connection is open.
  bool connected() const { return fd_ >= 0; }

  /// Closes the connection; the next request opens a new one.
  void close();

  /// The port this client talks to.
  uint16_t port() const { return port_; }

  /// How long one receive may block (default 10 s).
  void set_timeout(std::chrono::milliseconds timeout);

  /// Whether a receive timeout fails the running test (default true); off
  /// for tests that expect the server to stay silent.
  void set_fail_on_timeout(bool fail) { fail_on_timeout_ = fail; }

  /// How long to wait after a response for the server to close the
  /// connection (default 200 ms, spent on every keep-alive response). 0
  /// still notices a close that already arrived: use it for bulk requests
  /// whose `closed_by_server` does not matter.
  void set_close_wait(std::chrono::milliseconds wait) { close_wait_ = wait; }

private:
  /// Opens the connection if needed; false (and `error`) when refused.
  bool ensure_connected(std::string& error);

  /// Writes everything; false when the peer is gone.
  bool send_all(const std::string& bytes);

  /// Receives more bytes into buf_; false on EOF, error or timeout.
  bool fill();

  /// Reads one response; `head_request` means no body follows.
  http_response read_response(const std::string& what, bool head_request);

  /// Whether the server closed the connection after the last response.
  bool peer_closed(std::chrono::milliseconds wait);

  uint16_t port_;
  int fd_ = -1;
  std::string buf_;
  std::chrono::milliseconds timeout_{10'000};
  std::chrono::milliseconds close_wait_{200};
  bool fail_on_timeout_ = true;
  /// Set by fill(): why the last receive returned false.
  bool timed_out_ = false;
  bool eof_ = false;
  int recv_errno_ = 0;
};

/// GET `target` on a new connection with `Connection: close`.
http_response http_get_once(uint16_t port, const std::string& target);

} // namespace tasks::test
