#define CAF_SUITE ssh.output
#include <caf/test/unit_test.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "actors/ssh/output.hpp"
#include "actors/ssh/session.hpp"

using namespace tasks::ssh;

namespace {

/// Feeds `input` to a fresh filter in pieces of `step` bytes.
std::string filtered(std::string_view input, size_t step,
                     std::optional<long>* pgid = nullptr) {
  capped_output out{true, 1 << 20};
  pgid_filter filter;
  for (size_t i = 0; i < input.size(); i += step)
    filter.feed(input.substr(i, step), out);
  filter.finish(out);
  if (pgid != nullptr)
    *pgid = filter.pgid();
  return out.text();
}

} // namespace

CAF_TEST(shell_quote_escapes_single_quotes) {
  CAF_CHECK_EQUAL(shell_quote("ls -l"), "'ls -l'");
  CAF_CHECK_EQUAL(shell_quote("it's"), "'it'\\''s'");
  CAF_CHECK_EQUAL(shell_quote(""), "''");
}

CAF_TEST(wrapper_reports_the_pid_then_evaluates_the_command) {
  CAF_CHECK_EQUAL(wrap_command("echo 'hi'"),
                  "printf 'tasksd-pgid:%s\\n' $$ >&2; "
                  "eval 'echo '\\''hi'\\'''");
}

CAF_TEST(kill_command_uses_the_form_dash_accepts) {
  CAF_CHECK_EQUAL(kill_group_command(4242), "kill -s KILL -- -4242");
}

CAF_TEST(capped_output_keeps_up_to_the_cap_and_flags_the_rest) {
  capped_output out{true, 5};
  out.append("abc");
  CAF_CHECK(!out.truncated());
  out.append("de");
  CAF_CHECK_EQUAL(out.text(), "abcde");
  CAF_CHECK(!out.truncated());
  out.append("f");
  CAF_CHECK_EQUAL(out.text(), "abcde");
  CAF_CHECK(out.truncated());
  CAF_CHECK_EQUAL(out.total(), 6u);
}

CAF_TEST(capped_output_without_capture_keeps_nothing) {
  capped_output out{false, 5};
  out.append("abcdefgh");
  CAF_CHECK(out.text().empty());
  CAF_CHECK(!out.truncated());
  CAF_CHECK_EQUAL(out.total(), 8u);
}

CAF_TEST(marker_line_is_removed_in_any_split) {
  const std::string input = "tasksd-pgid:12345\nreal error\n";
  for (size_t step : {1u, 2u, 5u, 12u, 13u, 17u, 18u, 100u}) {
    std::optional<long> pgid;
    CAF_CHECK_EQUAL(filtered(input, step, &pgid), "real error\n");
    CAF_CHECK_EQUAL(pgid.value_or(-1), 12345);
  }
}

CAF_TEST(lines_before_the_marker_pass_through) {
  std::optional<long> pgid;
  CAF_CHECK_EQUAL(filtered("noise\ntasks\ntasksd-pgid:7\nerr", 3, &pgid),
                  "noise\ntasks\nerr");
  CAF_CHECK_EQUAL(pgid.value_or(-1), 7);
}

CAF_TEST(only_the_first_marker_is_removed) {
  std::optional<long> pgid;
  CAF_CHECK_EQUAL(filtered("tasksd-pgid:7\ntasksd-pgid:8\n", 4, &pgid),
                  "tasksd-pgid:8\n");
  CAF_CHECK_EQUAL(pgid.value_or(-1), 7);
}

CAF_TEST(malformed_markers_are_ordinary_output) {
  std::optional<long> pgid;
  CAF_CHECK_EQUAL(filtered("tasksd-pgid:x1\n", 1, &pgid), "tasksd-pgid:x1\n");
  CAF_CHECK(!pgid);
  const std::string long_line = "tasksd-pgid:" + std::string(40, '1') + "\n";
  CAF_CHECK_EQUAL(filtered(long_line, 1, &pgid), long_line);
  CAF_CHECK(!pgid);
  CAF_CHECK_EQUAL(filtered("tasksd-pg", 1, &pgid), "tasksd-pg");
  CAF_CHECK(!pgid);
}

CAF_TEST(filter_gives_up_after_its_limit) {
  capped_output out{true, 1 << 20};
  pgid_filter filter{10};
  filter.feed("0123456789abcdef\n", out);
  filter.feed("tasksd-pgid:5\n", out);
  CAF_CHECK(filter.done());
  CAF_CHECK(!filter.pgid());
  CAF_CHECK_EQUAL(out.text(), "0123456789abcdef\ntasksd-pgid:5\n");
}

CAF_TEST(same_endpoint_compares_address_account_and_pin) {
  target a;
  a.host = "10.0.0.5";
  a.port = 2222;
  a.username = "deploy";
  a.pinned_host_key = "SHA256:abc";
  a.password = "secret";
  target b = a;
  b.password = "other";
  b.key_file = "/k";
  CAF_CHECK(a.same_endpoint(b));
  b.port = 22;
  CAF_CHECK(!a.same_endpoint(b));
  b = a;
  b.pinned_host_key.clear();
  CAF_CHECK(!a.same_endpoint(b));
  b = a;
  b.username = "root";
  CAF_CHECK(!a.same_endpoint(b));
  b = a;
  b.host = "10.0.0.6";
  CAF_CHECK(!a.same_endpoint(b));
}
