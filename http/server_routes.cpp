// The server endpoints of SPEC §4: every role lists and reads servers, only
// admins create, change and delete them. Credentials go in, never out.
#include <caf/all.hpp>

#include <algorithm>
#include <cstdint>
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

/// A DNS name is at most 253 bytes (RFC 1035).
constexpr size_t host_max_bytes = 253;
/// PATH_MAX on Linux.
constexpr size_t key_file_max_bytes = 4096;
constexpr size_t password_max_bytes = 1024;
/// The bound of TASKS_CONCURRENT_PER_SERVER and of the store; one range
/// keeps a single error message for every out-of-range value.
constexpr int64_t max_concurrent_bound = 256;
constexpr std::string_view fingerprint_prefix = "SHA256:";
/// Unpadded base64 of a SHA-256 digest, as OpenSSH prints it.
constexpr size_t fingerprint_digits = 43;

/// A field that may be absent (outer nullopt), JSON null (inner nullopt) or
/// set: PUT must tell "keep" from "clear".
template <class T> using nullable_field = std::optional<std::optional<T>>;

/// A POST or PUT body as the client sent it.
struct server_body {
  std::optional<std::string> name;
  std::optional<std::string> host;
  std::optional<uint16_t> port;
  std::optional<std::string> username;
  nullable_field<uint64_t> vault_key_id;
  nullable_field<std::string> key_file;
  /// Write-only: "" and null both mean "remove" on PUT.
  nullable_field<std::string> password;
  nullable_field<std::string> host_key;
  nullable_field<uint32_t> max_concurrent_tasks;
};

caf::error invalid(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
         || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

caf::error check_fingerprint(const std::string& text) {
  auto digits = std::string_view{text}.substr(
      std::min(text.size(), fingerprint_prefix.size()));
  if (text.compare(0, fingerprint_prefix.size(), fingerprint_prefix) != 0
      || digits.size() != fingerprint_digits
      || !std::all_of(digits.begin(), digits.end(), is_base64_char))
    return invalid("host_key: must be 'SHA256:' followed by 43 base64 "
                   "characters, as OpenSSH prints it, or null");
  return {};
}

caf::error check_key_file(const std::string& path) {
  if (path.front() != '/')
    return invalid("key_file: must be an absolute path or null");
  return {};
}

/// Handler for a required-when-creating string field.
auto text_field(std::optional<std::string>& out, size_t max_bytes) {
  return [&out, max_bytes](json_field& f) -> caf::error {
    auto text = f.string(1, max_bytes);
    if (!text)
      return text.error();
    out = std::move(*text);
    return {};
  };
}

/// Handler for a string field that may be null; `check` validates a string.
template <class Check>
auto nullable_text(nullable_field<std::string>& out, size_t min_bytes,
                   size_t max_bytes, Check check) {
  return [&out, min_bytes, max_bytes, check](json_field& f) -> caf::error {
    if (f.is_null()) {
      out.emplace(std::nullopt);
      return {};
    }
    auto text = f.string(min_bytes, max_bytes);
    if (!text)
      return text.error();
    if (auto err = check(*text))
      return err;
    out.emplace(std::move(*text));
    return {};
  };
}

/// Handler for an integer field that may be null.
template <class T>
auto nullable_integer(nullable_field<T>& out, int64_t min, int64_t max) {
  return [&out, min, max](json_field& f) -> caf::error {
    if (f.is_null()) {
      out.emplace(std::nullopt);
      return {};
    }
    auto n = f.integer(min, max);
    if (!n)
      return n.error();
    out.emplace(static_cast<T>(*n));
    return {};
  };
}

/// Parses a server body. A PUT may send "password": "" to remove the
/// password; a POST needs a non-empty one if it sends a string.
caf::expected<server_body> parse_server_body(const std::string& body,
                                             bool creating) {
  server_body b;
  auto no_check = [](const std::string&) { return caf::error{}; };
  auto err = read_object(
      body,
      {{"name", text_field(b.name, limits::name_max_bytes)},
       {"host", text_field(b.host, host_max_bytes)},
       {"port",
        [&](json_field& f) -> caf::error {
          auto n = f.integer(1, 65535);
          if (!n)
            return n.error();
          b.port = static_cast<uint16_t>(*n);
          return {};
        }},
       {"username", text_field(b.username, limits::name_max_bytes)},
       {"vault_key_id", nullable_integer(b.vault_key_id, 1, INT64_MAX)},
       {"key_file",
        nullable_text(b.key_file, 1, key_file_max_bytes, check_key_file)},
       {"password", nullable_text(b.password, creating ? 1 : 0,
                                  password_max_bytes, no_check)},
       // Any length: a wrong one gets the fingerprint message.
       {"host_key",
        nullable_text(b.host_key, 0, key_file_max_bytes, check_fingerprint)},
       {"max_concurrent_tasks",
        nullable_integer(b.max_concurrent_tasks, 1, max_concurrent_bound)}});
  if (err)
    return err;
  return b;
}

/// Applies the fields present in `b` to `s`; null clears a field.
void apply(const server_body& b, server& s) {
  if (b.name)
    s.name = *b.name;
  if (b.host)
    s.host = *b.host;
  if (b.port)
    s.port = *b.port;
  if (b.username)
    s.username = *b.username;
  if (b.vault_key_id)
    s.vault_key_id = *b.vault_key_id;
  if (b.key_file)
    s.key_file = b.key_file->value_or("");
  if (b.host_key)
    s.host_key = b.host_key->value_or("");
  if (b.max_concurrent_tasks)
    s.max_concurrent_tasks = *b.max_concurrent_tasks;
}

bool has_value(const nullable_field<std::string>& x) {
  return x && *x && !(*x)->empty();
}

caf::expected<server_change> new_server(const std::string& body) {
  auto b = parse_server_body(body, true);
  if (!b)
    return b.error();
  if (!b->name)
    return invalid("name: required");
  if (!b->host)
    return invalid("host: required");
  if (!b->username)
    return invalid("username: required");
  bool has_vault_key = b->vault_key_id && *b->vault_key_id;
  if (!has_vault_key && !has_value(b->key_file) && !has_value(b->password))
    return invalid("auth: configure at least one of vault_key_id, key_file "
                   "or password");
  server_change change;
  apply(*b, change.record);
  if (has_value(b->password))
    change.password = **b->password;
  return change;
}

/// The path's server id, with the field name the API reports.
uint64_t server_param(const Rest::Request& request, reply& r) {
  return id_param(request, r, ":id", "id");
}

/// Answers 403 (audited) unless `who` may do `what`; true when allowed.
bool permit(api_context& ctx, const reply_ptr& r, const principal& who,
            action what) {
  auto d = decide(who, what, std::nullopt);
  if (d == decision::allow)
    return true;
  deny(ctx, r, who, what, d, "server not found");
  return false;
}

void list_servers(api_context& ctx, const Rest::Request&, const reply_ptr& r) {
  with_principal(ctx, r,
                 [&ctx, r](caf::event_based_actor* self, const principal& who) {
                   if (!permit(ctx, r, who, action::server_view))
                     return;
                   self->request(ctx.reader(), caf::infinite, list_atom::value,
                                 server_atom::value)
                       .then(
                           [r](std::vector<server>& servers) {
                             // The store scans by id already; sorting keeps the
                             // contract independent of its key layout.
                             std::sort(servers.begin(), servers.end(),
                                       [](const server& a, const server& b) {
                                         return a.id < b.id;
                                       });
                             r->send(Http::Code::Ok, server_list_json(servers));
                           },
                           [r](caf::error& err) { r->fail(err); });
                 });
}

void get_server(api_context& ctx, const Rest::Request& request,
                const reply_ptr& r) {
  auto id = server_param(request, *r);
  if (id == 0)
    return;
  with_principal(
      ctx, r,
      [&ctx, r, id](caf::event_based_actor* self, const principal& who) {
        if (!permit(ctx, r, who, action::server_view))
          return;
        self->request(ctx.reader(), caf::infinite, get_atom::value,
                      server_atom::value, id)
            .then([r](server& s) { r->send(Http::Code::Ok, server_json(s)); },
                  [r](caf::error& err) { r->fail(err); });
      });
}

void create_server(api_context& ctx, const Rest::Request& request,
                   const reply_ptr& r) {
  if (!accept_json_body(request, *r, true))
    return;
  auto change = new_server(request.body());
  if (!change) {
    r->fail(change.error());
    return;
  }
  with_principal(
      ctx, r,
      [&ctx, r, c = std::move(*change)](caf::event_based_actor* self,
                                        const principal& who) {
        if (!permit(ctx, r, who, action::server_manage))
          return;
        self->request(ctx.storage, caf::infinite, create_atom::value, c,
                      origin_of(*r, who))
            .then(
                [r](server& s) {
                  r->send(
                      Http::Code::Created, server_json(s),
                      {{"Location", "/api/servers/" + std::to_string(s.id)}});
                },
                [r](caf::error& err) { r->fail(err); });
      });
}

/// The change a PUT makes to `current`, or why it cannot be made.
caf::expected<server_change> changed_server(const server_body& b,
                                            const server& current) {
  // SPEC §5 never re-pins silently, and the store keeps a pin when it gets
  // an empty host key (so a client that omits it cannot unpin by accident).
  // Clearing is therefore refused rather than silently ignored; replacing
  // the pin with a known fingerprint is allowed.
  if (b.host_key && !*b.host_key && !current.host_key.empty())
    return invalid("host_key: cannot be cleared; a pinned host key can only "
                   "be replaced by another fingerprint, or dropped by "
                   "deleting and re-creating the server");
  server_change change;
  change.record = current;
  apply(b, change.record);
  if (b.password)
    change.password = b.password->value_or("");
  return change;
}

void update_server(api_context& ctx, const Rest::Request& request,
                   const reply_ptr& r) {
  auto id = server_param(request, *r);
  if (id == 0 || !accept_json_body(request, *r, true))
    return;
  auto body = parse_server_body(request.body(), false);
  if (!body) {
    r->fail(body.error());
    return;
  }
  with_principal(
      ctx, r,
      [&ctx, r, id, b = std::move(*body)](caf::event_based_actor* self,
                                          const principal& who) {
        if (!permit(ctx, r, who, action::server_manage))
          return;
        // Read from the writer: the change applies to its latest record.
        self->request(ctx.storage, caf::infinite, get_atom::value,
                      server_atom::value, id)
            .then(
                [self, &ctx, r, who, b](server& current) {
                  auto change = changed_server(b, current);
                  if (!change) {
                    r->fail(change.error());
                    return;
                  }
                  self->request(ctx.storage, caf::infinite, update_atom::value,
                                std::move(*change), origin_of(*r, who))
                      .then(
                          [r](server& s) {
                            r->send(Http::Code::Ok, server_json(s));
                          },
                          [r](caf::error& err) { r->fail(err); });
                },
                [r](caf::error& err) { r->fail(err); });
      });
}

void delete_server(api_context& ctx, const Rest::Request& request,
                   const reply_ptr& r) {
  auto id = server_param(request, *r);
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
        if (!permit(ctx, r, who, action::server_manage))
          return;
        self->request(ctx.storage, caf::infinite, delete_atom::value,
                      server_atom::value, id, origin_of(*r, who))
            .then(
                [r](uint64_t) {
                  r->send(Http::Code::Ok, success_body("Server deleted"));
                },
                [r](caf::error& err) { r->fail(err); });
      });
}

} // namespace

void add_server_routes(Rest::Router& router, api_context& ctx) {
  add_route(router, ctx, Http::Method::Get, "/api/servers", list_servers);
  add_route(router, ctx, Http::Method::Post, "/api/servers", create_server);
  add_route(router, ctx, Http::Method::Get, "/api/servers/:id", get_server);
  add_route(router, ctx, Http::Method::Put, "/api/servers/:id", update_server);
  add_route(router, ctx, Http::Method::Delete, "/api/servers/:id",
            delete_server);
}

} // namespace tasks::http
