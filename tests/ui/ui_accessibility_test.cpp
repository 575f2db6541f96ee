// Every main page passes axe-core's WCAG 2 A and AA rules, at laptop and
// phone width.
#define CAF_SUITE ui.accessibility
#include <caf/test/unit_test.hpp>

#include "ui/ui_driver.hpp"

using namespace tasks::test;

CAF_TEST(accessibility scenario in headless Chromium) {
  run_scenario(shared_ui(), "accessibility");
}
