// A viewer is offered nothing they may not do; the API refuses it anyway. Keyboard use, phone width, and an expired session.
#define CAF_SUITE ui.viewer
#include <caf/test/unit_test.hpp>

#include "ui/ui_driver.hpp"

using namespace tasks::test;

CAF_TEST(viewer scenario in headless Chromium) {
  run_scenario(shared_ui(), "viewer");
}
