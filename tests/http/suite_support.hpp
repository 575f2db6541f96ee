// Helpers shared by the HTTP suites that talk to a real tasksd: a raw
// socket that shows exactly what the server sends and when it closes, a
// minimal parse of raw responses, JSON bodies, and logging in.
#pragma once

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <caf/test/unit_test.hpp>
#include <rapidjson/document.h>

#include "support/http_client.hpp"

namespace tasks::test::wire {

/// Occurrences of `needle` in `text`.
inline size_t count_of(const std::string& text, const std::string& needle) {
  size_t result = 0;
  for (auto pos = text.find(needle); pos != std::string::npos;
       pos = text.find(needle, pos + needle.size()))
    ++result;
  return result;
}

/// Parses `text` into `doc`; false when it is not one JSON document.
inline bool parse_json(const std::string& text, rapidjson::Document& doc) {
  doc.Parse(text.c_str(), text.size());
  return !doc.HasParseError();
}

/// The string member `name` of a JSON object body, or "" when absent.
inline std::string json_string(const std::string& body, const char* name) {
  rapidjson::Document doc;
  if (!parse_json(body, doc) || !doc.IsObject() || !doc.HasMember(name)
      || !doc[name].IsString())
    return {};
  return doc[name].GetString();
}

/// The integer member `name` of a JSON object body, or -1 when absent.
inline int64_t json_int(const std::string& body, const char* name) {
  rapidjson::Document doc;
  if (!parse_json(body, doc) || !doc.IsObject() || !doc.HasMember(name)
      || !doc[name].IsInt64())
    return -1;
  return doc[name].GetInt64();
}

/// Logs in as `admin` and returns the token; fails the test otherwise.
inline std::string login_admin(uint16_t port, const std::string& password) {
  http_client client{port};
  std::string body = R"({"username":"admin","password":")" + password + "\"}";
  auto res = client.request("POST", "/api/auth/login", body,
                            {{"Connection", "close"}});
  auto token = json_string(res.body, "token");
  if (res.status != 200 || token.empty())
    CAF_FAIL("login as admin failed: " << res.status << " " << res.body);
  return token;
}

/// What a raw exchange saw.
struct transcript {
  /// Every byte the server sent.
  std::string received;
  /// The server closed (EOF or reset) before the deadline.
  bool closed = false;
};

/// One TCP connection to 127.0.0.1:port, driven byte by byte.
class raw_connection {
public:
  explicit raw_connection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CAF_REQUIRE(fd_ >= 0);
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      CAF_FAIL("connect 127.0.0.1:" << port << ": " << std::strerror(errno));
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }

  ~raw_connection() { close(); }

  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  int fd() const { return fd_; }

  void close() {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }

  /// Closes with a TCP reset instead of a FIN.
  void reset() {
    linger hard{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    close();
  }

  /// Sends `bytes` while collecting what the server sends, then keeps
  /// reading until the server closes or `timeout` passes. A failed send
  /// (the server closed early) only stops sending.
  transcript exchange(const std::string& bytes,
                      std::chrono::milliseconds timeout) {
    transcript out;
    out.received = std::move(pending_);
    pending_.clear();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    size_t sent = 0;
    bool can_send = true;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return out;
      const bool sending = can_send && sent < bytes.size();
      pollfd p{fd_, static_cast<short>(POLLIN | (sending ? POLLOUT : 0)), 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        continue;
      if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
        char chunk[65536];
        const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n > 0) {
          out.received.append(chunk, static_cast<size_t>(n));
        } else if (n == 0
                   || (errno != EAGAIN && errno != EWOULDBLOCK
                       && errno != EINTR)) {
          out.closed = true;
          return out;
        }
      }
      if (sending && (p.revents & POLLOUT)) {
        const auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent,
                              MSG_NOSIGNAL);
        if (n > 0)
          sent += static_cast<size_t>(n);
        else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
          can_send = false;
      }
    }
  }

  /// Sends `bytes` and reads one response (see read_response).
  std::string request(const std::string& bytes,
                      std::chrono::milliseconds timeout
                      = std::chrono::seconds(10)) {
    if (!send(bytes))
      return {};
    return read_response(timeout);
  }

  /// Sends all of `bytes`; false when the server is gone.
  bool send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, 10'000) <= 0)
        return false;
      const auto n
          = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n > 0)
        sent += static_cast<size_t>(n);
      else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        return false;
    }
    return true;
  }

  /// Reads one response with a Content-Length body (or none); "" when none
  /// arrives within `timeout`. Bytes past it are kept for later.
  std::string read_response(std::chrono::milliseconds timeout
                            = std::chrono::seconds(10)) {
    std::string buf = std::move(pending_);
    pending_.clear();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto end = buf.find("\r\n\r\n");
      if (end != std::string::npos) {
        const auto length_text
            = header_of(buf.substr(0, end + 2), "content-length");
        const size_t length = length_text.empty() ? 0 : std::stoul(length_text);
        if (buf.size() >= end + 4 + length) {
          pending_ = buf.substr(end + 4 + length);
          return buf.substr(0, end + 4 + length);
        }
      }
      if (!receive(buf, deadline)) {
        pending_ = std::move(buf);
        return {};
      }
    }
  }

  /// Whether the server closes the connection within `timeout`, sending
  /// nothing more before.
  bool closed_within(std::chrono::milliseconds timeout) {
    std::string buf;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (receive(buf, deadline))
      continue;
    pending_ += buf;
    return eof_ && buf.empty();
  }

  /// Whether the server is silent for `time` and keeps the connection.
  bool open_and_silent_for(std::chrono::milliseconds time) {
    std::string buf;
    const auto deadline = std::chrono::steady_clock::now() + time;
    while (receive(buf, deadline))
      continue;
    pending_ += buf;
    return !eof_ && buf.empty();
  }

  /// The value of header `name` (lower case) in a raw response head.
  static std::string header_of(const std::string& head,
                               const std::string& name) {
    std::string lowered = head;
    for (auto& c : lowered)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = lowered.find("\r\n" + name + ":");
    if (at == std::string::npos)
      return {};
    auto begin = at + 3 + name.size();
    auto end = head.find("\r\n", begin);
    auto value = head.substr(begin, end - begin);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t") + 1);
    return value;
  }

  /// The status code of a raw response, 0 when there is none.
  static int status_of(const std::string& response) {
    if (response.compare(0, 7, "HTTP/1.") != 0 || response.size() < 12)
      return 0;
    return std::atoi(response.c_str() + 9);
  }

  /// The body of a raw response.
  static std::string body_of(const std::string& response) {
    auto end = response.find("\r\n\r\n");
    return end == std::string::npos ? std::string{} : response.substr(end + 4);
  }

private:
  /// Appends what arrives before `deadline`; false on EOF, error or time.
  bool receive(std::string& buf,
               std::chrono::steady_clock::time_point deadline) {
    eof_ = false;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return false;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
        continue;
      char chunk[65536];
      const auto n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n > 0) {
        buf.append(chunk, static_cast<size_t>(n));
        return true;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        continue;
      eof_ = true; // EOF or reset: the server is gone either way
      return false;
    }
  }

  int fd_ = -1;
  std::string pending_;
  bool eof_ = false;
};

} // namespace tasks::test::wire
