// Route registration: every handler gets its request decoded into a reply
// with the caller's address, user agent and token, and each file below adds
// one group of SPEC §4 endpoints.
#pragma once

#include <functional>
#include <string>

#include <pistache/router.h>

#include "http/context.hpp"
#include "http/reply.hpp"

namespace tasks::http {

/// Largest accepted request body (SPEC §4: 413 above it).
inline constexpr size_t max_body_bytes = 1 << 20;

/// Room for the request line and headers on top of the body.
inline constexpr size_t max_head_bytes = 64 << 10;

/// A route handler; `request` is valid only during the call.
using route_handler = std::function<void(const Pistache::Rest::Request& request,
                                         const reply_ptr& r)>;

/// A handler written as a plain function of the context.
using context_handler
    = void (*)(api_context& ctx, const Pistache::Rest::Request& request,
               const reply_ptr& r);

/// add_route() for a plain function of the context.
void add_route(Pistache::Rest::Router& router, api_context& ctx,
               Pistache::Http::Method method, const std::string& pattern,
               context_handler handler);

/// What a reply needs to know of `request`, served by `route`.
request_info info_of(const Pistache::Http::Request& request,
                     const std::string& route);

/// A request header as the client sent it (the connection guard renames
/// client headers so Pistache never parses them); empty when absent.
std::string raw_header(const Pistache::Http::Request& request,
                       const char* name);

/// Registers `handler` for `method` and `pattern`. While the service drains,
/// requests other than GET /api/health get 503; an exception escaping the
/// handler becomes a 500 without details.
void add_route(Pistache::Rest::Router& router, api_context& ctx,
               Pistache::Http::Method method, const std::string& pattern,
               route_handler handler);

/// Checks the body of a request: 413 over max_body_bytes (closing the
/// connection), 415 when a body is not declared as JSON, 400 when a body is
/// required and empty. False when it answered.
bool accept_json_body(const Pistache::Rest::Request& request, reply& r,
                      bool required);

/// A path parameter as a positive integer id; answers 400 and returns 0 when
/// it is not one.
uint64_t id_param(const Pistache::Rest::Request& request, reply& r,
                  const char* name, const char* field);

/// Answers every other method of each registered pattern with a JSON 405
/// and an Allow header (Pistache's own 405 is plain text). Call last.
void add_method_fallbacks(Pistache::Rest::Router& router, api_context& ctx);

void add_task_routes(Pistache::Rest::Router& router, api_context& ctx);
void add_auth_routes(Pistache::Rest::Router& router, api_context& ctx);
void add_server_routes(Pistache::Rest::Router& router, api_context& ctx);
void add_user_routes(Pistache::Rest::Router& router, api_context& ctx);
void add_audit_routes(Pistache::Rest::Router& router, api_context& ctx);
void add_meta_routes(Pistache::Rest::Router& router, api_context& ctx);
void add_ui_routes(Pistache::Rest::Router& router, api_context& ctx);

} // namespace tasks::http
