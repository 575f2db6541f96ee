// Health, settings, metrics, the OpenAPI document, and JSON answers for
// unknown paths.
#include <caf/all.hpp>
#include <fmt/format.h>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "http/async.hpp"
#include "http/embedded.hpp"
#include "http/json_out.hpp"
#include "http/metrics.hpp"
#include "http/routes.hpp"
#include "storage/store.hpp"

namespace tasks::http {

namespace {

using namespace Pistache;

void health(api_context& ctx, const reply_ptr& r) {
  if (ctx.draining) {
    r->send(Http::Code::Service_Unavailable, "{\"status\":\"draining\"}");
    return;
  }
  r->send(Http::Code::Ok, "{\"status\":\"ok\"}");
}

void metrics_page(api_context& ctx, const reply_ptr& r) {
  with_principal(
      ctx, r, [&ctx, r](caf::event_based_actor* self, const principal& who) {
        auto d = decide(who, action::metrics_view, std::nullopt);
        if (d != decision::allow) {
          deny(ctx, r, who, action::metrics_view, d, "");
          return;
        }
        self->request(ctx.manager, caf::infinite, stats_atom::value)
            .then(
                [&ctx, r](manager_stats& stats) {
                  r->send_as(
                      Http::Code::Ok,
                      ctx.counters.render(stats, ctx.tasks,
                                          ctx.store ? ctx.store->writes() : 0),
                      "text/plain; version=0.0.4");
                },
                [r](caf::error& err) { r->fail(err); });
      });
}

/// The task defaults and limits a client needs to build its forms.
std::string settings_json(const config& cfg) {
  return fmt::format(
      "{{\"default_timeout_seconds\":{},\"store_output_default\":{},"
      "\"timeout_seconds_min\":{},\"timeout_seconds_max\":{},"
      "\"command_max_bytes\":{},\"output_max_bytes\":{},"
      "\"max_queued\":{}}}",
      cfg.default_timeout, cfg.store_output_default,
      limits::timeout_min_seconds, limits::timeout_max_seconds,
      limits::command_max_bytes, cfg.output_max_bytes, cfg.max_queued);
}

void settings(api_context& ctx, const reply_ptr& r) {
  with_principal(ctx, r, [&ctx, r](caf::event_based_actor*, const principal&) {
    r->send(Http::Code::Ok, settings_json(ctx.cfg));
  });
}

} // namespace

void add_meta_routes(Rest::Router& router, api_context& ctx) {
  add_route(router, ctx, Http::Method::Get, "/api/health",
            [&ctx](const auto&, const auto& r) { health(ctx, r); });
  add_route(router, ctx, Http::Method::Get, "/api/settings",
            [&ctx](const auto&, const auto& r) { settings(ctx, r); });
  add_route(router, ctx, Http::Method::Get, "/metrics",
            [&ctx](const auto&, const auto& r) { metrics_page(ctx, r); });
  add_route(router, ctx, Http::Method::Get, "/api/openapi.json",
            [](const auto&, const auto& r) {
              r->send(Http::Code::Ok, std::string{embedded::openapi_json});
            });
  router.addNotFoundHandler(
      [&ctx](const Rest::Request& request, Http::ResponseWriter writer) {
        auto info = info_of(request, "(unknown)");
        reply r{std::move(writer), std::move(info), ctx.counters, ctx.gate};
        r.error(Http::Code::Not_Found, "not_found",
                "no such endpoint: " + request.resource());
        return Rest::Route::Result::Ok;
      });
}

} // namespace tasks::http
