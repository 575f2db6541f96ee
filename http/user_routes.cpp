// The user endpoints of SPEC §4, admin only. Every change goes through the
// rbac actor: it owns the token cache, so a demoted or disabled user loses
// cached tokens at once.
#include <caf/all.hpp>

#include <functional>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/limits.hpp"
#include "core/policy.hpp"
#include "http/async.hpp"
#include "http/json_in.hpp"
#include "http/json_out.hpp"
#include "http/routes.hpp"

namespace tasks::http {

namespace {

using namespace Pistache;

/// The store's limit for a password (storage::max_password_size).
constexpr size_t password_max_bytes = 1024;

caf::error invalid(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

/// Parses a POST body (`creating`) or a PUT body. The username is the key
/// of the audit trail and of logins, so a PUT may not carry one at all.
caf::expected<user_change> parse_user_body(const std::string& body,
                                           bool creating) {
  user_change change;
  auto err = read_object(
      body, {{"username",
              [&](json_field& f) -> caf::error {
                if (!creating)
                  return invalid("username: cannot be changed");
                auto text = f.string(1, limits::name_max_bytes);
                if (!text)
                  return text.error();
                change.username = std::move(*text);
                return {};
              }},
             {"role",
              [&](json_field& f) -> caf::error {
                auto text = f.string(0, 64);
                auto parsed = text ? parse_role(*text) : std::nullopt;
                if (!parsed)
                  return invalid("role: must be admin, operator or viewer");
                change.user_role = *parsed;
                return {};
              }},
             {"password",
              [&](json_field& f) -> caf::error {
                auto text = f.string(1, password_max_bytes);
                if (!text)
                  return text.error();
                change.password = std::move(*text);
                return {};
              }},
             {"disabled", [&](json_field& f) -> caf::error {
                auto flag = f.boolean();
                if (!flag)
                  return flag.error();
                change.disabled = *flag;
                return {};
              }}});
  if (err)
    return err;
  if (creating) {
    if (!change.username)
      return invalid("username: required");
    if (!change.user_role)
      return invalid("role: required (admin, operator or viewer)");
    if (!change.password)
      return invalid("password: required");
  }
  return change;
}

/// The path's user id, with the field name the API reports.
uint64_t user_param(const Rest::Request& request, reply& r) {
  return id_param(request, r, ":id", "id");
}

/// Answers 403 (audited) unless `who` may manage users; true when allowed.
bool permit(api_context& ctx, const reply_ptr& r, const principal& who) {
  auto d = decide(who, action::user_manage, std::nullopt);
  if (d == decision::allow)
    return true;
  deny(ctx, r, who, action::user_manage, d, "user not found");
  return false;
}

/// Refuses changes that would lock the caller out: an admin never disables
/// or demotes the account they are using, so the admin making a change is
/// always left able to undo it, and the last admin cannot vanish.
caf::error check_self_change(const principal& who, uint64_t id,
                             const user_change& change) {
  if (id != who.user_id)
    return {};
  if (change.disabled.value_or(false))
    return invalid("disabled: you cannot disable your own account");
  if (change.user_role && *change.user_role != who.user_role)
    return invalid("role: you cannot change your own role; another admin "
                   "must do it");
  return {};
}

void list_users(api_context& ctx, const Rest::Request&, const reply_ptr& r) {
  with_principal(ctx, r,
                 [&ctx, r](caf::event_based_actor* self, const principal& who) {
                   if (!permit(ctx, r, who))
                     return;
                   self->request(ctx.rbac, caf::infinite, list_atom::value,
                                 user_atom::value)
                       .then(
                           [r](std::vector<user>& users) {
                             r->send(Http::Code::Ok, user_list_json(users));
                           },
                           [r](caf::error& err) { r->fail(err); });
                 });
}

void get_user(api_context& ctx, const Rest::Request& request,
              const reply_ptr& r) {
  auto id = user_param(request, *r);
  if (id == 0)
    return;
  with_principal(
      ctx, r,
      [&ctx, r, id](caf::event_based_actor* self, const principal& who) {
        if (!permit(ctx, r, who))
          return;
        self->request(ctx.rbac, caf::infinite, get_atom::value,
                      user_atom::value, id)
            .then([r](user& u) { r->send(Http::Code::Ok, user_json(u)); },
                  [r](caf::error& err) { r->fail(err); });
      });
}

void create_user(api_context& ctx, const Rest::Request& request,
                 const reply_ptr& r) {
  if (!accept_json_body(request, *r, true))
    return;
  auto change = parse_user_body(request.body(), true);
  if (!change) {
    r->fail(change.error());
    return;
  }
  with_principal(
      ctx, r,
      [&ctx, r, c = std::move(*change)](caf::event_based_actor* self,
                                        const principal& who) {
        if (!permit(ctx, r, who))
          return;
        self->request(ctx.rbac, caf::infinite, create_atom::value,
                      user_atom::value, c, origin_of(*r, who))
            .then(
                [r](user& u) {
                  r->send(Http::Code::Created, user_json(u),
                          {{"Location", "/api/users/" + std::to_string(u.id)}});
                },
                [r](caf::error& err) { r->fail(err); });
      });
}

/// Sends `change` of user `id` to the rbac actor; `answer` builds the body.
void change_user(caf::event_based_actor* self, api_context& ctx,
                 const reply_ptr& r, const principal& who, uint64_t id,
                 const user_change& change,
                 std::function<std::string(const user&)> answer) {
  self->request(ctx.rbac, caf::infinite, update_atom::value, user_atom::value,
                id, change, origin_of(*r, who))
      .then([r, answer](user& u) { r->send(Http::Code::Ok, answer(u)); },
            [r](caf::error& err) { r->fail(err); });
}

void update_user(api_context& ctx, const Rest::Request& request,
                 const reply_ptr& r) {
  auto id = user_param(request, *r);
  if (id == 0 || !accept_json_body(request, *r, true))
    return;
  auto change = parse_user_body(request.body(), false);
  if (!change) {
    r->fail(change.error());
    return;
  }
  with_principal(ctx, r,
                 [&ctx, r, id, c = std::move(*change)](
                     caf::event_based_actor* self, const principal& who) {
                   if (!permit(ctx, r, who))
                     return;
                   if (auto err = check_self_change(who, id, c)) {
                     r->fail(err);
                     return;
                   }
                   change_user(self, ctx, r, who, id, c,
                               [](const user& u) { return user_json(u); });
                 });
}

// DELETE disables instead of erasing: audit records and tasks keep pointing
// at the user id, and the username stays taken so a new account can never
// inherit an old one's history. Disabling revokes every token of the user
// (store::update_user) and the rbac actor drops them from its cache; PUT
// {"disabled": false} brings the account back.
void delete_user(api_context& ctx, const Rest::Request& request,
                 const reply_ptr& r) {
  auto id = user_param(request, *r);
  if (id == 0 || !accept_json_body(request, *r, false))
    return;
  if (!request.body().empty()) {
    if (auto err = read_object(request.body(), {})) {
      r->fail(err);
      return;
    }
  }
  with_principal(
      ctx, r,
      [&ctx, r, id](caf::event_based_actor* self, const principal& who) {
        if (!permit(ctx, r, who))
          return;
        if (id == who.user_id) {
          r->fail(invalid("id: you cannot disable your own account"));
          return;
        }
        user_change change;
        change.disabled = true;
        change_user(self, ctx, r, who, id, change,
                    [](const user&) { return success_body("User disabled"); });
      });
}

} // namespace

void add_user_routes(Rest::Router& router, api_context& ctx) {
  add_route(router, ctx, Http::Method::Get, "/api/users", list_users);
  add_route(router, ctx, Http::Method::Post, "/api/users", create_user);
  add_route(router, ctx, Http::Method::Get, "/api/users/:id", get_user);
  add_route(router, ctx, Http::Method::Put, "/api/users/:id", update_user);
  add_route(router, ctx, Http::Method::Delete, "/api/users/:id", delete_user);
}

} // namespace tasks::http
