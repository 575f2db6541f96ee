// Runs one browser scenario (tests/ui/<name>.mjs, headless Chromium through
// playwright-core) against a real tasksd and sshd started here, and fails
// the running test with the scenario's own report when it fails.
#pragma once

#include <map>
#include <string>

#include "http/api_support.hpp"

namespace tasks::test {

/// tasksd with the suite's sshd as server "sshd", and one user per role
/// (admin is the bootstrap account).
struct ui_service {
  ui_service();

  service svc;
  session operator_user;
  session viewer_user;
};

/// The suite's ui_service, started on first use.
ui_service& shared_ui();

/// Runs `node tests/ui/<name>.mjs` with the URL, the users and the sshd in
/// its environment (plus `extra`); checks that it exits 0.
void run_scenario(ui_service& ui, const std::string& name,
                  const std::map<std::string, std::string>& extra = {});

} // namespace tasks::test
