// tasksctl server add, list and rm against a temporary store.
#define CAF_SUITE tools.tasksctl_servers

#include "tasksctl_fixture.hpp"

#include "storage/store.hpp"

namespace {

struct fixture : tasksctl_fixture {
  fixture() { close(); }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(tasksctl_servers, fixture)

CAF_TEST(add_stores_the_server_and_list_shows_it) {
  auto added = run({"server", "add", "web1", "--host", "10.0.0.5", "--port",
                    "2200", "--user", "deploy", "--key-file",
                    "/etc/tasksd/id_ed25519", "--host-key",
                    "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s"});
  CAF_CHECK_EQUAL(added.exit_code, 0);
  CAF_CHECK_NOT_EQUAL(added.out.find("server 1 added: web1"),
                      std::string::npos);
  auto listed = run({"server", "list"});
  CAF_CHECK_EQUAL(listed.exit_code, 0);
  CAF_CHECK_EQUAL(first_column(listed.out), std::vector<std::string>{"1"});
  CAF_CHECK_NOT_EQUAL(listed.out.find("deploy@10.0.0.5:2200"),
                      std::string::npos);
  open();
  auto s = st().find_server("web1");
  CAF_REQUIRE(s);
  CAF_CHECK_EQUAL(s->key_file, "/etc/tasksd/id_ed25519");
  CAF_CHECK_EQUAL(s->host_key,
                  "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s");
}

CAF_TEST(password_comes_from_stdin_and_is_sealed) {
  auto added = run({"server", "add", "db1", "--host", "10.0.0.6", "--user",
                    "root", "--password-stdin"},
                   "s3cret-password\n");
  CAF_CHECK_EQUAL(added.exit_code, 0);
  CAF_CHECK_EQUAL(added.out.find("s3cret"), std::string::npos);
  open();
  auto s = st().find_server("db1");
  CAF_REQUIRE(s);
  auto password = st().server_password(*s);
  CAF_REQUIRE(password);
  CAF_CHECK_EQUAL(*password, "s3cret-password");
}

CAF_TEST(an_auth_method_is_required) {
  auto added = run({"server", "add", "x", "--host", "h", "--user", "u"});
  CAF_CHECK_EQUAL(added.exit_code, 2);
}

CAF_TEST(rm_by_name_or_id_removes_it) {
  CAF_CHECK_EQUAL(run({"server", "add", "a", "--host", "h", "--user", "u",
                       "--key-file", "/k"})
                      .exit_code,
                  0);
  CAF_CHECK_EQUAL(run({"server", "add", "b", "--host", "h", "--user", "u",
                       "--key-file", "/k"})
                      .exit_code,
                  0);
  CAF_CHECK_EQUAL(run({"server", "rm", "a"}).exit_code, 0);
  CAF_CHECK_EQUAL(run({"server", "rm", "2"}).exit_code, 0);
  CAF_CHECK_EQUAL(first_column(run({"server", "list"}).out),
                  std::vector<std::string>{});
  auto missing = run({"server", "rm", "nope"});
  CAF_CHECK_EQUAL(missing.exit_code, 1);
  CAF_CHECK_NOT_EQUAL(missing.err.find("tasksctl server list"),
                      std::string::npos);
}

CAF_TEST(writing_while_the_store_is_held_says_what_to_do) {
  open(); // held primary, as a running tasksd would
  auto added = run(
      {"server", "add", "c", "--host", "h", "--user", "u", "--key-file", "/k"});
  CAF_CHECK_EQUAL(added.exit_code, 1);
  CAF_CHECK_EQUAL(added.err, "tasksctl: tasksd is running on " + cfg.data_dir
                                 + ": stop it, or use the REST API\n");
  CAF_CHECK_EQUAL(run({"server", "list"}).exit_code, 0);
}

CAF_TEST_FIXTURE_SCOPE_END()
