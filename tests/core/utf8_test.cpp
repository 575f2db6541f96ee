// Tests UTF-8 validation, U+FFFD repair and cuts on character boundaries.
#define CAF_SUITE core.utf8
#include <caf/test/unit_test.hpp>

#include <string>
#include <string_view>

#include "core/utf8.hpp"

using namespace tasks;

namespace {

/// U+FFFD as UTF-8.
const std::string fffd = "\xEF\xBF\xBD";

// CAF 0.17's test logger cannot print string_view: compare strings.
std::string cut_bytes(std::string_view text, size_t n) {
  return std::string{utf8::cut_bytes(text, n)};
}

std::string cut_chars(std::string_view text, size_t n) {
  return std::string{utf8::cut_chars(text, n)};
}

} // namespace

CAF_TEST(well_formed_text_of_every_sequence_length_is_valid) {
  CAF_CHECK(utf8::is_valid(""));
  CAF_CHECK(utf8::is_valid("plain ascii \t\n"));
  CAF_CHECK(utf8::is_valid(std::string_view{"nul\0inside", 10}));
  CAF_CHECK(utf8::is_valid("\xC3\xA9"));         // é, 2 bytes
  CAF_CHECK(utf8::is_valid("\xE2\x82\xAC"));     // €, 3 bytes
  CAF_CHECK(utf8::is_valid("\xF0\x9F\x98\x80")); // 😀, 4 bytes
  CAF_CHECK(utf8::is_valid("\xC2\x80"));         // U+0080, smallest 2-byte
  CAF_CHECK(utf8::is_valid("\xE0\xA0\x80"));     // U+0800, smallest 3-byte
  CAF_CHECK(utf8::is_valid("\xED\x9F\xBF"));     // U+D7FF, before surrogates
  CAF_CHECK(utf8::is_valid("\xEE\x80\x80"));     // U+E000, after surrogates
  CAF_CHECK(utf8::is_valid("\xF0\x90\x80\x80")); // U+10000
  CAF_CHECK(utf8::is_valid("\xF4\x8F\xBF\xBF")); // U+10FFFF, the last
}

CAF_TEST(every_class_of_ill_formed_sequence_is_invalid) {
  CAF_CHECK(!utf8::is_valid("\x80"));             // lone continuation
  CAF_CHECK(!utf8::is_valid("\xBF"));             // lone continuation
  CAF_CHECK(!utf8::is_valid("\xC0\xAF"));         // overlong '/'
  CAF_CHECK(!utf8::is_valid("\xC1\xBF"));         // overlong
  CAF_CHECK(!utf8::is_valid("\xE0\x80\xAF"));     // overlong 3-byte
  CAF_CHECK(!utf8::is_valid("\xE0\x9F\xBF"));     // overlong 3-byte
  CAF_CHECK(!utf8::is_valid("\xF0\x80\x80\xAF")); // overlong 4-byte
  CAF_CHECK(!utf8::is_valid("\xF0\x8F\xBF\xBF")); // overlong 4-byte
  CAF_CHECK(!utf8::is_valid("\xED\xA0\x80"));     // surrogate U+D800
  CAF_CHECK(!utf8::is_valid("\xED\xBF\xBF"));     // surrogate U+DFFF
  CAF_CHECK(!utf8::is_valid("\xF4\x90\x80\x80")); // U+110000
  CAF_CHECK(!utf8::is_valid("\xF5\x80\x80\x80")); // lead beyond F4
  CAF_CHECK(!utf8::is_valid("\xFE"));
  CAF_CHECK(!utf8::is_valid("\xFF"));
  CAF_CHECK(!utf8::is_valid("\xC3"));         // truncated 2-byte
  CAF_CHECK(!utf8::is_valid("\xE2\x82"));     // truncated 3-byte
  CAF_CHECK(!utf8::is_valid("\xF0\x9F\x98")); // truncated 4-byte
  CAF_CHECK(!utf8::is_valid("\xE2\x82\x41")); // bad continuation
  CAF_CHECK(!utf8::is_valid("ok\xC3"));       // truncated at the end
}

CAF_TEST(sanitize_keeps_valid_text_unchanged) {
  CAF_CHECK_EQUAL(utf8::sanitize(""), "");
  CAF_CHECK_EQUAL(utf8::sanitize("abc"), "abc");
  std::string mixed = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";
  CAF_CHECK_EQUAL(utf8::sanitize(mixed), mixed);
}

CAF_TEST(sanitize_replaces_each_maximal_subpart_once) {
  // A valid prefix of a sequence is one unit; the byte that breaks it
  // starts over.
  CAF_CHECK_EQUAL(utf8::sanitize("\xE2\x82\x41"), fffd + "A");
  CAF_CHECK_EQUAL(utf8::sanitize("\xF0\x9F\x98"), fffd);
  CAF_CHECK_EQUAL(utf8::sanitize("\xF0\x9F\x98z"), fffd + "z");
  CAF_CHECK_EQUAL(utf8::sanitize("\xC3"), fffd);
  // 0x80 cannot follow F0, so F0 alone is the subpart.
  CAF_CHECK_EQUAL(utf8::sanitize("\xF0\x80\x80"), fffd + fffd + fffd);
  CAF_CHECK_EQUAL(utf8::sanitize("\xED\xA0\x80"), fffd + fffd + fffd);
  CAF_CHECK_EQUAL(utf8::sanitize("\xC0\xAF"), fffd + fffd);
  CAF_CHECK_EQUAL(utf8::sanitize("\xF4\x90\x80\x80"),
                  fffd + fffd + fffd + fffd);
  CAF_CHECK_EQUAL(utf8::sanitize("\xFF\xFE"), fffd + fffd);
  // Unicode 15, Table 3-8.
  CAF_CHECK_EQUAL(utf8::sanitize("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63"
                                 "\x80\xBF\x64"),
                  "a" + fffd + fffd + fffd + "b" + fffd + "c" + fffd + fffd
                      + "d");
  CAF_CHECK(utf8::is_valid(utf8::sanitize("\xE0\x80\xF8\x88\x80\x80\x80")));
}

CAF_TEST(cut_bytes_never_splits_a_two_byte_sequence) {
  std::string text = "a\xC3\xA9"; // aé
  CAF_CHECK_EQUAL(cut_bytes(text, 1), "a");
  CAF_CHECK_EQUAL(cut_bytes(text, 2), "a");
  CAF_CHECK_EQUAL(cut_bytes(text, 3), text);
}

CAF_TEST(cut_bytes_never_splits_a_three_byte_sequence) {
  std::string text = "a\xE2\x82\xAC"; // a€
  CAF_CHECK_EQUAL(cut_bytes(text, 2), "a");
  CAF_CHECK_EQUAL(cut_bytes(text, 3), "a");
  CAF_CHECK_EQUAL(cut_bytes(text, 4), text);
}

CAF_TEST(cut_bytes_never_splits_a_four_byte_sequence) {
  std::string text = "a\xF0\x9F\x98\x80"; // a😀
  CAF_CHECK_EQUAL(cut_bytes(text, 2), "a");
  CAF_CHECK_EQUAL(cut_bytes(text, 3), "a");
  CAF_CHECK_EQUAL(cut_bytes(text, 4), "a");
  CAF_CHECK_EQUAL(cut_bytes(text, 5), text);
  CAF_CHECK_EQUAL(cut_bytes("\xF0\x9F\x98\x80", 3), "");
}

CAF_TEST(cut_bytes_handles_zero_empty_and_short_input) {
  CAF_CHECK_EQUAL(cut_bytes("abc", 0), "");
  CAF_CHECK_EQUAL(cut_bytes("\xC3\xA9", 0), "");
  CAF_CHECK_EQUAL(cut_bytes("", 0), "");
  CAF_CHECK_EQUAL(cut_bytes("", 10), "");
  CAF_CHECK_EQUAL(cut_bytes("abc", 3), "abc");
  CAF_CHECK_EQUAL(cut_bytes("abc", 100), "abc");
  CAF_CHECK_EQUAL(cut_bytes("abcdef", 4), "abcd");
}

CAF_TEST(cut_chars_counts_code_points_not_bytes) {
  std::string text = "a\xE2\x82\xAC\xF0\x9F\x98\x80\xC3\xA9"; // a€😀é
  CAF_CHECK_EQUAL(cut_chars(text, 0), "");
  CAF_CHECK_EQUAL(cut_chars(text, 1), "a");
  CAF_CHECK_EQUAL(cut_chars(text, 2), "a\xE2\x82\xAC");
  CAF_CHECK_EQUAL(cut_chars(text, 3), "a\xE2\x82\xAC\xF0\x9F\x98\x80");
  CAF_CHECK_EQUAL(cut_chars(text, 4), text);
  CAF_CHECK_EQUAL(cut_chars(text, 100), text);
  CAF_CHECK_EQUAL(cut_chars("", 0), "");
  CAF_CHECK_EQUAL(cut_chars("", 5), "");
}
