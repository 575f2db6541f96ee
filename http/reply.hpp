// The answer to one HTTP request: sent exactly once, from whichever thread
// gets there first (an actor's response, a deadline, the drain), with the
// connection kept alive or closed as the request asked.
#pragma once

#include <atomic>
#include <memory>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/error.hpp>
#include <pistache/http.h>

namespace tasks::http {

class metrics;

/// What a handler copies out of the Pistache request before going async
/// (the request object dies when the handler returns).
struct request_info {
  /// The route pattern, e.g. `/api/tasks/:id` (a metrics label).
  std::string route;
  std::string method;
  std::string client_ip;
  std::string user_agent;
  /// The bearer token, empty when the request carries none.
  std::string token;
  /// False for HTTP/1.0 without keep-alive and for `Connection: close`.
  bool keep_alive = true;
};

/// Maps an error to its status code and the API's error code string.
std::pair<Pistache::Http::Code, std::string_view>
status_of(const caf::error& err);

/// What the replies of one endpoint share: the count of unanswered requests
/// (the drain waits for it) and the switch that stops sends once the
/// endpoint is gone (a late actor answer must not touch a dead transport).
struct reply_gate {
  std::atomic<int64_t> in_flight{0};
  std::shared_mutex mutex;
  bool closed = false;

  /// Refuses every later send; waits for sends in progress to finish.
  void close() {
    std::unique_lock<std::shared_mutex> guard{mutex};
    closed = true;
  }
};

/// A response header beyond the ones Pistache knows.
using extra_header = std::pair<std::string, std::string>;

/// One request's answer; share it with the callbacks that may send it.
class reply {
public:
  /// Counts itself in the gate's in_flight until it is sent.
  reply(Pistache::Http::ResponseWriter writer, request_info info,
        metrics& counters, reply_gate& gate);

  /// A reply dropped unsent (a bug) still answers, with a 500.
  ~reply();

  reply(const reply&) = delete;
  reply& operator=(const reply&) = delete;

  const request_info& info() const { return info_; }

  /// Sends a JSON body; false when an answer went out already.
  bool send(Pistache::Http::Code code, const std::string& json,
            const std::vector<extra_header>& headers = {});

  /// Sends a body of another media type (metrics, the UI).
  bool send_as(Pistache::Http::Code code, const std::string& body,
               const std::string& media_type,
               const std::vector<extra_header>& headers = {});

  /// Sends the API error for `err`. Internal errors are logged here and
  /// answered without their details.
  bool fail(const caf::error& err);

  /// Sends {"success": false, "error": code, "message": message}.
  bool error(Pistache::Http::Code code, std::string_view error_code,
             std::string_view message);

  /// Closes the connection after the answer (e.g. an oversized body).
  void close_after() { info_.keep_alive = false; }

private:
  Pistache::Http::ResponseWriter writer_;
  request_info info_;
  metrics& counters_;
  reply_gate& gate_;
  std::atomic<bool> done_{false};
};

using reply_ptr = std::shared_ptr<reply>;

} // namespace tasks::http
