// An operator runs commands, watches them finish, reads their output and cancels one; output that looks like HTML stays text.
#define CAF_SUITE ui.operator
#include <caf/test/unit_test.hpp>

#include "ui/ui_driver.hpp"

using namespace tasks::test;

CAF_TEST(operator scenario in headless Chromium) {
  run_scenario(shared_ui(), "operator");
}
