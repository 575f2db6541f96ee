// Driving the real tasksd over its REST API in tests (see api_support.hpp).
#include "http/api_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <thread>

#include <caf/test/unit_test.hpp>

namespace tasks::test {

namespace {

/// Largest audit page the walk asks for.
constexpr int audit_page = 100;

std::string user_json_body(const std::string& username,
                           const std::string& password) {
  return "{\"username\":" + json_quote(username)
         + ",\"password\":" + json_quote(password) + "}";
}

} // namespace

http_response call(http_client& c, const std::string& method,
                   const std::string& target, const std::string& token,
                   const std::string& body, std::vector<http_header> headers) {
  if (!token.empty())
    headers.push_back(bearer(token));
  return c.request(method, target, body, headers);
}

std::string describe(const http_response& res) {
  if (res.status == 0)
    return "no response (" + res.error + ")";
  return std::to_string(res.status) + " " + res.body;
}

json body_json(const http_response& res) {
  auto result = json::parse(res.body);
  if (!result.valid())
    CAF_ERROR("the body is not JSON: " << describe(res));
  return result;
}

bool is_error(const http_response& res, int status, const std::string& error) {
  auto body = json::parse(res.body);
  bool ok = res.status == status && body["success"].dump() == "false"
            && body["error"].str() == error && !body["message"].str().empty()
            && res.header("Content-Type").find("application/json") == 0;
  if (!ok)
    CAF_MESSAGE("expected " << status << " " << error << ", got "
                            << describe(res));
  return ok;
}

session login(http_client& c, const std::string& username,
              const std::string& password) {
  auto res = c.request("POST", "/api/auth/login",
                       user_json_body(username, password));
  if (res.status != 200)
    CAF_FAIL("login as " << username << ": " << describe(res));
  auto body = body_json(res);
  session result;
  result.username = username;
  result.password = password;
  result.token = body["token"].str();
  result.id = static_cast<uint64_t>(body["user"]["id"].num());
  result.role = body["user"]["role"].str();
  CAF_REQUIRE(!result.token.empty());
  return result;
}

session add_user(http_client& c, const session& admin,
                 const std::string& username, const std::string& role) {
  auto password = "pw-" + random_text(20);
  auto res = call(c, "POST", "/api/users", admin.token,
                  "{\"username\":" + json_quote(username)
                      + ",\"role\":" + json_quote(role)
                      + ",\"password\":" + json_quote(password) + "}");
  if (res.status != 201)
    CAF_FAIL("POST /api/users " << username << ": " << describe(res));
  auto created = body_json(res);
  auto result = login(c, username, password);
  CAF_CHECK_EQUAL(created["id"].num(), static_cast<int64_t>(result.id));
  CAF_CHECK_EQUAL(result.role, role);
  return result;
}

uint64_t add_server(http_client& c, const session& admin, const test_sshd& sshd,
                    const std::string& name) {
  auto res = call(c, "POST", "/api/servers", admin.token,
                  "{\"name\":" + json_quote(name)
                      + ",\"host\":\"127.0.0.1\",\"port\":"
                      + std::to_string(sshd.port())
                      + ",\"username\":" + json_quote(sshd.user())
                      + ",\"key_file\":" + json_quote(sshd.key_file()) + "}");
  if (res.status != 201)
    CAF_FAIL("POST /api/servers " << name << ": " << describe(res));
  auto id = body_json(res)["id"].num();
  CAF_REQUIRE(id > 0);
  return static_cast<uint64_t>(id);
}

http_response post_task(http_client& c, const session& who, uint64_t server_id,
                        const std::string& command, const std::string& more,
                        std::vector<http_header> headers) {
  auto body = "{\"command\":" + json_quote(command)
              + (more.empty() ? "" : "," + more) + "}";
  return call(c, "POST", "/api/servers/" + std::to_string(server_id) + "/tasks",
              who.token, body, std::move(headers));
}

std::string create_task(http_client& c, const session& who, uint64_t server_id,
                        const std::string& command, const std::string& more,
                        std::vector<http_header> headers) {
  auto res = post_task(c, who, server_id, command, more, std::move(headers));
  if (res.status != 202) {
    CAF_ERROR("create '" << command << "' as " << who.username << ": "
                         << describe(res));
    return {};
  }
  return body_json(res)["task_id"].str();
}

http_response cancel_task(http_client& c, const session& who,
                          const std::string& id) {
  return call(c, "POST", "/api/tasks/" + id + "/cancel", who.token);
}

json get_task(http_client& c, const session& who, const std::string& id) {
  auto res = call(c, "GET", "/api/tasks/" + id, who.token);
  if (res.status != 200)
    return {};
  return body_json(res);
}

bool is_final_status(const std::string& status) {
  return status == "success" || status == "failed" || status == "timeout"
         || status == "cancelled";
}

bool await(const std::function<bool()>& condition,
           std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

json wait_task(http_client& c, const session& who, const std::string& id,
               const std::function<bool(const json&)>& done,
               std::chrono::milliseconds limit, const std::string& what) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  json last;
  http_response res;
  for (;;) {
    res = call(c, "GET", "/api/tasks/" + id, who.token);
    if (res.status == 200) {
      last = json::parse(res.body);
      if (done(last))
        return last;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CAF_ERROR("task " << id << " not " << what << " within " << limit.count()
                    << " ms; last answer: " << describe(res));
  return last;
}

json wait_status(http_client& c, const session& who, const std::string& id,
                 const std::string& status, std::chrono::milliseconds limit) {
  return wait_task(
      c, who, id, [&](const json& t) { return t["status"].str() == status; },
      limit, status);
}

json wait_final(http_client& c, const session& who, const std::string& id,
                std::chrono::milliseconds limit) {
  return wait_task(
      c, who, id,
      [](const json& t) { return is_final_status(t["status"].str()); }, limit,
      "final");
}

json list_tasks(http_client& c, const session& who, const std::string& query) {
  auto res = call(c, "GET", "/api/tasks" + (query.empty() ? "" : "?" + query),
                  who.token);
  if (res.status != 200) {
    CAF_ERROR("GET /api/tasks?" << query << " as " << who.username << ": "
                                << describe(res));
    return {};
  }
  return body_json(res);
}

std::vector<std::string> ids_of(const json& list) {
  std::vector<std::string> result;
  auto tasks = list["tasks"];
  for (size_t i = 0; i < tasks.size(); ++i)
    result.push_back(tasks[i]["id"].str());
  return result;
}

std::vector<std::string> audit_pages(http_client& c, const session& admin,
                                     const std::string& query) {
  std::vector<std::string> result;
  for (int offset = 0; offset < 100 * audit_page; offset += audit_page) {
    auto target = "/api/audit?" + (query.empty() ? "" : query + "&")
                  + "limit=" + std::to_string(audit_page)
                  + "&offset=" + std::to_string(offset);
    auto res = call(c, "GET", target, admin.token);
    if (res.status != 200) {
      CAF_ERROR("GET " << target << ": " << describe(res));
      break;
    }
    result.push_back(res.body);
    if (json::parse(res.body)["records"].size() < audit_page)
      break;
  }
  return result;
}

std::vector<json> audit_records(http_client& c, const session& admin,
                                const std::string& query) {
  std::vector<json> result;
  for (const auto& page : audit_pages(c, admin, query)) {
    auto records = json::parse(page)["records"];
    for (size_t i = 0; i < records.size(); ++i)
      result.push_back(records[i]);
  }
  return result;
}

std::string random_text(size_t n) {
  static constexpr char alphabet[]
      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::ifstream in{"/dev/urandom", std::ios::binary};
  std::string result;
  while (result.size() < n) {
    auto c = static_cast<unsigned char>(in.get());
    if (c < 248)
      result += alphabet[c % 62];
  }
  return result;
}

size_t occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  if (needle.empty())
    return 0;
  for (auto pos = text.find(needle); pos != std::string::npos;
       pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

std::optional<double> iso_seconds(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h,
                  &mi, &s, &used)
          != 6
      || used != 19 || text.back() != 'Z')
    return std::nullopt;
  double fraction = 0;
  auto rest = text.substr(19, text.size() - 20);
  if (!rest.empty()) {
    if (rest[0] != '.' || rest.size() < 2
        || rest.find_first_not_of("0123456789", 1) != std::string::npos)
      return std::nullopt;
    fraction = std::stod("0" + rest);
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<double>(timegm(&tm)) + fraction;
}

std::string iso_text(double seconds) {
  auto whole = static_cast<std::time_t>(std::floor(seconds));
  auto micros = static_cast<long>(std::llround((seconds - whole) * 1e6));
  if (micros >= 1'000'000) {
    ++whole;
    micros -= 1'000'000;
  }
  std::tm tm{};
  gmtime_r(&whole, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec, micros);
  return buf;
}

bool is_uuid_v4(const std::string& text) {
  if (text.size() != 36)
    return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (text[i] == '-'))
      return false;
    if (!dash
        && std::string_view{"0123456789abcdef"}.find(text[i])
               == std::string_view::npos)
      return false;
  }
  return text[14] == '4'
         && std::string_view{"89ab"}.find(text[19]) != std::string_view::npos;
}

test_sshd& shared_sshd() {
  static test_sshd instance;
  return instance;
}

namespace {

tasksd_options with_env(std::map<std::string, std::string> env) {
  tasksd_options options;
  options.env = std::move(env);
  return options;
}

} // namespace

service::service(const test_sshd* sshd, std::map<std::string, std::string> env)
    : proc(with_env(std::move(env))), http(proc.port()) {
  http.set_close_wait(std::chrono::milliseconds(0));
  admin = login(http, "admin", proc.admin_password());
  if (sshd != nullptr)
    server_id = add_server(http, admin, *sshd, "sshd");
}

void service::reconnect() {
  http = client();
}

http_client service::client() const {
  http_client result{proc.port()};
  result.set_close_wait(std::chrono::milliseconds(0));
  return result;
}

} // namespace tasks::test
