// The RBAC table of SPEC §4 end to end: admin, two operators and a viewer
// against the real tasksd, for creating, listing, viewing and cancelling
// tasks and for the admin-only endpoints; denials are audited.
#define CAF_SUITE http.rbac
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <thread>

#include "http/api_support.hpp"

using namespace tasks::test;
using namespace std::chrono_literals;

namespace {

/// The suite's tasksd and users. Every task the suite creates is recorded
/// with its owner, so the lists have a reference.
struct world {
  service svc{
      &shared_sshd(),
      {{"TASKS_CONCURRENT_PER_SERVER", "8"}, {"TASKS_NUM_WORKERS", "8"}}};
  session op1 = add_user(svc.http, svc.admin, "op1", "operator");
  session op2 = add_user(svc.http, svc.admin, "op2", "operator");
  session viewer = add_user(svc.http, svc.admin, "viewer", "viewer");
  /// (task id, owner id) in creation order.
  std::vector<std::pair<std::string, uint64_t>> created;
};

world& shared() {
  static world instance;
  return instance;
}

struct fixture {
  world& w = shared();
  http_client& http = w.svc.http;
  const session& admin = w.svc.admin;
  const session& op1 = w.op1;
  const session& op2 = w.op2;
  const session& viewer = w.viewer;
  uint64_t server = w.svc.server_id;

  /// Creates a task as `who` (expects 202) and records it.
  std::string make(const session& who, const std::string& command = "true") {
    auto id = create_task(http, who, server, command);
    if (!id.empty())
      w.created.emplace_back(id, who.id);
    return id;
  }

  /// The recorded tasks of `owner` (all with 0), newest first.
  std::vector<std::string> reference(uint64_t owner) {
    std::vector<std::string> ids;
    for (auto i = w.created.rbegin(); i != w.created.rend(); ++i)
      if (owner == 0 || i->second == owner)
        ids.push_back(i->first);
    return ids;
  }

  /// A task id that does not exist.
  static std::string missing_id() {
    return "0b7c8a4e-" + std::string{"5d1f-4c3a-9e2b-"} + "7f6a5b4c3d2e";
  }
};

/// `body` with every `id` replaced by a placeholder, so two 404 bodies can
/// be compared.
std::string without(std::string body, const std::string& id) {
  for (auto pos = body.find(id); pos != std::string::npos;
       pos = body.find(id, pos))
    body.replace(pos, id.size(), "<id>");
  return body;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(http_rbac_tests, fixture)

CAF_TEST(admin_and_operators_create_tasks_and_viewers_may_not) {
  for (const auto* who : {&admin, &op1, &op2}) {
    auto res = post_task(http, *who, server, "true");
    CAF_CHECK_EQUAL(std::make_pair(who->username, res.status),
                    std::make_pair(who->username, 202));
    auto id = body_json(res)["task_id"].str();
    if (!id.empty())
      w.created.emplace_back(id, who->id);
  }
  CAF_CHECK(
      is_error(post_task(http, viewer, server, "true"), 403, "forbidden"));
  // The role decides before anything is looked up.
  CAF_CHECK(
      is_error(post_task(http, viewer, 999999, "true"), 403, "forbidden"));
  CAF_CHECK(is_error(post_task(http, op1, 999999, "true"), 404, "not_found"));
  CAF_CHECK(is_error(post_task(http, admin, 999999, "true"), 404, "not_found"));
  // Nothing was created for the viewer.
  CAF_CHECK_EQUAL(
      list_tasks(http, admin, "user_id=" + std::to_string(viewer.id))["count"]
          .text(),
      "0");
}

CAF_TEST(each_user_lists_exactly_their_own_tasks_and_admin_lists_all) {
  make(op1);
  make(op2);
  make(admin);
  make(op1);
  CAF_REQUIRE_LESS_OR_EQUAL(w.created.size(), 100u);
  auto n = [](uint64_t x) { return std::to_string(x); };
  CAF_CHECK_EQUAL(ids_of(list_tasks(http, admin, "")), reference(0));
  CAF_CHECK_EQUAL(ids_of(list_tasks(http, op1, "")), reference(op1.id));
  CAF_CHECK_EQUAL(ids_of(list_tasks(http, op2, "")), reference(op2.id));
  auto seen_by_viewer = list_tasks(http, viewer, "");
  CAF_CHECK(seen_by_viewer.valid());
  CAF_CHECK_EQUAL(ids_of(seen_by_viewer), std::vector<std::string>{});
  CAF_CHECK_EQUAL(seen_by_viewer["count"].text(), "0");
  // user_id: one's own is fine, another's is admin-only.
  CAF_CHECK_EQUAL(ids_of(list_tasks(http, op1, "user_id=" + n(op1.id))),
                  reference(op1.id));
  CAF_CHECK(
      is_error(call(http, "GET", "/api/tasks?user_id=" + n(op2.id), op1.token),
               403, "forbidden"));
  CAF_CHECK(is_error(
      call(http, "GET", "/api/tasks?user_id=" + n(admin.id), op2.token), 403,
      "forbidden"));
  CAF_CHECK(is_error(
      call(http, "GET", "/api/tasks?user_id=" + n(op1.id), viewer.token), 403,
      "forbidden"));
  CAF_CHECK_EQUAL(ids_of(list_tasks(http, viewer, "user_id=" + n(viewer.id))),
                  std::vector<std::string>{});
  CAF_CHECK_EQUAL(ids_of(list_tasks(http, admin, "user_id=" + n(op2.id))),
                  reference(op2.id));
  CAF_CHECK_EQUAL(ids_of(list_tasks(http, admin, "user_id=" + n(op1.id))),
                  reference(op1.id));
  // Other filters never widen an operator's view.
  CAF_CHECK_EQUAL(ids_of(list_tasks(http, op1, "server_id=" + n(server))),
                  reference(op1.id));
  std::vector<std::string> succeeded;
  for (const auto& id : reference(op1.id))
    if (wait_final(http, admin, id)["status"].str() == "success")
      succeeded.push_back(id);
  CAF_CHECK_EQUAL(ids_of(list_tasks(http, op1, "status=success&limit=100")),
                  succeeded);
}

CAF_TEST(viewing_another_users_task_is_the_same_404_as_a_missing_one) {
  auto of_op1 = make(op1);
  auto of_op2 = make(op2);
  auto missing = missing_id();
  for (const auto* who : {&op1, &op2, &viewer}) {
    auto absent = call(http, "GET", "/api/tasks/" + missing, who->token);
    CAF_CHECK(is_error(absent, 404, "not_found"));
    for (const auto& [id, owner] :
         {std::make_pair(of_op1, op1.id), std::make_pair(of_op2, op2.id)}) {
      auto res = call(http, "GET", "/api/tasks/" + id, who->token);
      if (owner == who->id) {
        CAF_CHECK_EQUAL(res.status, 200);
        CAF_CHECK_EQUAL(body_json(res)["id"].text(), id);
        continue;
      }
      CAF_CHECK_EQUAL(std::make_pair(who->username, res.status),
                      std::make_pair(who->username, 404));
      CAF_CHECK_EQUAL(without(res.body, id), without(absent.body, missing));
      CAF_CHECK_EQUAL(res.header("Content-Type"),
                      absent.header("Content-Type"));
      CAF_CHECK_EQUAL(res.body.find("op1"), std::string::npos);
      CAF_CHECK_EQUAL(res.body.find("op2"), std::string::npos);
    }
  }
  for (const auto& id : {of_op1, of_op2}) {
    auto t = get_task(http, admin, id);
    CAF_CHECK_EQUAL(t["id"].text(), id);
  }
}

CAF_TEST(cancel_follows_the_role_and_the_owner) {
  auto of_op1 = make(op1, "sleep 30");
  auto of_op2 = make(op2, "sleep 30");
  auto other_of_op2 = make(op2, "sleep 30");
  auto missing = missing_id();
  // A viewer may never cancel: 403 before any lookup.
  CAF_CHECK(is_error(cancel_task(http, viewer, missing), 403, "forbidden"));
  CAF_CHECK(is_error(cancel_task(http, viewer, of_op1), 403, "forbidden"));
  // An operator cannot see another's task: the same 404 as a missing one.
  auto absent = cancel_task(http, op1, missing);
  CAF_CHECK(is_error(absent, 404, "not_found"));
  auto hidden = cancel_task(http, op1, of_op2);
  CAF_CHECK(is_error(hidden, 404, "not_found"));
  CAF_CHECK_EQUAL(without(hidden.body, of_op2), without(absent.body, missing));
  // None of that touched the tasks.
  for (const auto& id : {of_op1, of_op2, other_of_op2}) {
    auto status = get_task(http, admin, id)["status"].str();
    CAF_CHECK(status == "queued" || status == "running");
  }
  CAF_CHECK_EQUAL(cancel_task(http, op1, of_op1).status, 200);
  CAF_CHECK_EQUAL(cancel_task(http, admin, of_op2).status, 200);
  CAF_CHECK_EQUAL(cancel_task(http, op2, other_of_op2).status, 200);
  for (const auto& id : {of_op1, of_op2, other_of_op2})
    CAF_CHECK_EQUAL(get_task(http, admin, id)["status"].text(), "cancelled");
  // Final tasks: 409 for whoever may cancel them, still 404/403 for others.
  CAF_CHECK(is_error(cancel_task(http, admin, of_op1), 409, "conflict"));
  CAF_CHECK(is_error(cancel_task(http, op2, of_op2), 409, "conflict"));
  CAF_CHECK(is_error(cancel_task(http, op1, of_op2), 404, "not_found"));
  CAF_CHECK(is_error(cancel_task(http, viewer, of_op2), 403, "forbidden"));
}

CAF_TEST(denials_are_audited_as_auth_denied_naming_the_user) {
  auto of_op2 = make(op2);
  const auto agent = "rbac-denials/" + random_text(8);
  const std::vector<http_header> ua = {{"User-Agent", agent}};
  auto server_path = "/api/servers/" + std::to_string(server) + "/tasks";
  CAF_CHECK_EQUAL(
      call(http, "POST", server_path, viewer.token, R"({"command":"true"})", ua)
          .status,
      403);
  CAF_CHECK_EQUAL(
      call(http, "GET", "/api/tasks/" + of_op2, op1.token, "", ua).status, 404);
  CAF_CHECK_EQUAL(call(http, "GET",
                       "/api/tasks?user_id=" + std::to_string(op2.id),
                       op1.token, "", ua)
                      .status,
                  403);
  CAF_CHECK_EQUAL(call(http, "POST", "/api/tasks/" + of_op2 + "/cancel",
                       viewer.token, "", ua)
                      .status,
                  403);
  // (username, action, decision, route) of each denial, oldest first.
  using row = std::vector<std::string>;
  const std::vector<row> expected
      = {{"viewer", "task_create", "deny_forbidden",
          "POST /api/servers/:id/tasks"},
         {"op1", "task_view", "deny_hidden", "GET /api/tasks/:id"},
         {"op1", "task_list_by_user", "deny_forbidden", "GET /api/tasks"},
         {"viewer", "task_cancel", "deny_forbidden",
          "POST /api/tasks/:id/cancel"}};
  // The audit write follows the answer: poll until all four are there.
  std::vector<row> seen;
  std::vector<json> records;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  do {
    seen.clear();
    records.clear();
    for (const auto& r : audit_records(http, admin, "action=auth.denied"))
      if (r["user_agent"].str() == agent)
        records.push_back(r);
    std::reverse(records.begin(), records.end());
    for (const auto& r : records)
      seen.push_back({r["username"].str(), r["metadata"]["action"].str(),
                      r["metadata"]["decision"].str(),
                      r["metadata"]["route"].str()});
    if (seen.size() >= expected.size())
      break;
    std::this_thread::sleep_for(20ms);
  } while (std::chrono::steady_clock::now() < deadline);
  std::sort(seen.begin(), seen.end());
  auto sorted = expected;
  std::sort(sorted.begin(), sorted.end());
  CAF_CHECK_EQUAL(seen, sorted);
  for (const auto& r : records) {
    CAF_CHECK_EQUAL(r["action"].text(), "auth.denied");
    CAF_CHECK_EQUAL(r["client_ip"].text(), "127.0.0.1");
    auto name = r["username"].str();
    CAF_CHECK_EQUAL(r["user_id"].num(),
                    static_cast<int64_t>(name == "op1" ? op1.id : viewer.id));
  }
  // The audit's user filter finds a user's denials and only theirs.
  size_t of_op1 = 0;
  for (const auto& r :
       audit_records(http, admin, "action=auth.denied&user=op1")) {
    CAF_CHECK_EQUAL(r["username"].text(), "op1");
    if (r["user_agent"].str() == agent)
      ++of_op1;
  }
  CAF_CHECK_EQUAL(of_op1, 2u);
}

CAF_TEST(admin_only_endpoints_are_forbidden_to_operators_and_viewers) {
  auto server_body = [&](const std::string& name) {
    const auto& sshd = shared_sshd();
    return "{\"name\":" + json_quote(name)
           + ",\"host\":\"127.0.0.1\",\"port\":" + std::to_string(sshd.port())
           + ",\"username\":" + json_quote(sshd.user())
           + ",\"key_file\":" + json_quote(sshd.key_file()) + "}";
  };
  auto user_body = R"({"username":"intruder","role":"admin",)"
                   R"("password":"Intruder-password-1"})";
  for (const auto* who : {&op1, &op2, &viewer}) {
    CAF_MESSAGE("as " << who->username);
    CAF_CHECK(is_error(call(http, "GET", "/api/users", who->token), 403,
                       "forbidden"));
    CAF_CHECK(is_error(call(http, "POST", "/api/users", who->token, user_body),
                       403, "forbidden"));
    CAF_CHECK(is_error(call(http, "GET", "/api/audit", who->token), 403,
                       "forbidden"));
    CAF_CHECK(is_error(call(http, "POST", "/api/servers", who->token,
                            server_body("by-" + who->username)),
                       403, "forbidden"));
    CAF_CHECK(
        is_error(call(http, "GET", "/metrics", who->token), 403, "forbidden"));
    auto servers = call(http, "GET", "/api/servers", who->token);
    CAF_CHECK_EQUAL(servers.status, 200);
    auto list = body_json(servers)["servers"];
    CAF_CHECK_EQUAL(list.size(), 1u);
    CAF_CHECK_EQUAL(list[0]["id"].num(), static_cast<int64_t>(server));
    CAF_CHECK_EQUAL(list[0]["name"].text(), "sshd");
  }
  // None of the refused writes happened; admin gets every endpoint.
  CAF_CHECK_EQUAL(call(http, "GET", "/api/users", admin.token).status, 200);
  auto users = body_json(call(http, "GET", "/api/users", admin.token));
  CAF_CHECK_EQUAL(users["users"].size(), 4u);
  CAF_CHECK_EQUAL(call(http, "GET", "/api/audit?limit=1", admin.token).status,
                  200);
  auto metrics = call(http, "GET", "/metrics", admin.token);
  CAF_CHECK_EQUAL(metrics.status, 200);
  CAF_CHECK_EQUAL(metrics.header("Content-Type").find("text/plain"), 0u);
  CAF_CHECK_EQUAL(call(http, "GET", "/api/servers", admin.token).status, 200);
  // A server with a password: every role lists it, nobody sees the secret.
  const auto secret = "Server-secret-" + random_text(12);
  auto with_password = server_body("by-admin");
  with_password.insert(with_password.size() - 1,
                       ",\"password\":" + json_quote(secret));
  auto created = call(http, "POST", "/api/servers", admin.token, with_password);
  CAF_CHECK_EQUAL(created.status, 201);
  CAF_CHECK_EQUAL(occurrences(created.body, secret), 0u);
  for (const auto* who : {&admin, &op1, &viewer}) {
    auto listed = call(http, "GET", "/api/servers", who->token);
    auto after = body_json(listed);
    CAF_CHECK_EQUAL(after["servers"].size(), 2u);
    CAF_CHECK_EQUAL(after["servers"][1]["has_password"].text(), "true");
    CAF_CHECK_EQUAL(occurrences(listed.body, secret), 0u);
    auto one
        = call(http, "GET", "/api/servers/" + after["servers"][1]["id"].text(),
               who->token);
    CAF_CHECK_EQUAL(one.status, 200);
    CAF_CHECK_EQUAL(occurrences(one.body, secret), 0u);
  }
  std::string audit;
  for (const auto& page : audit_pages(http, admin))
    audit += page;
  CAF_CHECK_GREATER(occurrences(audit, "server."), 0u);
  CAF_CHECK_EQUAL(occurrences(audit, secret), 0u);
  CAF_CHECK_EQUAL(occurrences(w.svc.proc.log(), secret), 0u);
}

CAF_TEST_FIXTURE_SCOPE_END()
