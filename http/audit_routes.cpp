// GET /api/audit: the audit log with the filters of SPEC §6, admin only.
#include <caf/all.hpp>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/policy.hpp"
#include "core/uuid.hpp"
#include "http/async.hpp"
#include "http/json_out.hpp"
#include "http/query.hpp"
#include "http/routes.hpp"

namespace tasks::http {

namespace {

using namespace Pistache;

/// Largest page; the storage actor caps a query at the same size.
constexpr uint64_t max_page = 1000;
constexpr uint64_t default_page = 100;

/// Largest offset; deeper pages are better reached with from/to.
constexpr uint64_t max_offset = 1'000'000;

/// Longest action prefix: the longest action names are ~25 bytes.
constexpr size_t action_max_bytes = 64;

/// A parsed GET /api/audit query.
struct audit_query {
  audit_filter filter;
  uint64_t limit = default_page;
  uint64_t offset = 0;
};

caf::error invalid(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

caf::expected<audit_query> parse_query(const Rest::Request& request) {
  query_params::raw_params raw;
  const auto& query = request.query();
  for (auto i = query.parameters_begin(); i != query.parameters_end(); ++i)
    raw.emplace_back(i->first, i->second);
  auto params = query_params::decode(raw, {"user", "user_id", "action",
                                           "task_id", "server_id", "from", "to",
                                           "limit", "offset"});
  if (!params)
    return params.error();
  audit_query q;
  auto& f = q.filter;
  // `user` is the username the record carries, which also finds records of
  // failed logins (no user id) and of users deleted from elsewhere;
  // `user_id` matches the id. Both may be given; a record must match both.
  if (auto name = params->text("user")) {
    if (name->empty() || name->size() > limits::name_max_bytes)
      return invalid("user: must be a username of 1 to "
                     + std::to_string(limits::name_max_bytes) + " bytes");
    f.username = std::move(*name);
  }
  auto user_id = params->number("user_id", 1, UINT64_MAX);
  if (!user_id)
    return user_id.error();
  f.user_id = *user_id;
  if (auto prefix = params->text("action")) {
    if (prefix->empty() || prefix->size() > action_max_bytes)
      return invalid("action: must be an action or a prefix such as task. "
                     "of 1 to "
                     + std::to_string(action_max_bytes) + " bytes");
    f.action_prefix = std::move(*prefix);
  }
  if (auto text = params->text("task_id")) {
    f.task = parse_task_id(*text);
    if (!f.task)
      return invalid("task_id: must be a task id (UUID)");
  }
  auto server_id = params->number("server_id", 1, UINT64_MAX);
  if (!server_id)
    return server_id.error();
  f.server_id = *server_id;
  auto from = params->time("from");
  if (!from)
    return from.error();
  f.from = *from;
  auto to = params->time("to", true);
  if (!to)
    return to.error();
  f.to = *to;
  if (f.from && f.to && *f.from > *f.to)
    return invalid("from: must not be after to");
  auto limit = params->number("limit", 1, max_page);
  if (!limit)
    return limit.error();
  q.limit = limit->value_or(default_page);
  auto offset = params->number("offset", 0, max_offset);
  if (!offset)
    return offset.error();
  q.offset = offset->value_or(0);
  return q;
}

void list_audit(api_context& ctx, const Rest::Request& request,
                const reply_ptr& r) {
  auto parsed = parse_query(request);
  if (!parsed) {
    r->fail(parsed.error());
    return;
  }
  with_principal(ctx, r,
                 [&ctx, r, q = *parsed](caf::event_based_actor* self,
                                        const principal& who) {
                   auto d = decide(who, action::audit_view, std::nullopt);
                   if (d != decision::allow) {
                     deny(ctx, r, who, action::audit_view, d, "");
                     return;
                   }
                   // A long scan runs on a reader, never behind the writer's
                   // synced writes.
                   self->request(ctx.reader(), caf::infinite, query_atom::value,
                                 q.filter, q.offset, q.limit)
                       .then(
                           [r, q](std::vector<audit_event>& records) {
                             r->send(
                                 Http::Code::Ok,
                                 audit_list_json(records, q.limit, q.offset));
                           },
                           [r](caf::error& err) { r->fail(err); });
                 });
}

} // namespace

void add_audit_routes(Rest::Router& router, api_context& ctx) {
  add_route(router, ctx, Http::Method::Get, "/api/audit", list_audit);
}

} // namespace tasks::http
