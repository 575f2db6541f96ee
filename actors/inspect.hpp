// CAF 0.17 inspect overloads for the core types that travel in messages,
// so they print in tests and can cross a network later. CAF 0.17 cannot
// inspect std::optional or chrono time points: they travel as
// caf::optional / integers, converted back by a load callback.
#pragma once

#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/none.hpp>
#include <caf/optional.hpp>

#include "core/audit_event.hpp"
#include "core/role.hpp"
#include "core/server.hpp"
#include "core/task.hpp"
#include "core/user.hpp"

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

inline caf::optional<std::string>
opt_id_text(const std::optional<task_id>& id) {
  return id ? caf::optional<std::string>{id_text(*id)}
            : caf::optional<std::string>{};
}

inline std::optional<task_id>
opt_id_from_text(const caf::optional<std::string>& text) {
  return text ? std::optional<task_id>{id_from_text(*text)} : std::nullopt;
}

/// Raw bytes (a token hash) as lower-case hex, so they print readably.
inline std::string hex_text(const std::string& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0x0f]);
  }
  return out;
}

/// The inverse of hex_text; empty for malformed input.
inline std::string bytes_from_hex(const std::string& text) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    return -1;
  };
  if (text.size() % 2 != 0)
    return {};
  std::string out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    auto hi = nibble(text[i]);
    auto lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0)
      return {};
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
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

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, audit_filter& x) {
  using namespace detail;
  auto user_id = to_caf(x.user_id);
  auto username = to_caf(x.username);
  auto action_prefix = to_caf(x.action_prefix);
  auto task_text = opt_id_text(x.task);
  auto server_id = to_caf(x.server_id);
  auto from = to_caf(x.from);
  auto to = to_caf(x.to);
  return f(caf::meta::type_name("audit_filter"), user_id, username,
           action_prefix, task_text, server_id, from, to,
           caf::meta::load_callback([&]() -> caf::error {
             x.user_id = from_caf(user_id);
             x.username = from_caf(username);
             x.action_prefix = from_caf(action_prefix);
             x.task = opt_id_from_text(task_text);
             x.server_id = from_caf(server_id);
             x.from = time_from_caf(from);
             x.to = time_from_caf(to);
             return caf::none;
           }));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, principal& x) {
  return f(caf::meta::type_name("principal"), x.user_id, x.username,
           x.user_role);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, user& x) {
  auto created = to_micros(x.created_at);
  // The password hash is left out: it stays between the storage and rbac
  // actors of one process and never prints.
  return f(caf::meta::type_name("user"), x.id, x.username, x.user_role,
           x.disabled, created, caf::meta::load_callback([&]() -> caf::error {
             x.created_at = from_micros(created);
             return caf::none;
           }));
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, token_record& x) {
  using namespace detail;
  // Only the token's SHA-256 is here, never the token; hex prints readably.
  auto hash = hex_text(x.hash);
  auto created = to_micros(x.created_at);
  auto expires = to_micros(x.expires_at);
  return f(caf::meta::type_name("token_record"), hash, x.user_id, created,
           expires, x.origin, caf::meta::load_callback([&]() -> caf::error {
             x.hash = bytes_from_hex(hash);
             x.created_at = from_micros(created);
             x.expires_at = from_micros(expires);
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
