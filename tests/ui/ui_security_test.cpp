// The Content Security Policy blocks inline scripts, and the UI's source never builds HTML from strings.
#define CAF_SUITE ui.security
#include <caf/test/unit_test.hpp>

#include "ui/ui_driver.hpp"

using namespace tasks::test;

CAF_TEST(security scenario in headless Chromium) {
  run_scenario(shared_ui(), "security");
}
