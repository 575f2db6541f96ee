// Tests the JSON string escaper shared by http/ and tasksctl.
#define CAF_SUITE core.json_string
#include <caf/test/unit_test.hpp>

#include "core/json_string.hpp"

using namespace tasks;

namespace {

std::string literal(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

} // namespace

CAF_TEST(quotes_backslashes_and_control_characters_are_escaped) {
  CAF_CHECK_EQUAL(literal(""), "\"\"");
  CAF_CHECK_EQUAL(literal("a \"b\" \\c"), "\"a \\\"b\\\" \\\\c\"");
  CAF_CHECK_EQUAL(literal("l1\nl2\r\t"), "\"l1\\nl2\\r\\t\"");
  CAF_CHECK_EQUAL(literal(std::string_view{"\x00\x1f\x7f", 3}),
                  "\"\\u0000\\u001f\\u007f\"");
}

CAF_TEST(valid_utf8_passes_and_invalid_bytes_become_replacement_characters) {
  CAF_CHECK_EQUAL(literal("emoji \xf0\x9f\x9a\x80"),
                  "\"emoji \xf0\x9f\x9a\x80\"");
  CAF_CHECK_EQUAL(literal("bad \xff!"), "\"bad \xef\xbf\xbd!\"");
  CAF_CHECK_EQUAL(literal("cut \xe2\x9c"), "\"cut \xef\xbf\xbd\"");
}

CAF_TEST(output_is_appended) {
  std::string out = "{\"k\":";
  append_json_string(out, "v");
  CAF_CHECK_EQUAL(out, "{\"k\":\"v\"");
}
