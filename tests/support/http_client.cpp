// A minimal blocking HTTP/1.1 client for tests (see http_client.hpp).
#include "support/http_client.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <caf/test/unit_test.hpp>

namespace tasks::test {

namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos)
    return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

bool has_header(const std::vector<http_header>& headers,
                const std::string& name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& h) { return lower(h.first) == name; });
}

/// Adds `name: value` lines (no status line) to `headers`; false when a
/// line has no colon.
bool parse_fields(const std::string& text,
                  std::map<std::string, std::string>& headers) {
  size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find("\r\n", pos);
    if (end == std::string::npos)
      end = text.size();
    const auto line = text.substr(pos, end - pos);
    pos = end + 2;
    const auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0)
      return false;
    const auto name = lower(line.substr(0, colon));
    const auto value = trim(line.substr(colon + 1));
    auto [it, inserted] = headers.emplace(name, value);
    if (!inserted)
      it->second += ", " + value;
  }
  return true;
}

} // namespace

std::string http_response::header(const std::string& name) const {
  const auto it = headers.find(lower(name));
  return it == headers.end() ? std::string{} : it->second;
}

http_header bearer(const std::string& token) {
  return {"Authorization", "Bearer " + token};
}

http_client::http_client(uint16_t port) : port_(port) {
  // nop
}

http_client::~http_client() {
  close();
}

http_client::http_client(http_client&& other) noexcept
    : port_(other.port_), fd_(std::exchange(other.fd_, -1)),
      buf_(std::move(other.buf_)), timeout_(other.timeout_),
      close_wait_(other.close_wait_), fail_on_timeout_(other.fail_on_timeout_) {
  // nop
}

http_client& http_client::operator=(http_client&& other) noexcept {
  if (this != &other) {
    close();
    port_ = other.port_;
    fd_ = std::exchange(other.fd_, -1);
    buf_ = std::move(other.buf_);
    timeout_ = other.timeout_;
    close_wait_ = other.close_wait_;
    fail_on_timeout_ = other.fail_on_timeout_;
  }
  return *this;
}

void http_client::close() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
  buf_.clear();
}

void http_client::set_timeout(std::chrono::milliseconds timeout) {
  timeout_ = timeout;
  if (fd_ < 0)
    return;
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout_.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>(timeout_.count() % 1000 * 1000);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

bool http_client::ensure_connected(std::string& error) {
  // A server may close an idle keep-alive connection between requests.
  if (fd_ >= 0 && buf_.empty() && peer_closed(std::chrono::milliseconds{0}))
    close();
  if (fd_ >= 0)
    return true;
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    error = std::string{"socket: "} + std::strerror(errno);
    return false;
  }
  set_timeout(timeout_);
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port_);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    error = "connect 127.0.0.1:" + std::to_string(port_) + ": "
            + std::strerror(errno);
    close();
    return false;
  }
  return true;
}

bool http_client::send_all(const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const auto n
        = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

bool http_client::fill() {
  timed_out_ = false;
  eof_ = false;
  recv_errno_ = 0;
  char chunk[16384];
  for (;;) {
    const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      buf_.append(chunk, static_cast<size_t>(n));
      return true;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    if (errno == EINTR)
      continue;
    timed_out_ = errno == EAGAIN || errno == EWOULDBLOCK;
    recv_errno_ = errno;
    return false;
  }
}

bool http_client::peer_closed(std::chrono::milliseconds wait) {
  pollfd p{fd_, POLLIN | POLLRDHUP, 0};
  if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0)
    return false;
  char c;
  const auto n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0)
    return true;
  return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

http_response http_client::read_response(const std::string& what,
                                         bool head_request) {
  http_response res;
  // Ends the exchange without a response; only a timeout or a malformed
  // response fails the test, a closed connection is a result.
  auto give_up = [&](const std::string& stage) {
    res = http_response{};
    if (timed_out_) {
      res.error = "no response within " + std::to_string(timeout_.count())
                  + " ms " + stage;
      if (fail_on_timeout_)
        CAF_ERROR(what << ": " << res.error);
    } else if (eof_) {
      res.error = "connection closed " + stage;
      res.closed_by_server = true;
    } else {
      res.error = "receive failed " + stage + ": " + std::strerror(recv_errno_);
      res.closed_by_server = recv_errno_ == ECONNRESET;
    }
    close();
    return res;
  };
  auto malformed = [&](const std::string& detail) {
    res = http_response{};
    res.error = "malformed response: " + detail;
    CAF_ERROR(what << ": " << res.error);
    close();
    return res;
  };
  // The head; interim 1xx responses are skipped.
  for (;;) {
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos)
      if (!fill())
        return give_up(buf_.empty() ? "before a response"
                                    : "inside the response head");
    const auto head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    const auto line_end = std::min(head.find("\r\n"), head.size());
    const auto status_line = head.substr(0, line_end);
    // "HTTP/1.1 200 OK"
    if (status_line.compare(0, 7, "HTTP/1.") != 0 || status_line.size() < 12
        || status_line[8] != ' '
        || !std::all_of(status_line.begin() + 9, status_line.begin() + 12,
                        [](unsigned char c) { return std::isdigit(c); }))
      return malformed("status line `" + status_line + "`");
    res.status = std::stoi(status_line.substr(9, 3));
    res.headers.clear();
    if (!parse_fields(head.substr(std::min(line_end + 2, head.size())),
                      res.headers))
      return malformed("header fields of `" + status_line + "`");
    if (res.status >= 200)
      break;
  }
  const bool no_body = head_request || res.status == 204 || res.status == 304;
  const auto length = res.header("content-length");
  bool until_eof = false;
  if (no_body) {
    // nop
  } else if (lower(res.header("transfer-encoding")).find("chunked")
             != std::string::npos) {
    for (;;) {
      size_t eol;
      while ((eol = buf_.find("\r\n")) == std::string::npos)
        if (!fill())
          return give_up("inside a chunk size line");
      const auto size_text = buf_.substr(0, buf_.find_first_of(";\r"));
      if (size_text.empty() || size_text.size() > 15
          || size_text.find_first_not_of("0123456789abcdefABCDEF")
                 != std::string::npos)
        return malformed("chunk size `" + size_text + "`");
      const auto size = std::stoul(size_text, nullptr, 16);
      buf_.erase(0, eol + 2);
      if (size == 0)
        break;
      while (buf_.size() < size + 2)
        if (!fill())
          return give_up("inside a chunk");
      if (buf_.compare(size, 2, "\r\n") != 0)
        return malformed("chunk without CRLF");
      res.body.append(buf_, 0, size);
      buf_.erase(0, size + 2);
    }
    // Trailer fields, up to an empty line.
    for (;;) {
      size_t eol;
      while ((eol = buf_.find("\r\n")) == std::string::npos)
        if (!fill())
          return give_up("inside the trailer");
      const auto line = buf_.substr(0, eol);
      buf_.erase(0, eol + 2);
      if (line.empty())
        break;
      if (!parse_fields(line, res.headers))
        return malformed("trailer field `" + line + "`");
    }
  } else if (!length.empty()) {
    if (length.size() > 15
        || length.find_first_not_of("0123456789") != std::string::npos)
      return malformed("Content-Length `" + length + "`");
    const auto size = std::stoul(length);
    while (buf_.size() < size)
      if (!fill())
        return give_up("inside the body");
    res.body = buf_.substr(0, size);
    buf_.erase(0, size);
  } else {
    // No length: the body ends with the connection.
    until_eof = true;
    while (fill())
      continue;
    if (!eof_)
      return give_up("inside a body delimited by the connection's end");
    res.body = std::move(buf_);
  }
  if (until_eof)
    res.closed_by_server = true;
  else if (!buf_.empty())
    res.closed_by_server = false; // more data follows: not closed
  else if (lower(res.header("connection")).find("close") != std::string::npos)
    res.closed_by_server = true;
  else
    res.closed_by_server = peer_closed(close_wait_);
  if (res.closed_by_server)
    close();
  return res;
}

http_response http_client::request(const std::string& method,
                                   const std::string& target,
                                   const std::string& body,
                                   const std::vector<http_header>& headers) {
  const auto what
      = method + " " + target + " on 127.0.0.1:" + std::to_string(port_);
  http_response res;
  if (!ensure_connected(res.error))
    return res;
  std::string bytes = method + " " + target + " HTTP/1.1\r\n";
  if (!has_header(headers, "host"))
    bytes += "Host: 127.0.0.1:" + std::to_string(port_) + "\r\n";
  for (const auto& [name, value] : headers)
    bytes += name + ": " + value + "\r\n";
  if (!body.empty() && !has_header(headers, "content-type"))
    bytes += "Content-Type: application/json\r\n";
  const bool sends_length = !body.empty() || method == "POST" || method == "PUT"
                            || method == "PATCH";
  if (sends_length && !has_header(headers, "content-length")
      && !has_header(headers, "transfer-encoding"))
    bytes += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  bytes += "\r\n";
  bytes += body;
  // A server may answer and close before reading everything (413): the
  // response is still worth reading when the send fails.
  const int send_errno = send_all(bytes) ? 0 : errno;
  res = read_response(what, method == "HEAD");
  if (send_errno != 0 && res.status == 0)
    res.error = std::string{"send failed: "} + std::strerror(send_errno) + "; "
                + res.error;
  return res;
}

http_response http_client::send_raw(const std::string& bytes) {
  const auto what = "raw `" + bytes.substr(0, bytes.find("\r\n"))
                    + "` on 127.0.0.1:" + std::to_string(port_);
  http_response res;
  if (!ensure_connected(res.error))
    return res;
  const int send_errno = send_all(bytes) ? 0 : errno;
  res = read_response(what, false);
  if (send_errno != 0 && res.status == 0)
    res.error = std::string{"send failed: "} + std::strerror(send_errno) + "; "
                + res.error;
  return res;
}

http_response http_get_once(uint16_t port, const std::string& target) {
  http_client client{port};
  return client.request("GET", target, "", {{"Connection", "close"}});
}

} // namespace tasks::test
