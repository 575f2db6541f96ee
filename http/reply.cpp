// Sending one request's answer exactly once (see reply.hpp).
#include "http/reply.hpp"

#include <sys/socket.h>

#include <algorithm>

#include <caf/sec.hpp>

#include <pistache/peer.h>

#include "core/error.hpp"
#include "core/log.hpp"
#include "http/json_out.hpp"
#include "http/metrics.hpp"

namespace tasks::http {

namespace {

using Pistache::Http::Code;

/// A response header with a name chosen at run time.
class named_header : public Pistache::Http::Header::Header {
public:
  named_header(std::string name, std::string value)
      : name_(std::move(name)), value_(std::move(value)) {
    // nop
  }

  const char* name() const override { return name_.c_str(); }

  void write(std::ostream& os) const override { os << value_; }

  uint64_t hash() const override {
    return Pistache::Http::Header::detail::hash(name_.c_str());
  }

private:
  std::string name_;
  std::string value_;
};

/// The API's media type, built once rather than parsed on every answer.
const Pistache::Http::Mime::MediaType& json_media_type() {
  static const Pistache::Http::Mime::MediaType type = MIME(Application, Json);
  return type;
}

bool is_internal(Code code) {
  return static_cast<int>(code) >= 500 && code != Code::Service_Unavailable;
}

} // namespace

std::pair<Code, std::string_view> status_of(const caf::error& err) {
  if (err.category() == caf::atom("tasks")) {
    switch (static_cast<errc>(err.code())) {
      case errc::invalid_argument: return {Code::Bad_Request, "invalid_input"};
      case errc::not_found: return {Code::Not_Found, "not_found"};
      case errc::conflict: return {Code::Conflict, "conflict"};
      case errc::already_exists: return {Code::Conflict, "already_exists"};
      case errc::unauthenticated: return {Code::Unauthorized, "unauthorized"};
      case errc::forbidden: return {Code::Forbidden, "forbidden"};
      case errc::queue_full: return {Code::Too_Many_Requests, "queue_full"};
      case errc::throttled: return {Code::Too_Many_Requests, "throttled"};
      case errc::shutting_down:
        return {Code::Service_Unavailable, "shutting_down"};
      default: break;
    }
  } else if (err == caf::sec::request_timeout) {
    return {Code::Service_Unavailable, "busy"};
  }
  return {Code::Internal_Server_Error, "internal_error"};
}

reply::reply(Pistache::Http::ResponseWriter writer, request_info info,
             metrics& counters, reply_gate& gate)
    : writer_(std::move(writer)), info_(std::move(info)), counters_(counters),
      gate_(gate) {
  ++gate_.in_flight;
}

reply::~reply() {
  if (!done_)
    error(Code::Internal_Server_Error, "internal_error",
          "internal error: the request was not answered");
}

bool reply::send(Code code, const std::string& json,
                 const std::vector<extra_header>& headers) {
  return send_as(code, json, "application/json", headers);
}

bool reply::send_as(Code code, const std::string& body,
                    const std::string& media_type,
                    const std::vector<extra_header>& headers) {
  if (done_.exchange(true))
    return false;
  --gate_.in_flight;
  std::shared_lock<std::shared_mutex> guard{gate_.mutex};
  if (gate_.closed)
    return false;
  counters_.count_request(info_.method, info_.route, static_cast<int>(code));
  // Holding the peer across send() also closes an expired()/lock() race
  // inside Pistache 0.0.5's ResponseWriter::send().
  auto peer = writer_.getPeer();
  if (!peer)
    return false;
  using namespace Pistache::Http;
  auto& out = writer_.headers();
  out.remove<Header::Connection>();
  out.add<Header::Connection>(info_.keep_alive ? ConnectionControl::KeepAlive
                                               : ConnectionControl::Close);
  // API answers are never cached; a page may ask for revalidation instead.
  auto own_cache_control
      = std::any_of(headers.begin(), headers.end(),
                    [](const auto& h) { return h.first == "Cache-Control"; });
  if (!own_cache_control)
    out.add<Header::CacheControl>(CacheDirective::NoStore);
  out.add(std::make_shared<named_header>("X-Content-Type-Options", "nosniff"));
  for (const auto& [name, value] : headers)
    out.add(std::make_shared<named_header>(name, value));
  auto written = writer_.send(code, body,
                              media_type == "application/json"
                                  ? json_media_type()
                                  : Mime::MediaType::fromString(media_type));
  if (info_.keep_alive) {
    written.then([](ssize_t) {}, [](std::exception_ptr) {});
  } else {
    // Pistache never closes a connection itself: shut it down once the
    // answer is out, on the reactor thread that owns it.
    written.then(
        [peer](ssize_t) { ::shutdown(peer->fd(), SHUT_RDWR); },
        [peer](std::exception_ptr) { ::shutdown(peer->fd(), SHUT_RDWR); });
  }
  return true;
}

bool reply::fail(const caf::error& err) {
  auto [code, name] = status_of(err);
  if (is_internal(code)) {
    log::error("{} {}: {}", info_.method, info_.route, message_of(err));
    return error(code, name, "internal error; the service log has details");
  }
  if (code == Code::Service_Unavailable && name == "busy")
    return error(code, name, "the service is busy; retry shortly");
  std::vector<extra_header> headers;
  if (code == Code::Unauthorized)
    headers.emplace_back("WWW-Authenticate", "Bearer");
  auto body = error_body(name, message_of(err));
  return send(code, body, headers);
}

bool reply::error(Code code, std::string_view error_code,
                  std::string_view message) {
  return send(code, error_body(error_code, message));
}

} // namespace tasks::http
