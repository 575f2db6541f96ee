// The task endpoints of SPEC §4: create, list, get, cancel.
#include <caf/all.hpp>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/policy.hpp"
#include "core/uuid.hpp"
#include "http/async.hpp"
#include "http/json_in.hpp"
#include "http/json_out.hpp"
#include "http/query.hpp"
#include "http/routes.hpp"
#include "storage/store.hpp"

namespace tasks::http {

namespace {

using namespace Pistache;

/// Largest page of a task list (SPEC §4).
constexpr uint64_t max_page = 100;

/// Largest offset; deeper pages are better reached with from/to.
constexpr uint64_t max_offset = 1'000'000;

caf::expected<new_task> parse_new_task(const std::string& body,
                                       const config& cfg) {
  new_task request;
  request.timeout_seconds = cfg.default_timeout;
  request.store_output = cfg.store_output_default;
  bool has_command = false;
  auto err = read_object(
      body, {{"command",
              [&](json_field& f) -> caf::error {
                auto text = f.string(1, limits::command_max_bytes);
                if (!text)
                  return text.error();
                request.command = std::move(*text);
                has_command = true;
                return {};
              }},
             {"timeout_seconds",
              [&](json_field& f) -> caf::error {
                auto n = f.integer(limits::timeout_min_seconds,
                                   limits::timeout_max_seconds);
                if (!n)
                  return n.error();
                request.timeout_seconds = static_cast<uint32_t>(*n);
                return {};
              }},
             {"store_output", [&](json_field& f) -> caf::error {
                auto flag = f.boolean(true);
                if (!flag)
                  return flag.error();
                request.store_output = *flag;
                return {};
              }}});
  if (err)
    return err;
  if (!has_command)
    return make_error(errc::invalid_argument, "command: required");
  return request;
}

/// The task id of the path; answers 400 when it is not a UUID.
std::optional<task_id> task_param(const Rest::Request& request, reply& r) {
  auto text = percent_decode(request.param(":id").as<std::string>(), false);
  auto id = text ? parse_task_id(*text) : std::nullopt;
  if (!id)
    r.fail(make_error(errc::invalid_argument, "id: must be a task id (UUID)"));
  return id;
}

std::string not_found_message(const task_id& id) {
  return "task " + to_string(id) + " not found";
}

void create_task(api_context& ctx, const Rest::Request& request,
                 const reply_ptr& r) {
  auto server_id = id_param(request, *r, ":id", "server id");
  if (server_id == 0 || !accept_json_body(request, *r, true))
    return;
  auto parsed = parse_new_task(request.body(), ctx.cfg);
  if (!parsed) {
    r->fail(parsed.error());
    return;
  }
  parsed->server_id = server_id;
  with_principal(
      ctx, r,
      [&ctx, r, req = std::move(*parsed)](caf::event_based_actor* self,
                                          const principal& who) mutable {
        auto d = decide(who, action::task_create, std::nullopt);
        if (d != decision::allow) {
          deny(ctx, r, who, action::task_create, d, "");
          return;
        }
        req.user_id = who.user_id;
        self->request(ctx.manager, caf::infinite, create_atom::value, req,
                      origin_of(*r, who))
            .then(
                [r](task& t) {
                  std::string body
                      = "{\"success\":true,\"task_id\":\"" + to_string(t.id)
                        + "\",\"message\":\"Task created and queued "
                          "for execution\"}";
                  r->send(Http::Code::Accepted, body,
                          {{"Location", "/api/tasks/" + to_string(t.id)}});
                },
                [r](caf::error& err) { r->fail(err); });
      });
}

caf::expected<task_filter> parse_filter(const Rest::Request& request) {
  query_params::raw_params raw;
  const auto& query = request.query();
  for (auto i = query.parameters_begin(); i != query.parameters_end(); ++i)
    raw.emplace_back(i->first, i->second);
  auto params = query_params::decode(
      raw, {"server_id", "user_id", "status", "from", "to", "limit", "offset"});
  if (!params)
    return params.error();
  task_filter filter;
  auto server_id = params->number("server_id", 1, UINT64_MAX);
  if (!server_id)
    return server_id.error();
  auto user_id = params->number("user_id", 1, UINT64_MAX);
  if (!user_id)
    return user_id.error();
  auto limit = params->number("limit", 1, max_page);
  if (!limit)
    return limit.error();
  auto offset = params->number("offset", 0, max_offset);
  if (!offset)
    return offset.error();
  auto from = params->time("from");
  if (!from)
    return from.error();
  auto to = params->time("to", true);
  if (!to)
    return to.error();
  filter.server_id = *server_id;
  filter.user_id = *user_id;
  filter.limit = limit->value_or(max_page);
  filter.offset = offset->value_or(0);
  filter.from = *from;
  filter.to = *to;
  if (auto name = params->text("status")) {
    filter.state = parse_status(*name);
    if (!filter.state)
      return make_error(errc::invalid_argument,
                        "status: must be one of queued, running, success, "
                        "failed, timeout, cancelled");
  }
  if (filter.from && filter.to && *filter.from > *filter.to)
    return make_error(errc::invalid_argument, "from: must not be after to");
  return filter;
}

void list_tasks(api_context& ctx, const Rest::Request& request,
                const reply_ptr& r) {
  auto filter = parse_filter(request);
  if (!filter) {
    r->fail(filter.error());
    return;
  }
  with_principal(
      ctx, r,
      [&ctx, r, filter = *filter](caf::event_based_actor* self,
                                  const principal& who) mutable {
        if (filter.user_id) {
          auto d = decide(who, action::task_list_by_user, filter.user_id);
          if (d != decision::allow) {
            deny(ctx, r, who, action::task_list_by_user, d, "");
            return;
          }
        } else {
          filter.user_id = forced_user_filter(who);
        }
        self->request(ctx.reader(), caf::infinite, list_atom::value, filter)
            .then(
                [r, filter](std::vector<task>& tasks) {
                  r->send(Http::Code::Ok,
                          task_list_json(tasks, filter.limit, filter.offset));
                },
                [r](caf::error& err) { r->fail(err); });
      });
}

/// Answers GET /api/tasks/:id for `who` with the task as read.
void answer_task_view(api_context& ctx, const reply_ptr& r,
                      const principal& who, const caf::expected<task>& t) {
  if (!t) {
    r->fail(t.error());
    return;
  }
  auto d = decide(who, action::task_view, t->user_id);
  if (d != decision::allow) {
    deny(ctx, r, who, action::task_view, d, not_found_message(t->id));
    return;
  }
  r->send(Http::Code::Ok, task_json(*t));
}

void get_task(api_context& ctx, const Rest::Request& request,
              const reply_ptr& r) {
  auto id = task_param(request, *r);
  if (!id)
    return;
  // The hot path answers on this thread: a cached token and a point read
  // of the store, no actor involved (docs/HTTP.md).
  if (ctx.store != nullptr) {
    if (auto who = cached_principal(ctx, *r)) {
      answer_task_view(ctx, r, *who, ctx.store->get_task(*id, true));
      return;
    }
  }
  with_principal(
      ctx, r,
      [&ctx, r, id = *id](caf::event_based_actor* self, const principal& who) {
        self->request(ctx.reader(), caf::infinite, get_atom::value, id, true)
            .then([&ctx, r, who](
                      task& t) { answer_task_view(ctx, r, who, std::move(t)); },
                  [r](caf::error& err) { r->fail(err); });
      });
}

void cancel_task(api_context& ctx, const Rest::Request& request,
                 const reply_ptr& r) {
  auto id = task_param(request, *r);
  if (!id || !accept_json_body(request, *r, false))
    return;
  if (!request.body().empty()) {
    if (auto err = read_object(request.body(), {})) {
      r->fail(err);
      return;
    }
  }
  with_principal(
      ctx, r,
      [&ctx, r, id = *id](caf::event_based_actor* self, const principal& who) {
        // A role that may never cancel learns so before any lookup.
        auto role_check = decide(who, action::task_cancel, who.user_id);
        if (role_check == decision::deny_forbidden) {
          deny(ctx, r, who, action::task_cancel, role_check, "");
          return;
        }
        self->request(ctx.reader(), caf::infinite, get_atom::value, id, false)
            .then(
                [self, &ctx, r, who](task& t) {
                  auto d = decide(who, action::task_cancel, t.user_id);
                  if (d != decision::allow) {
                    deny(ctx, r, who, action::task_cancel, d,
                         not_found_message(t.id));
                    return;
                  }
                  self->request(ctx.manager, caf::infinite, cancel_atom::value,
                                t.id, origin_of(*r, who))
                      .then(
                          [r](task&) {
                            r->send(
                                Http::Code::Ok,
                                success_body("Task cancelled successfully"));
                          },
                          [r](caf::error& err) { r->fail(err); });
                },
                [r](caf::error& err) { r->fail(err); });
      });
}

} // namespace

void add_task_routes(Rest::Router& router, api_context& ctx) {
  add_route(router, ctx, Http::Method::Post, "/api/servers/:id/tasks",
            create_task);
  add_route(router, ctx, Http::Method::Get, "/api/tasks", list_tasks);
  add_route(router, ctx, Http::Method::Get, "/api/tasks/:id", get_task);
  add_route(router, ctx, Http::Method::Post, "/api/tasks/:id/cancel",
            cancel_task);
}

} // namespace tasks::http
