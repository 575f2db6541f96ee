// The web UI: index.html at `/` and the files of http/ui/ at `/ui/<name>`,
// compiled into the binary, revalidated by ETag, under a Content Security
// Policy that allows no inline script or style and no other origin.
#include <cstdio>
#include <map>
#include <string>

#include "http/embedded.hpp"
#include "http/routes.hpp"

namespace tasks::http {

namespace {

using namespace Pistache;

/// The browser may run, style and fetch only from tasksd itself; no inline
/// script, no inline style, no plugins, no framing, no form posts elsewhere.
constexpr const char* content_security_policy
    = "default-src 'none'; script-src 'self'; style-src 'self'; "
      "img-src 'self'; connect-src 'self'; base-uri 'none'; "
      "form-action 'self'; frame-ancestors 'none'";

struct ui_file {
  std::string content;
  std::string media_type;
  std::string etag;
};

std::string media_type_of(std::string_view name) {
  auto ends_with = [name](std::string_view suffix) {
    return name.size() >= suffix.size()
           && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends_with(".html"))
    return "text/html; charset=utf-8";
  if (ends_with(".css"))
    return "text/css; charset=utf-8";
  if (ends_with(".js"))
    return "text/javascript; charset=utf-8";
  if (ends_with(".svg"))
    return "image/svg+xml";
  return "application/octet-stream";
}

/// FNV-1a: the files never change while tasksd runs, so any stable digest
/// of the content makes a valid ETag.
std::string etag_of(std::string_view content) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : content) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char text[19];
  std::snprintf(text, sizeof(text), "%016llx",
                static_cast<unsigned long long>(hash));
  return "\"" + std::string{text} + "\"";
}

const std::map<std::string, ui_file, std::less<>>& ui_files() {
  static const auto files = [] {
    std::map<std::string, ui_file, std::less<>> result;
    for (const auto& f : embedded::ui_files)
      result.emplace(std::string{f.name},
                     ui_file{std::string{f.content}, media_type_of(f.name),
                             etag_of(f.content)});
    return result;
  }();
  return files;
}

void serve(const Rest::Request& request, const reply_ptr& r,
           std::string_view name) {
  const auto& files = ui_files();
  auto found = files.find(name);
  if (found == files.end()) {
    r->error(Http::Code::Not_Found, "not_found",
             "no such file: " + request.resource());
    return;
  }
  const auto& file = found->second;
  std::vector<extra_header> headers{
      {"Cache-Control", "no-cache"},
      {"ETag", file.etag},
      {"Content-Security-Policy", content_security_policy},
      {"X-Frame-Options", "DENY"},
      {"Referrer-Policy", "no-referrer"},
  };
  if (raw_header(request, "If-None-Match") == file.etag) {
    r->send_as(Http::Code::Not_Modified, "", file.media_type, headers);
    return;
  }
  r->send_as(Http::Code::Ok, file.content, file.media_type, headers);
}

} // namespace

void add_ui_routes(Rest::Router& router, api_context& ctx) {
  add_route(router, ctx, Http::Method::Get, "/",
            [](const Rest::Request& request, const reply_ptr& r) {
              serve(request, r, "index.html");
            });
  add_route(router, ctx, Http::Method::Get, "/ui/:file",
            [](const Rest::Request& request, const reply_ptr& r) {
              serve(request, r, request.param(":file").as<std::string>());
            });
}

} // namespace tasks::http
