// Login, logout and the caller's own identity.
#include <caf/all.hpp>

#include "core/error.hpp"
#include "core/time.hpp"
#include "http/async.hpp"
#include "http/json_in.hpp"
#include "http/json_out.hpp"
#include "http/routes.hpp"

namespace tasks::http {

namespace {

using namespace Pistache;

caf::expected<login_request> parse_login(const std::string& body) {
  login_request request;
  bool has_username = false;
  bool has_password = false;
  auto err = read_object(body, {{"username",
                                 [&](json_field& f) -> caf::error {
                                   auto text = f.string(1, 256);
                                   if (!text)
                                     return text.error();
                                   request.username = std::move(*text);
                                   has_username = true;
                                   return {};
                                 }},
                                {"password", [&](json_field& f) -> caf::error {
                                   auto text = f.string(1, 1024);
                                   if (!text)
                                     return text.error();
                                   request.password = std::move(*text);
                                   has_password = true;
                                   return {};
                                 }}});
  if (err)
    return err;
  if (!has_username)
    return make_error(errc::invalid_argument, "username: required");
  if (!has_password)
    return make_error(errc::invalid_argument, "password: required");
  return request;
}

std::string grant_json(const login_grant& grant) {
  std::string out = "{\"token\":";
  append_json_string(out, grant.token);
  out += ",\"expires_at\":";
  append_json_string(out, format_iso8601(grant.expires_at));
  out += ",\"user\":" + principal_json(grant.who) + "}";
  return out;
}

/// Seconds from a throttling message ("… retry in 8 s"), for Retry-After.
std::string retry_after(const std::string& message) {
  auto at = message.rfind("retry in ");
  if (at == std::string::npos)
    return "1";
  auto digits = message.substr(at + 9);
  return digits.substr(0, digits.find(' '));
}

void login(api_context& ctx, const Rest::Request& request, const reply_ptr& r) {
  if (!accept_json_body(request, *r, true))
    return;
  auto parsed = parse_login(request.body());
  if (!parsed) {
    r->fail(parsed.error());
    return;
  }
  parsed->origin = anonymous_origin(*r);
  run_async(ctx, r, [&ctx, r, req = std::move(*parsed)](auto* self) {
    self->request(ctx.rbac, caf::infinite, login_atom::value, req)
        .then(
            [r](login_grant& grant) {
              r->send(Http::Code::Ok, grant_json(grant));
            },
            [r](caf::error& err) {
              if (err == errc::throttled) {
                auto message = message_of(err);
                r->send(Http::Code::Too_Many_Requests,
                        error_body("throttled", message),
                        {{"Retry-After", retry_after(message)}});
                return;
              }
              r->fail(err);
            });
  });
}

void logout(api_context& ctx, const Rest::Request& request,
            const reply_ptr& r) {
  if (!accept_json_body(request, *r, false))
    return;
  with_principal(
      ctx, r, [&ctx, r](caf::event_based_actor* self, const principal& who) {
        self->request(ctx.rbac, caf::infinite, logout_atom::value,
                      r->info().token, origin_of(*r, who))
            .then(
                [r](bool) {
                  r->send(Http::Code::Ok, success_body("Logged out"));
                },
                [r](caf::error& err) { r->fail(err); });
      });
}

void me(api_context& ctx, const Rest::Request&, const reply_ptr& r) {
  with_principal(ctx, r, [r](caf::event_based_actor*, const principal& who) {
    r->send(Http::Code::Ok, principal_json(who));
  });
}

} // namespace

void add_auth_routes(Rest::Router& router, api_context& ctx) {
  add_route(
      router, ctx, Http::Method::Post, "/api/auth/login",
      [&ctx](const auto& request, const auto& r) { login(ctx, request, r); });
  add_route(
      router, ctx, Http::Method::Post, "/api/auth/logout",
      [&ctx](const auto& request, const auto& r) { logout(ctx, request, r); });
  add_route(
      router, ctx, Http::Method::Get, "/api/auth/me",
      [&ctx](const auto& request, const auto& r) { me(ctx, request, r); });
}

} // namespace tasks::http
