// The global queue cap of SPEC §2/§4 against the real tasksd: beyond
// TASKS_MAX_QUEUED waiting tasks a create answers 429 queue_full, and a
// cancelled task frees its place.
#define CAF_SUITE http.queue
#include <caf/test/unit_test.hpp>

#include "http/api_support.hpp"

using namespace tasks::test;
using namespace std::chrono_literals;

CAF_TEST(creates_beyond_the_queue_cap_get_429_until_a_place_frees) {
  service svc{&shared_sshd(),
              {{"TASKS_MAX_QUEUED", "2"},
               {"TASKS_NUM_WORKERS", "1"},
               {"TASKS_CONCURRENT_PER_SERVER", "1"}}};
  auto& c = svc.http;
  const auto& admin = svc.admin;
  auto running = create_task(c, admin, svc.server_id, "sleep 30");
  wait_status(c, admin, running, "running");
  // The running task holds the only worker; two more fill the queue.
  auto first = create_task(c, admin, svc.server_id, "sleep 30");
  auto second = create_task(c, admin, svc.server_id, "sleep 30");
  for (const auto& id : {first, second})
    CAF_CHECK_EQUAL(get_task(c, admin, id)["status"].text(), "queued");
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto full = post_task(c, admin, svc.server_id, "true");
    CAF_CHECK(is_error(full, 429, "queue_full"));
    CAF_CHECK_EQUAL(full.header("Location"), "");
  }
  // Refused creates left nothing behind.
  CAF_CHECK_EQUAL(list_tasks(c, admin, "")["count"].text(), "3");
  // A cancelled queued task frees its place.
  CAF_CHECK_EQUAL(cancel_task(c, admin, second).status, 200);
  auto third = create_task(c, admin, svc.server_id, "echo third",
                           "\"store_output\":true");
  CAF_CHECK(!third.empty());
  CAF_CHECK(
      is_error(post_task(c, admin, svc.server_id, "true"), 429, "queue_full"));
  // Cancelling the running and the first queued task lets the third run.
  CAF_CHECK_EQUAL(cancel_task(c, admin, running).status, 200);
  CAF_CHECK_EQUAL(cancel_task(c, admin, first).status, 200);
  auto t = wait_final(c, admin, third);
  CAF_CHECK_EQUAL(t["status"].text(), "success");
  CAF_CHECK_EQUAL(t["stdout"].text(), "third\n");
  // The queue is empty again: the cap counts waiting tasks only.
  auto a = create_task(c, admin, svc.server_id, "true");
  auto b = create_task(c, admin, svc.server_id, "true");
  for (const auto& id : {a, b})
    CAF_CHECK_EQUAL(wait_final(c, admin, id)["status"].text(), "success");
  for (const auto& id : {running, first, second})
    CAF_CHECK_EQUAL(get_task(c, admin, id)["status"].text(), "cancelled");
}
