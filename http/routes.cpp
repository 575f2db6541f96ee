// Route registration and the checks every handler shares (see routes.hpp).
#include "http/routes.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "core/log.hpp"
#include "http/json_out.hpp"
#include "http/query.hpp"
#include "http/request_head.hpp"

namespace tasks::http {

namespace {

using namespace Pistache;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

/// A client header under its forwarded name (request_head.hpp).
std::string forwarded_value(const Http::Request& request,
                            const std::string& forwarded) {
  auto h = request.headers().tryGetRaw(forwarded);
  return h ? h->value() : std::string{};
}

// The names info_of() reads on every request, built once.
const std::string connection_header = forwarded_name("Connection");
const std::string authorization_header = forwarded_name("Authorization");
const std::string user_agent_header = forwarded_name("User-Agent");

/// HTTP/1.1 keeps the connection unless the client says close; HTTP/1.0
/// only when it asks for keep-alive.
bool wants_keep_alive(const Http::Request& request) {
  auto connection = lower(forwarded_value(request, connection_header));
  if (request.version() == Http::Version::Http10)
    return connection.find("keep-alive") != std::string::npos;
  return connection.find("close") == std::string::npos;
}

/// The token of `Authorization: Bearer <token>`; a header of another shape
/// yields a value the rbac actor rejects as malformed.
std::string bearer_token(const Http::Request& request) {
  auto value = forwarded_value(request, authorization_header);
  if (value.empty())
    return {};
  if (value.size() > 7 && lower(value.substr(0, 7)) == "bearer ")
    return value.substr(7);
  return "?";
}

} // namespace

std::string raw_header(const Http::Request& request, const char* name) {
  return forwarded_value(request, forwarded_name(name));
}

request_info info_of(const Http::Request& request, const std::string& route) {
  request_info info;
  info.route = route;
  info.method = Http::methodString(request.method());
  info.client_ip = request.address().host();
  info.user_agent = forwarded_value(request, user_agent_header).substr(0, 512);
  info.token = bearer_token(request);
  info.keep_alive = wants_keep_alive(request);
  return info;
}

void add_route(Rest::Router& router, api_context& ctx, Http::Method method,
               const std::string& pattern, route_handler handler) {
  auto wrapped = [&ctx, pattern,
                  handler = std::move(handler)](const Rest::Request& request,
                                                Http::ResponseWriter writer) {
    // Not make_shared: the deadline queue's weak reference would keep the
    // whole reply's memory for 25 s, not just the control block.
    reply_ptr r{new reply(std::move(writer), info_of(request, pattern),
                          ctx.counters, ctx.gate)};
    if (ctx.draining && pattern != "/api/health") {
      r->fail(make_error(errc::shutting_down,
                         "tasksd is shutting down; retry after it restarts"));
      return Rest::Route::Result::Ok;
    }
    try {
      handler(request, r);
    } catch (const std::exception& e) {
      log::error("{} {}: {}", r->info().method, pattern, e.what());
      r->error(Http::Code::Internal_Server_Error, "internal_error",
               "internal error; the service log has details");
    }
    return Rest::Route::Result::Ok;
  };
  router.addRoute(method, pattern, std::move(wrapped));
  ctx.methods_by_route[pattern].emplace_back(Http::methodString(method));
}

void add_route(Rest::Router& router, api_context& ctx, Http::Method method,
               const std::string& pattern, context_handler handler) {
  add_route(router, ctx, method, pattern,
            route_handler{[&ctx, handler](const Rest::Request& request,
                                          const reply_ptr& r) {
              handler(ctx, request, r);
            }});
}

void add_method_fallbacks(Rest::Router& router, api_context& ctx) {
  const Http::Method methods[]
      = {Http::Method::Get, Http::Method::Post, Http::Method::Put,
         Http::Method::Delete, Http::Method::Patch};
  for (const auto& [pattern, allowed] : ctx.methods_by_route) {
    std::string allow;
    for (const auto& name : allowed)
      allow += (allow.empty() ? "" : ", ") + name;
    for (auto method : methods) {
      std::string name = Http::methodString(method);
      if (std::find(allowed.begin(), allowed.end(), name) != allowed.end())
        continue;
      router.addRoute(
          method, pattern,
          [&ctx, pattern, name, allow](const Rest::Request& request,
                                       Http::ResponseWriter w) {
            request_info info = info_of(request, pattern);
            reply r{std::move(w), std::move(info), ctx.counters, ctx.gate};
            r.send(Http::Code::Method_Not_Allowed,
                   error_body("method_not_allowed",
                              name + " is not allowed here; use " + allow),
                   {{"Allow", allow}});
            return Rest::Route::Result::Ok;
          });
    }
  }
}

bool accept_json_body(const Rest::Request& request, reply& r, bool required) {
  const auto& body = request.body();
  if (body.size() > max_body_bytes) {
    r.close_after();
    r.error(Http::Code::Request_Entity_Too_Large, "payload_too_large",
            "the request is larger than 1 MiB; the connection is closed");
    return false;
  }
  if (body.empty()) {
    if (!required)
      return true;
    r.fail(make_error(errc::invalid_argument,
                      "body: empty; expected a JSON object"));
    return false;
  }
  auto type = lower(raw_header(request, "Content-Type"));
  auto media = type.substr(0, type.find(';'));
  media.erase(media.find_last_not_of(" \t") + 1);
  if (media != "application/json") {
    r.error(Http::Code::Unsupported_Media_Type, "unsupported_media_type",
            "Content-Type must be application/json");
    return false;
  }
  return true;
}

uint64_t id_param(const Rest::Request& request, reply& r, const char* name,
                  const char* field) {
  auto text = percent_decode(request.param(name).as<std::string>(), false);
  auto id = text ? parse_decimal(*text, UINT64_MAX) : std::nullopt;
  if (!id || *id == 0) {
    r.fail(make_error(errc::invalid_argument,
                      std::string{field} + ": must be a positive integer"));
    return 0;
  }
  return *id;
}

} // namespace tasks::http
