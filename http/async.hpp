// Answering asynchronously: a handler copies what it needs from the request,
// then a short-lived actor asks the other actors and sends the reply when
// their answers arrive. No Pistache thread ever waits on an actor.
#pragma once

#include <functional>

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

/// What runs once the caller is known.
using authenticated_step
    = std::function<void(caf::event_based_actor*, const principal&)>;

/// Authenticates the bearer token of `r`, then runs `step`; answers 401
/// itself when the token is missing or not valid.
void with_principal(api_context& ctx, const reply_ptr& r,
                    authenticated_step step);

/// The audit origin of a request made by `who`.
audit_origin origin_of(const reply& r, const principal& who);

/// The audit origin of an anonymous request (login).
audit_origin anonymous_origin(const reply& r);

/// Answers a denial (403 or, for hidden objects, the same 404 as a missing
/// one) and audits it as auth.denied.
void deny(caf::event_based_actor* self, api_context& ctx, const reply_ptr& r,
          const principal& who, action what, decision d,
          const std::string& hidden_message);

} // namespace tasks::http
