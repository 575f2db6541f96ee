// Tests audit command previews and metadata objects.
#define CAF_SUITE core.audit_event
#include <caf/test/unit_test.hpp>

#include <cstdint>
#include <string>

#include "core/audit_event.hpp"
#include "core/utf8.hpp"

using namespace tasks;

namespace {

const std::string emoji = "\xF0\x9F\x98\x80"; // 😀, four bytes
const std::string fffd = "\xEF\xBF\xBD";

std::string repeat(const std::string& x, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i)
    out += x;
  return out;
}

} // namespace

CAF_TEST(short_commands_are_kept_whole) {
  CAF_CHECK_EQUAL(command_preview(""), "");
  CAF_CHECK_EQUAL(command_preview("df -h"), "df -h");
  auto exactly_100 = std::string(100, 'a');
  CAF_CHECK_EQUAL(command_preview(exactly_100), exactly_100);
}

CAF_TEST(preview_keeps_the_first_100_characters) {
  CAF_CHECK_EQUAL(command_preview(std::string(150, 'a')),
                  std::string(100, 'a'));
  auto wide = repeat("\xC3\xA9", 150); // é, two bytes each
  CAF_CHECK_EQUAL(command_preview(wide), repeat("\xC3\xA9", 100));
}

CAF_TEST(preview_never_cuts_inside_a_four_byte_character) {
  // The emoji's bytes 99..102 straddle byte 100: it is the 100th character
  // and stays whole.
  auto cmd = std::string(99, 'a') + emoji + "bcd";
  auto preview = command_preview(cmd);
  CAF_CHECK_EQUAL(preview, std::string(99, 'a') + emoji);
  CAF_CHECK(utf8::is_valid(preview));
  // As the 101st character it goes entirely.
  cmd = std::string(100, 'a') + emoji;
  CAF_CHECK_EQUAL(command_preview(cmd), std::string(100, 'a'));
  // 98 bytes, then an emoji across the 100-byte mark.
  cmd = std::string(98, 'a') + emoji + std::string(10, 'b');
  CAF_CHECK_EQUAL(command_preview(cmd), std::string(98, 'a') + emoji + "b");
  CAF_CHECK_EQUAL(command_preview(repeat(emoji, 120)), repeat(emoji, 100));
}

CAF_TEST(preview_replaces_invalid_utf8) {
  CAF_CHECK_EQUAL(command_preview("ls \xFF"), "ls " + fffd);
  auto preview = command_preview(std::string(99, 'a') + "\xE2\x82" + "z");
  CAF_CHECK_EQUAL(preview, std::string(99, 'a') + fffd);
  CAF_CHECK(utf8::is_valid(preview));
}

CAF_TEST(empty_metadata_is_an_empty_object) {
  CAF_CHECK_EQUAL(audit_metadata{}.str(), "{}");
}

CAF_TEST(metadata_holds_numbers_booleans_and_strings_in_order) {
  auto json = audit_metadata{}
                  .add("timeout", int64_t{60})
                  .add("store_output", false)
                  .add("exit_code", int64_t{-1})
                  .add("error", "connection refused")
                  .str();
  CAF_CHECK_EQUAL(json, R"({"timeout":60,"store_output":false,)"
                        R"("exit_code":-1,"error":"connection refused"})");
}

CAF_TEST(metadata_escapes_strings_for_json) {
  auto json = audit_metadata{}
                  .add("error", "say \"hi\" \\ done\n\t\x01\x1f")
                  .add("k\"ey", true)
                  .str();
  CAF_CHECK_EQUAL(json, R"({"error":"say \"hi\" \\ done\n\t\u0001\u001F",)"
                        R"("k\"ey":true})");
  auto nul = audit_metadata{}.add("x", std::string_view{"a\0b", 3}).str();
  CAF_CHECK_EQUAL(nul, R"({"x":"a\u0000b"})");
}

CAF_TEST(metadata_replaces_invalid_utf8_in_keys_and_values) {
  auto json = audit_metadata{}.add("e\xFF", "bad \xC3 byte").str();
  CAF_CHECK_EQUAL(json, "{\"e" + fffd + "\":\"bad " + fffd + " byte\"}");
  CAF_CHECK(utf8::is_valid(json));
}
