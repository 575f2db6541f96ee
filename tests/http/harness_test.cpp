// The test HTTP client against a canned in-process server: framing,
// keep-alive, close detection and the request fields it adds.
#define CAF_SUITE http.harness
#include <caf/test/unit_test.hpp>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/http_client.hpp"
#include "support/tasksd_process.hpp"

using namespace tasks::test;

namespace {

/// A tiny HTTP server on 127.0.0.1, one thread per connection, answering
/// canned responses chosen by the request target. It records every request
/// and counts accepted connections.
class canned_server {
public:
  canned_server() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    CAF_REQUIRE(listen_fd_ >= 0);
    CAF_REQUIRE(
        ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr)
        == 0);
    CAF_REQUIRE(::listen(listen_fd_, 16) == 0);
    CAF_REQUIRE(
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len)
        == 0);
    port_ = ntohs(addr.sin_port);
    CAF_REQUIRE(::pipe2(wake_, O_CLOEXEC) == 0);
    acceptor_ = std::thread{[this] { accept_loop(); }};
  }

  ~canned_server() {
    // Closing the write end makes the read end readable for every poller.
    ::close(wake_[1]);
    acceptor_.join();
    for (auto& t : connections_)
      t.join();
    ::close(wake_[0]);
    ::close(listen_fd_);
  }

  canned_server(const canned_server&) = delete;
  canned_server& operator=(const canned_server&) = delete;

  uint16_t port() const { return port_; }

  /// Connections accepted so far.
  int accepts() const { return accepts_; }

  /// The last request as received: head and body.
  std::string last_request() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return requests_.empty() ? std::string{} : requests_.back();
  }

private:
  /// Waits until `fd` is readable; false when the server stops.
  bool wait_readable(int fd) {
    pollfd fds[] = {{fd, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    while (::poll(fds, 2, -1) < 0)
      continue; // EINTR
    return (fds[1].revents & (POLLIN | POLLHUP)) == 0;
  }

  void accept_loop() {
    // Only the acceptor touches connections_ before the destructor joins.
    while (wait_readable(listen_fd_)) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0)
        continue;
      ++accepts_;
      connections_.emplace_back([this, fd] {
        serve(fd);
        ::close(fd);
      });
    }
  }

  /// Reads one request into `request`; false when the peer or server stops.
  bool read_request(int fd, std::string& buf, std::string& request) {
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos)
      if (!receive(fd, buf))
        return false;
    const auto head = buf.substr(0, end + 4);
    size_t length = 0;
    if (auto pos = head.find("Content-Length: "); pos != std::string::npos)
      length = std::stoul(head.substr(pos + 16));
    while (buf.size() < head.size() + length)
      if (!receive(fd, buf))
        return false;
    request = buf.substr(0, head.size() + length);
    buf.erase(0, request.size());
    return true;
  }

  bool receive(int fd, std::string& buf) {
    if (!wait_readable(fd))
      return false;
    char chunk[4096];
    const auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0)
      return false;
    buf.append(chunk, static_cast<size_t>(n));
    return true;
  }

  static void send_all(int fd, const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      const auto n
          = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0)
        return;
      sent += static_cast<size_t>(n);
    }
  }

  static std::string chunk(const std::string& data,
                           const std::string& extension = "") {
    char size[32];
    std::snprintf(size, sizeof size, "%zx", data.size());
    return size + extension + "\r\n" + data + "\r\n";
  }

  /// Answers requests until the peer leaves or a canned response closes.
  void serve(int fd) {
    std::string buf;
    std::string request;
    while (read_request(fd, buf, request)) {
      {
        std::lock_guard<std::mutex> guard{mtx_};
        requests_.push_back(request);
      }
      const auto target_end = request.find(' ', request.find(' ') + 1);
      const auto target = request.substr(request.find(' ') + 1,
                                         target_end - request.find(' ') - 1);
      const bool head = request.compare(0, 5, "HEAD ") == 0;
      const bool close_asked
          = request.find("Connection: close\r\n") != std::string::npos;
      if (target == "/length") {
        const std::string body = R"({"ok":true})";
        send_all(fd, "HTTP/1.1 200 OK\r\n"
                     "Content-Type: application/json\r\n"
                     "X-Repeat: a\r\n"
                     "x-repeat: b\r\n"
                     "Content-Length: "
                         + std::to_string(body.size()) + "\r\n\r\n"
                         + (head ? "" : body));
      } else if (target == "/chunked") {
        send_all(fd, "HTTP/1.1 200 OK\r\n"
                     "Transfer-Encoding: chunked\r\n"
                     "Trailer: X-Trailer\r\n\r\n"
                         + chunk("hello", ";ext=1")
                         + chunk(std::string(70000, 'x')) + "0\r\n"
                         + "X-Trailer: done\r\n\r\n");
      } else if (target == "/close") {
        send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbye");
        return;
      } else if (target == "/connection-close") {
        // Says close but keeps the socket until the client goes.
        send_all(fd, "HTTP/1.1 503 Service Unavailable\r\n"
                     "Connection: close\r\nContent-Length: 0\r\n\r\n");
      } else if (target == "/eof") {
        send_all(fd, "HTTP/1.1 200 OK\r\n\r\nuntil the end");
        return;
      } else if (target == "/drop") {
        return;
      } else if (target == "/silent") {
        continue; // never answers; waits for the next request or the end
      } else if (target == "/continue") {
        send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n"
                     "HTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone");
      } else if (target == "/no-content") {
        send_all(fd, "HTTP/1.1 204 No Content\r\n\r\n");
      } else {
        send_all(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      }
      if (close_asked)
        return;
    }
  }

  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::atomic<int> accepts_{0};
  mutable std::mutex mtx_;
  std::vector<std::string> requests_;
  std::thread acceptor_;
  std::vector<std::thread> connections_;
};

/// Occurrences of `needle` in `text`.
size_t count(const std::string& text, const std::string& needle) {
  size_t result = 0;
  for (auto pos = text.find(needle); pos != std::string::npos;
       pos = text.find(needle, pos + 1))
    ++result;
  return result;
}

struct fixture {
  canned_server server;
  http_client client{server.port()};
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(http_harness_tests, fixture)

CAF_TEST(content_length_response_carries_status_headers_and_body) {
  auto res = client.request("GET", "/length");
  CAF_CHECK_EQUAL(res.status, 200);
  CAF_CHECK_EQUAL(res.error, "");
  CAF_CHECK_EQUAL(res.header("Content-Type"), "application/json");
  CAF_CHECK_EQUAL(res.headers.count("content-type"), 1u);
  CAF_CHECK_EQUAL(res.header("x-repeat"), "a, b");
  CAF_CHECK_EQUAL(res.header("x-missing"), "");
  CAF_CHECK_EQUAL(res.body, R"({"ok":true})");
  CAF_CHECK(!res.closed_by_server);
  CAF_CHECK(client.connected());
}

CAF_TEST(keep_alive_connection_is_reused) {
  auto first = client.request("GET", "/length");
  auto second = client.request("GET", "/length");
  CAF_CHECK_EQUAL(first.status, 200);
  CAF_CHECK_EQUAL(second.status, 200);
  CAF_CHECK(!first.closed_by_server);
  CAF_CHECK(!second.closed_by_server);
  CAF_CHECK_EQUAL(server.accepts(), 1);
}

CAF_TEST(chunked_response_is_reassembled_with_its_trailer) {
  auto res = client.request("GET", "/chunked");
  CAF_CHECK_EQUAL(res.status, 200);
  CAF_CHECK_EQUAL(res.body.size(), 70005u);
  CAF_CHECK_EQUAL(res.body.substr(0, 6), "hellox");
  CAF_CHECK_EQUAL(count(res.body, "x"), 70000u);
  CAF_CHECK_EQUAL(res.header("x-trailer"), "done");
  CAF_CHECK(!res.closed_by_server);
  // The whole message was consumed: the connection serves the next one.
  CAF_CHECK_EQUAL(client.request("GET", "/length").body, R"({"ok":true})");
  CAF_CHECK_EQUAL(server.accepts(), 1);
}

CAF_TEST(close_after_the_response_is_noticed_and_the_next_request_reconnects) {
  auto res = client.request("GET", "/close");
  CAF_CHECK_EQUAL(res.status, 200);
  CAF_CHECK_EQUAL(res.body, "bye");
  CAF_CHECK(res.closed_by_server);
  CAF_CHECK(!client.connected());
  auto next = client.request("GET", "/length");
  CAF_CHECK_EQUAL(next.status, 200);
  CAF_CHECK_EQUAL(server.accepts(), 2);
}

CAF_TEST(connection_close_header_counts_as_closed) {
  auto res = client.request("GET", "/connection-close");
  CAF_CHECK_EQUAL(res.status, 503);
  CAF_CHECK_EQUAL(res.body, "");
  CAF_CHECK(res.closed_by_server);
  CAF_CHECK(!client.connected());
}

CAF_TEST(body_without_length_ends_with_the_connection) {
  auto res = client.request("GET", "/eof");
  CAF_CHECK_EQUAL(res.status, 200);
  CAF_CHECK_EQUAL(res.body, "until the end");
  CAF_CHECK(res.closed_by_server);
}

CAF_TEST(interim_and_bodiless_responses_keep_the_connection_in_step) {
  auto created = client.request("POST", "/continue", R"({"a":1})");
  CAF_CHECK_EQUAL(created.status, 201);
  CAF_CHECK_EQUAL(created.body, "done");
  auto empty = client.request("DELETE", "/no-content");
  CAF_CHECK_EQUAL(empty.status, 204);
  CAF_CHECK_EQUAL(empty.body, "");
  auto head = client.request("HEAD", "/length");
  CAF_CHECK_EQUAL(head.status, 200);
  CAF_CHECK_EQUAL(head.header("content-length"), "11");
  CAF_CHECK_EQUAL(head.body, "");
  CAF_CHECK_EQUAL(client.request("GET", "/length").body, R"({"ok":true})");
  CAF_CHECK_EQUAL(server.accepts(), 1);
}

CAF_TEST(requests_carry_host_length_type_and_authorization) {
  const auto host = "Host: 127.0.0.1:" + std::to_string(server.port());
  client.request("POST", "/length", R"({"a":1})", {bearer("tsk_abc")});
  auto sent = server.last_request();
  const auto start = "POST /length HTTP/1.1\r\n" + host + "\r\n";
  CAF_CHECK_EQUAL(sent.substr(0, start.size()), start);
  CAF_CHECK_EQUAL(count(sent, "\r\nContent-Length: 7\r\n"), 1u);
  CAF_CHECK_EQUAL(count(sent, "\r\nContent-Type: application/json\r\n"), 1u);
  CAF_CHECK_EQUAL(count(sent, "\r\nAuthorization: Bearer tsk_abc\r\n"), 1u);
  CAF_CHECK_EQUAL(sent.substr(sent.size() - 11), "\r\n\r\n{\"a\":1}");
  client.request("GET", "/length");
  sent = server.last_request();
  CAF_CHECK_EQUAL(count(sent, host), 1u);
  CAF_CHECK_EQUAL(count(sent, "Content-Length"), 0u);
  CAF_CHECK_EQUAL(count(sent, "Content-Type"), 0u);
  client.request("POST", "/length");
  CAF_CHECK_EQUAL(count(server.last_request(), "\r\nContent-Length: 0\r\n"),
                  1u);
  client.request("PUT", "/length", "text", {{"content-type", "text/plain"}});
  sent = server.last_request();
  CAF_CHECK_EQUAL(count(sent, "content-type: text/plain\r\n"), 1u);
  CAF_CHECK_EQUAL(count(sent, "application/json"), 0u);
}

CAF_TEST(send_raw_sends_verbatim_and_reads_one_response) {
  const std::string raw = "GET /length HTTP/1.1\r\nHost: anything\r\n\r\n";
  auto res = client.send_raw(raw);
  CAF_CHECK_EQUAL(res.status, 200);
  CAF_CHECK_EQUAL(res.body, R"({"ok":true})");
  CAF_CHECK_EQUAL(server.last_request(), raw);
  CAF_CHECK(client.connected());
}

CAF_TEST(http_get_once_asks_to_close_a_fresh_connection) {
  auto res = http_get_once(server.port(), "/length");
  CAF_CHECK_EQUAL(res.status, 200);
  CAF_CHECK_EQUAL(res.body, R"({"ok":true})");
  CAF_CHECK(res.closed_by_server);
  CAF_CHECK_EQUAL(count(server.last_request(), "\r\nConnection: close\r\n"),
                  1u);
  CAF_CHECK_EQUAL(http_get_once(server.port(), "/length").status, 200);
  CAF_CHECK_EQUAL(server.accepts(), 2);
}

CAF_TEST(refused_and_dropped_connections_yield_status_zero) {
  uint16_t unused_port = 0;
  {
    canned_server gone;
    unused_port = gone.port();
  }
  http_client refused{unused_port};
  auto res = refused.request("GET", "/length");
  CAF_CHECK_EQUAL(res.status, 0);
  CAF_CHECK_NOT_EQUAL(res.error.find("Connection refused"), std::string::npos);
  CAF_CHECK(!refused.connected());
  auto dropped = client.request("GET", "/drop");
  CAF_CHECK_EQUAL(dropped.status, 0);
  CAF_CHECK(dropped.closed_by_server);
  CAF_CHECK_EQUAL(dropped.error, "connection closed before a response");
  CAF_CHECK(!client.connected());
  CAF_CHECK_EQUAL(client.request("GET", "/length").status, 200);
  CAF_CHECK_EQUAL(server.accepts(), 2);
}

CAF_TEST(silence_past_the_timeout_yields_status_zero_when_expected) {
  client.set_timeout(std::chrono::milliseconds(100));
  client.set_fail_on_timeout(false);
  auto res = client.request("GET", "/silent");
  CAF_CHECK_EQUAL(res.status, 0);
  CAF_CHECK_EQUAL(res.error, "no response within 100 ms before a response");
  CAF_CHECK(!client.connected());
}

CAF_TEST_FIXTURE_SCOPE_END()
