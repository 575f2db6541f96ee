// Validation of a request's head (request line and headers) before Pistache
// parses it. Pistache 0.0.5 answers malformed standard headers (Date, Host,
// Cache-Control, Content-Length, Content-Type, …) with a 500 or a plain-text
// 4xx carrying its exception text, and then keeps parsing the body as new
// requests. The guard therefore checks every head itself and hands Pistache
// a rewritten one whose header values Pistache never interprets.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tasks::http {

/// Prefix of the headers as Pistache sees them: `Authorization` arrives as
/// `x-tasksd-authorization`, so only the handlers read client header values.
inline constexpr std::string_view forwarded_prefix = "x-tasksd-";

/// The outcome of checking one head.
struct head_check {
  /// 0 when the head is acceptable; else the status code to answer with
  /// before closing the connection.
  int status = 0;
  /// The API error code and message of a refusal.
  std::string error;
  std::string message;
  /// The head to feed to Pistache (request line, Content-Length, renamed
  /// headers), ending with an empty line.
  std::string forwarded;
  /// Body bytes that follow the head.
  size_t content_length = 0;
  /// The client waits for `100 Continue` before sending the body.
  bool expect_continue = false;
};

/// Checks `head` (everything up to and including the empty line) of a
/// request whose body may have at most `max_body` bytes.
head_check check_head(std::string_view head, size_t max_body);

/// The name of a client header as the handlers find it, e.g.
/// forwarded_name("User-Agent") == "x-tasksd-user-agent".
std::string forwarded_name(std::string_view header);

} // namespace tasks::http
