// Answering asynchronously (see async.hpp).
#include "http/async.hpp"

#include <caf/all.hpp>

#include "actors/rbac.hpp"
#include "core/error.hpp"
#include "http/json_out.hpp"

namespace tasks::http {

void run_async(api_context& ctx, const reply_ptr& r, async_step step) {
  auto worker = ctx.sys.spawn(
      [r, step = std::move(step)](caf::event_based_actor* self) {
        // The actor ends once its last pending response has been handled.
        step(self);
      });
  // Weak: a request answered in time is neither kept nor touched.
  ctx.deadlines.add(
      [late = std::weak_ptr<reply>{r}, worker = worker.address()] {
        auto unanswered = late.lock();
        if (!unanswered || !unanswered->fail(caf::sec::request_timeout))
          return;
        if (auto stuck = caf::actor_cast<caf::actor>(worker))
          caf::anon_send_exit(stuck, caf::exit_reason::user_shutdown);
      });
}

std::optional<principal> cached_principal(const api_context& ctx,
                                          const reply& r) {
  if (!ctx.tokens)
    return std::nullopt;
  return cached_principal(*ctx.tokens, r.info().token, tasks::now());
}

void with_principal(api_context& ctx, const reply_ptr& r,
                    authenticated_step step) {
  if (r->info().token.empty()) {
    r->fail(make_error(errc::unauthenticated,
                       "missing bearer token: send Authorization: Bearer "
                       "<token> from POST /api/auth/login"));
    return;
  }
  if (auto who = cached_principal(ctx, *r)) {
    run_async(ctx, r,
              [step = std::move(step), who = std::move(*who)](auto* self) {
                step(self, who);
              });
    return;
  }
  run_async(ctx, r, [&ctx, r, step = std::move(step)](auto* self) {
    self->request(ctx.rbac, caf::infinite, auth_atom::value, r->info().token)
        .then([self, step](principal& who) { step(self, who); },
              [r](caf::error& err) { r->fail(err); });
  });
}

audit_origin origin_of(const reply& r, const principal& who) {
  audit_origin origin;
  origin.user_id = who.user_id;
  origin.username = who.username;
  origin.client_ip = r.info().client_ip;
  origin.user_agent = r.info().user_agent;
  return origin;
}

audit_origin anonymous_origin(const reply& r) {
  audit_origin origin;
  origin.client_ip = r.info().client_ip;
  origin.user_agent = r.info().user_agent;
  return origin;
}

void deny(api_context& ctx, const reply_ptr& r, const principal& who,
          action what, decision d, const std::string& hidden_message) {
  audit_event event;
  event.action = "auth.denied";
  event.user_id = who.user_id;
  event.username = who.username;
  event.client_ip = r->info().client_ip;
  event.user_agent = r->info().user_agent;
  std::string meta = "{\"action\":";
  append_json_string(meta, to_string(what));
  meta += ",\"route\":";
  append_json_string(meta, r->info().method + " " + r->info().route);
  meta += ",\"decision\":";
  append_json_string(meta, to_string(d));
  meta += "}";
  event.metadata = std::move(meta);
  // The denial is answered at once; the audit write follows on its own.
  caf::anon_send(ctx.storage, audit_atom::value, std::move(event));
  if (d == decision::deny_hidden)
    r->fail(make_error(errc::not_found, hidden_message));
  else
    r->fail(make_error(errc::forbidden, "your role (" + to_string(who.user_role)
                                            + ") may not do this"));
}

} // namespace tasks::http
