// The browser scenarios' driver (see ui_driver.hpp).
#include "ui/ui_driver.hpp"

#include <filesystem>

#include <caf/test/unit_test.hpp>

#include "support/run_tool.hpp"

namespace tasks::test {

ui_service::ui_service()
    : svc(&shared_sshd(), {{"TASKS_DEFAULT_TIMEOUT", "45"}}) {
  operator_user = add_user(svc.http, svc.admin, "olivia", "operator");
  viewer_user = add_user(svc.http, svc.admin, "victor", "viewer");
}

ui_service& shared_ui() {
  static ui_service instance;
  return instance;
}

void run_scenario(ui_service& ui, const std::string& name,
                  const std::map<std::string, std::string>& extra) {
  const std::string dir = TASKS_UI_TEST_DIR;
  if (!std::filesystem::exists(dir + "/node_modules/playwright-core"))
    CAF_FAIL("playwright-core is missing: run `npm ci --prefix tests/ui` "
             "(./test.sh does)");
  auto& sshd = shared_sshd();
  std::map<std::string, std::string> env{
      {"TASKS_UI_URL", "http://127.0.0.1:" + std::to_string(ui.svc.proc.port())},
      {"TASKS_UI_SCREENSHOTS", TASKS_UI_SCREENSHOTS_DIR},
      {"TASKS_UI_SOURCE", TASKS_UI_SOURCE_DIR},
      {"TASKS_UI_SERVER_ID", std::to_string(ui.svc.server_id)},
      {"TASKS_UI_ADMIN_PASSWORD", ui.svc.admin.password},
      {"TASKS_UI_OPERATOR", ui.operator_user.username},
      {"TASKS_UI_OPERATOR_PASSWORD", ui.operator_user.password},
      {"TASKS_UI_VIEWER", ui.viewer_user.username},
      {"TASKS_UI_VIEWER_PASSWORD", ui.viewer_user.password},
      {"TASKS_UI_SSH_PORT", std::to_string(sshd.port())},
      {"TASKS_UI_SSH_USER", sshd.user()},
      {"TASKS_UI_SSH_KEY_FILE", sshd.key_file()},
      {"TASKS_UI_SSH_HOST_KEY", sshd.host_key_fingerprint()},
  };
  for (const auto& [key, value] : extra)
    env[key] = value;
  auto result = run_tool(TASKS_NODE_BINARY, {dir + "/" + name + ".mjs"}, "",
                         env, dir);
  if (result.exit_code == 0)
    CAF_MESSAGE("scenario " << name << ":\n" << result.out << result.err);
  else
    CAF_FAIL("scenario " << name << " failed (exit " << result.exit_code
                         << "):\n"
                         << result.out << result.err << "\ntasksd log:\n"
                         << ui.svc.proc.log());
}

} // namespace tasks::test
