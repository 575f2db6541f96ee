// Validation of a request's head (see request_head.hpp).
#include "http/request_head.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "http/query.hpp"

namespace tasks::http {

namespace {

head_check refuse(int status, std::string error, std::string message) {
  head_check result;
  result.status = status;
  result.error = std::move(error);
  result.message = std::move(message);
  return result;
}

head_check bad_request(std::string message) {
  return refuse(400, "bad_request", std::move(message));
}

bool is_token_char(unsigned char c) {
  return std::isalnum(c)
         || std::string_view{"!#$%&'*+-.^_`|~"}.find(c)
                != std::string_view::npos;
}

std::string lower(std::string_view text) {
  std::string out{text};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  return text;
}

/// The methods the API serves; anything else is refused before routing.
bool known_method(std::string_view method) {
  for (auto name : {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"})
    if (method == name)
      return true;
  return false;
}

/// Checks `METHOD SP target SP HTTP/1.x`.
head_check check_request_line(std::string_view line) {
  auto first = line.find(' ');
  auto last = line.rfind(' ');
  if (first == std::string_view::npos || first == last)
    return bad_request("malformed request line");
  auto method = line.substr(0, first);
  auto target = line.substr(first + 1, last - first - 1);
  auto version = line.substr(last + 1);
  if (!known_method(method))
    return refuse(405, "method_not_allowed",
                  "method " + std::string{method} + " is not supported");
  if (version != "HTTP/1.1" && version != "HTTP/1.0")
    return refuse(505, "http_version_not_supported",
                  "only HTTP/1.1 and HTTP/1.0 are served");
  if (target.empty() || target.front() != '/')
    return bad_request("the request target must be a path starting with /");
  for (unsigned char c : target)
    if (c <= 0x20 || c >= 0x7f)
      return bad_request("the request target contains a byte that must be "
                         "percent-encoded");
  // Pistache keeps the first of repeated parameters; refuse them instead of
  // applying half of what the client asked for.
  if (auto query = target.find('?'); query != std::string_view::npos) {
    std::set<std::string> names;
    auto rest = target.substr(query + 1);
    while (!rest.empty()) {
      auto pair = rest.substr(0, rest.find('&'));
      rest.remove_prefix(std::min(rest.size(), pair.size() + 1));
      auto name = percent_decode(pair.substr(0, pair.find('=')), true);
      if (name && !name->empty() && !names.insert(*name).second)
        return bad_request(*name + ": query parameter given more than once");
    }
  }
  return {};
}

} // namespace

std::string forwarded_name(std::string_view header) {
  return std::string{forwarded_prefix} + lower(header);
}

head_check check_head(std::string_view head, size_t max_body) {
  // Empty lines before a request are allowed (RFC 9112 §2.2).
  while (head.substr(0, 2) == "\r\n")
    head.remove_prefix(2);
  auto line_end = head.find("\r\n");
  if (line_end == std::string_view::npos)
    return bad_request("malformed request line");
  auto request_line = head.substr(0, line_end);
  if (auto bad = check_request_line(request_line); bad.status != 0)
    return bad;
  head_check result;
  result.forwarded.reserve(head.size() + 64);
  result.forwarded.append(request_line).append("\r\n");
  std::optional<size_t> content_length;
  auto rest = head.substr(line_end + 2);
  while (!rest.empty() && rest.substr(0, 2) != "\r\n") {
    auto end = rest.find("\r\n");
    if (end == std::string_view::npos)
      return bad_request("malformed header section");
    auto line = rest.substr(0, end);
    rest.remove_prefix(end + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0)
      return bad_request("malformed header line (expected Name: value)");
    auto name = line.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return is_token_char(c); }))
      return bad_request("malformed header name (folded lines and spaces "
                         "before the colon are not accepted)");
    auto value = trim(line.substr(colon + 1));
    for (unsigned char c : value)
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return bad_request("header " + std::string{name}
                           + ": contains a control character");
    auto key = lower(name);
    if (key == "transfer-encoding")
      return refuse(411, "length_required",
                    "chunked request bodies are not accepted; send "
                    "Content-Length");
    if (key == "content-length") {
      auto length = parse_decimal(value, SIZE_MAX);
      if (!length)
        return bad_request("header Content-Length: must be a decimal number");
      if (content_length && *content_length != *length)
        return bad_request("header Content-Length: given twice with "
                           "different values");
      content_length = *length;
      continue;
    }
    if (key == "expect") {
      if (lower(value) != "100-continue")
        return refuse(417, "expectation_failed",
                      "only Expect: 100-continue is supported");
      result.expect_continue = true;
      continue;
    }
    result.forwarded.append(forwarded_prefix).append(key).append(": ");
    result.forwarded.append(value).append("\r\n");
  }
  if (rest.substr(0, 2) != "\r\n")
    return bad_request("malformed header section");
  result.content_length = content_length.value_or(0);
  if (result.content_length > max_body)
    return refuse(413, "payload_too_large",
                  "the request body is larger than 1 MiB; the connection "
                  "is closed");
  if (content_length)
    result.forwarded
        += "Content-Length: " + std::to_string(*content_length) + "\r\n";
  else
    result.expect_continue = false;
  if (result.content_length == 0)
    result.expect_continue = false;
  result.forwarded += "\r\n";
  return result;
}

} // namespace tasks::http
