// An admin manages users and servers and exports the audit log as CSV.
#define CAF_SUITE ui.admin
#include <caf/test/unit_test.hpp>

#include "ui/ui_driver.hpp"

using namespace tasks::test;

CAF_TEST(admin scenario in headless Chromium) {
  run_scenario(shared_ui(), "admin");
}
