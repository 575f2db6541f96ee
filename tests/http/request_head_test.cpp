// Unit tests of the request head check that runs before Pistache parses.
#define CAF_SUITE http.request_head

#include "http/request_head.hpp"

#include <caf/test/unit_test.hpp>

using namespace tasks::http;

namespace {

constexpr size_t mib = 1 << 20;

head_check check(const std::string& head) {
  return check_head(head, mib);
}

} // namespace

CAF_TEST(a_plain_head_is_forwarded_with_renamed_headers) {
  auto r = check("POST /api/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: "
                 "application/json\r\nContent-Length: 12\r\n\r\n");
  CAF_CHECK_EQUAL(r.status, 0);
  CAF_CHECK_EQUAL(r.content_length, 12u);
  CAF_CHECK_EQUAL(r.forwarded, "POST /api/tasks HTTP/1.1\r\n"
                               "x-tasksd-host: x\r\n"
                               "x-tasksd-content-type: application/json\r\n"
                               "Content-Length: 12\r\n\r\n");
}

CAF_TEST(content_length_must_be_digits_within_the_limit) {
  CAF_CHECK_EQUAL(check("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n").status,
                  400);
  CAF_CHECK_EQUAL(
      check("GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n")
          .status,
      400);
  CAF_CHECK_EQUAL(
      check("GET / HTTP/1.1\r\nContent-Length: 1048577\r\n\r\n").status, 413);
  CAF_CHECK_EQUAL(
      check("GET / HTTP/1.1\r\nContent-Length: 1048576\r\n\r\n").status, 0);
  CAF_CHECK_EQUAL(check("GET / HTTP/1.1\r\nContent-Length: 2\r\n"
                        "Content-Length: 5\r\n\r\n")
                      .status,
                  400);
}

CAF_TEST(chunked_bodies_and_unknown_expectations_are_refused) {
  CAF_CHECK_EQUAL(
      check("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").status,
      411);
  CAF_CHECK_EQUAL(check("POST / HTTP/1.1\r\nExpect: magic\r\n\r\n").status,
                  417);
  auto r = check("POST / HTTP/1.1\r\nExpect: 100-continue\r\n"
                 "Content-Length: 3\r\n\r\n");
  CAF_CHECK_EQUAL(r.status, 0);
  CAF_CHECK(r.expect_continue);
}

CAF_TEST(malformed_request_lines_are_refused) {
  CAF_CHECK_EQUAL(check("BREW / HTTP/1.1\r\n\r\n").status, 405);
  CAF_CHECK_EQUAL(check("GET / HTTP/2.0\r\n\r\n").status, 505);
  CAF_CHECK_EQUAL(check("GET noslash HTTP/1.1\r\n\r\n").status, 400);
  CAF_CHECK_EQUAL(check("GET /\x01 HTTP/1.1\r\n\r\n").status, 400);
  CAF_CHECK_EQUAL(check("GET\r\n\r\n").status, 400);
}

CAF_TEST(malformed_header_lines_are_refused) {
  CAF_CHECK_EQUAL(check("GET / HTTP/1.1\r\nNoColon\r\n\r\n").status, 400);
  CAF_CHECK_EQUAL(check("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n").status, 400);
  CAF_CHECK_EQUAL(check("GET / HTTP/1.1\r\n folded: x\r\n\r\n").status, 400);
  CAF_CHECK_EQUAL(check("GET / HTTP/1.1\r\nX: a\x01z\r\n\r\n").status, 400);
}

CAF_TEST(repeated_query_parameters_are_refused) {
  CAF_CHECK_EQUAL(
      check("GET /api/tasks?limit=5&limit=6 HTTP/1.1\r\n\r\n").status, 400);
  CAF_CHECK_EQUAL(
      check("GET /api/tasks?limit=5&li%6Dit=6 HTTP/1.1\r\n\r\n").status, 400);
  CAF_CHECK_EQUAL(
      check("GET /api/tasks?limit=5&offset=6 HTTP/1.1\r\n\r\n").status, 0);
}
