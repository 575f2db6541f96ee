// Named timeouts of the requests between actors. In CAF 0.17 a request
// without a timeout may wait forever: a request uses one of these, except
// the task actor's storage and runner requests (docs/EXECUTION.md) and the
// HTTP requests, which one deadline_queue bounds (http/async.cpp).
#pragma once

#include <chrono>

namespace tasks::timeouts {

/// A store operation (one synced write or a bounded read).
inline constexpr std::chrono::seconds storage{30};

/// A password hash or verification, queued behind the ones before it
/// (~0.3 s each with the production cost).
inline constexpr std::chrono::seconds hasher{30};

/// A supervisor's or task actor's answer to a cancel (kill + final write).
inline constexpr std::chrono::seconds cancel{30};

/// Slack added to a connect or command deadline for a runner's answer.
inline constexpr std::chrono::seconds runner_slack{30};

/// A drain: the grace period plus the cancels it ends with.
inline constexpr std::chrono::seconds drain{60};

/// An HTTP request's whole chain of actor requests (one deadline_queue
/// for all of them, http/async.cpp); below Pistache's header and body
/// timeouts, so the client gets our 503 and not Pistache's 408.
inline constexpr std::chrono::seconds http{25};

} // namespace tasks::timeouts
