// Answering asynchronously: a handler copies what it needs from the request,
// then a short-lived actor asks the other actors and sends the reply when
// their answers arrive. No Pistache thread ever waits on an actor.
#pragma once

#include <functional>
#include <optional>

#include <caf/fwd.hpp>

#include "core/policy.hpp"
#include "core/role.hpp"
#include "http/context.hpp"
#include "http/reply.hpp"

namespace tasks::http {

/// The continuation of a request, run inside its own actor.
using async_step = std::function<void(caf::event_based_actor*)>;

/// Runs `step` in a new actor; the reply stays alive while it runs.
void run_async(api_context& ctx, const reply_ptr& r, async_step step);

/// The caller's principal from the rbac actor's token cache, read on this
/// thread; nullopt when the cache cannot tell (ask the rbac actor then).
std::optional<principal> cached_principal(const api_context& ctx,
                                          const reply& r);

/// What runs once the caller is known.
using authenticated_step
    = std::function<void(caf::event_based_actor*, const principal&)>;

/// Authenticates the bearer token of `r` (from the token cache when it
/// can, else by asking the rbac actor), then runs `step` in a new actor;
/// answers 401 itself when the token is missing or not valid.
void with_principal(api_context& ctx, const reply_ptr& r,
                    authenticated_step step);

/// The audit origin of a request made by `who`.
audit_origin origin_of(const reply& r, const principal& who);

/// The audit origin of an anonymous request (login).
audit_origin anonymous_origin(const reply& r);

/// Answers a denial (403 or, for hidden objects, the same 404 as a missing
/// one) and audits it as auth.denied; callable from any thread.
void deny(api_context& ctx, const reply_ptr& r, const principal& who,
          action what, decision d, const std::string& hidden_message);

} // namespace tasks::http
