// CAF 0.17 inspect overloads for the core types that travel in messages,
// so they print in tests and can cross a network later. CAF 0.17 cannot
// inspect std::optional or chrono time points: they travel as
// caf::optional / integers, converted back by a load callback.
#pragma once

#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/none.hpp>
#include <caf/optional.hpp>

#include "core/audit_event.hpp"
#include "core/server.hpp"
#include "core/task.hpp"

namespace tasks::detail {

template <class T> caf::optional<T> to_caf(const std::optional<T>& x) {
  return x ? caf::optional<T>{*x} : caf::optional<T>{};
}

template <class T> std::optional<T> from_caf(const caf::optional<T>& x) {
  return x ? std::optional<T>{*x} : std::optional<T>{};
}

inline caf::optional<int64_t> to_caf(const std::optional<timestamp>& x) {
  return x ? caf::optional<int64_t>{to_micros(*x)} : caf::optional<int64_t>{};
}

inline std::optional<timestamp> time_from_caf(const caf::optional<int64_t>& x) {
  return x ? std::optional<timestamp>{from_micros(*x)} : std::nullopt;
}

inline std::string id_text(const task_id& id) {
  return to_string(id);
}

inline task_id id_from_text(const std::string& text) {
  return parse_task_id(text).value_or(task_id{});
}

} // namespace tasks::detail

namespace tasks {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task& x) {
  using namespace detail;
  auto id = id_text(x.id);
  auto exit_code = to_caf(x.exit_code);
  auto error = to_caf(x.error);
  auto created = to_micros(x.created_at);
  auto started = to_caf(x.started_at);
  auto finished = to_caf(x.finished_at);
  auto out = to_caf(x.stdout_text);
  auto err = to_caf(x.stderr_text);
  return f(caf::meta::type_name("task"), id, x.server_id, x.user_id, x.command,
           x.state, exit_code, error, x.timeout_seconds, x.store_output,
           created, started, finished, x.stdout_truncated, x.stderr_truncated,
           out, err, caf::meta::load_callback([&]() -> caf::error {
             x.id = id_from_text(id);
             x.exit_code = from_caf(exit_code);
             x.error = from_caf(error);
             x.created_at = from_micros(created);
             x.started_at = time_from_caf(started);
             x.finished_at = time_from_caf(finished);
             x.stdout_text = from_caf(out);
             x.stderr_text = from_caf(err);
             return caf::none;
           }));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, new_task& x) {
  return f(caf::meta::type_name("new_task"), x.server_id, x.user_id, x.command,
           x.timeout_seconds, x.store_output);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_transition& x) {
  using namespace detail;
  auto exit_code = to_caf(x.exit_code);
  auto error = to_caf(x.error);
  auto out = to_caf(x.stdout_text);
  auto err = to_caf(x.stderr_text);
  return f(caf::meta::type_name("task_transition"), x.to, exit_code, error, out,
           err, x.stdout_truncated, x.stderr_truncated,
           caf::meta::load_callback([&]() -> caf::error {
             x.exit_code = from_caf(exit_code);
             x.error = from_caf(error);
             x.stdout_text = from_caf(out);
             x.stderr_text = from_caf(err);
             return caf::none;
           }));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, task_filter& x) {
  using namespace detail;
  auto server_id = to_caf(x.server_id);
  auto user_id = to_caf(x.user_id);
  auto state = to_caf(x.state);
  auto from = to_caf(x.from);
  auto to = to_caf(x.to);
  uint64_t limit = x.limit;
  uint64_t offset = x.offset;
  return f(caf::meta::type_name("task_filter"), server_id, user_id, state, from,
           to, limit, offset, caf::meta::load_callback([&]() -> caf::error {
             x.server_id = from_caf(server_id);
             x.user_id = from_caf(user_id);
             x.state = from_caf(state);
             x.from = time_from_caf(from);
             x.to = time_from_caf(to);
             x.limit = static_cast<size_t>(limit);
             x.offset = static_cast<size_t>(offset);
             return caf::none;
           }));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_origin& x) {
  using namespace detail;
  auto user_id = to_caf(x.user_id);
  return f(caf::meta::type_name("audit_origin"), user_id, x.username,
           x.client_ip, x.user_agent,
           caf::meta::load_callback([&]() -> caf::error {
             x.user_id = from_caf(user_id);
             return caf::none;
           }));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_event& x) {
  using namespace detail;
  auto ts = to_micros(x.ts);
  auto user_id = to_caf(x.user_id);
  auto id = to_caf(x.task ? std::optional<std::string>{id_text(*x.task)}
                          : std::nullopt);
  auto server_id = to_caf(x.server_id);
  return f(
      caf::meta::type_name("audit_event"), x.seq, ts, x.action, user_id,
      x.username, id, server_id, x.command_preview, x.client_ip, x.user_agent,
      x.metadata, caf::meta::load_callback([&]() -> caf::error {
        x.ts = from_micros(ts);
        x.user_id = from_caf(user_id);
        x.task = id ? std::optional<task_id>{id_from_text(*id)} : std::nullopt;
        x.server_id = from_caf(server_id);
        return caf::none;
      }));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, server& x) {
  using namespace detail;
  auto vault_key_id = to_caf(x.vault_key_id);
  auto cap = to_caf(x.max_concurrent_tasks);
  auto created = to_micros(x.created_at);
  // The sealed password is left out: it never needs to travel.
  return f(caf::meta::type_name("server"), x.id, x.name, x.host, x.port,
           x.username, vault_key_id, x.key_file, x.host_key, cap, created,
           caf::meta::load_callback([&]() -> caf::error {
             x.vault_key_id = from_caf(vault_key_id);
             x.max_concurrent_tasks = from_caf(cap);
             x.created_at = from_micros(created);
             return caf::none;
           }));
}

} // namespace tasks

namespace boost::uuids {

/// Task ids travel in their canonical text form.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, uuid& x) {
  auto text = tasks::detail::id_text(x);
  return f(caf::meta::type_name("task_id"), text,
           caf::meta::load_callback([&]() -> caf::error {
             x = tasks::detail::id_from_text(text);
             return caf::none;
           }));
}

} // namespace boost::uuids
