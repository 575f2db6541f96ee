// Tests ISO 8601 formatting and strict parsing, and duration parsing.
#define CAF_SUITE core.time
#include <caf/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

#include "core/time.hpp"

using namespace tasks;

namespace {

/// Marks a rejected input in comparisons.
constexpr int64_t rejected = std::numeric_limits<int64_t>::min();

int64_t parse(const std::string& text) {
  auto t = parse_iso8601(text);
  return t ? to_micros(*t) : rejected;
}

std::string format(int64_t micros) {
  return format_iso8601(from_micros(micros));
}

int64_t duration(const std::string& text) {
  auto d = parse_duration(text);
  return d ? d->count() : rejected;
}

constexpr int64_t s = 1'000'000; // microseconds per second

} // namespace

CAF_TEST(formats_known_instants_with_three_fraction_digits) {
  CAF_CHECK_EQUAL(format(0), "1970-01-01T00:00:00.000Z");
  CAF_CHECK_EQUAL(format(1709164800 * s), "2024-02-29T00:00:00.000Z");
  CAF_CHECK_EQUAL(format(1709251199 * s + 999'999), "2024-02-29T23:59:59.999Z");
  CAF_CHECK_EQUAL(format(951782400 * s), "2000-02-29T00:00:00.000Z");
  CAF_CHECK_EQUAL(format(253402300799 * s + 999'000),
                  "9999-12-31T23:59:59.999Z");
  CAF_CHECK_EQUAL(format(1795681967 * s + 123'456), "2026-11-26T08:32:47.123Z");
}

CAF_TEST(formatting_truncates_to_milliseconds_towards_the_past) {
  CAF_CHECK_EQUAL(format(1'999), "1970-01-01T00:00:00.001Z");
  CAF_CHECK_EQUAL(format(999), "1970-01-01T00:00:00.000Z");
  CAF_CHECK_EQUAL(format(-1), "1969-12-31T23:59:59.999Z");
}

CAF_TEST(micros_conversion_round_trips) {
  CAF_CHECK_EQUAL(to_micros(from_micros(1234567890123456)), 1234567890123456);
  auto t = now();
  CAF_CHECK_EQUAL(from_micros(to_micros(t)) == t, true);
  CAF_CHECK_GREATER(to_micros(t), 1700000000 * s);
}

CAF_TEST(formatted_time_parses_back_to_the_same_millisecond) {
  auto t = now();
  auto ms = to_micros(t) / 1000 * 1000;
  CAF_CHECK_EQUAL(parse(format_iso8601(t)), ms);
  for (auto text : {"1970-01-01T00:00:00.000Z", "2024-02-29T12:34:56.789Z",
                    "9999-12-31T23:59:59.999Z"})
    CAF_CHECK_EQUAL(format(parse(text)), text);
}

CAF_TEST(parses_dates_as_utc_midnight) {
  CAF_CHECK_EQUAL(parse("1970-01-01"), 0);
  CAF_CHECK_EQUAL(parse("2024-02-29"), 1709164800 * s);
  CAF_CHECK_EQUAL(parse("2000-02-29"), 951782400 * s);
  CAF_CHECK_EQUAL(parse("9999-12-31"), 253402214400 * s);
}

CAF_TEST(parses_date_times_with_optional_fraction) {
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47Z"), 1795681967 * s);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47.5Z"), 1795681967 * s + 500'000);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47.123Z"), 1795681967 * s + 123'000);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47.123456Z"),
                  1795681967 * s + 123'456);
  // Nanoseconds are truncated, not rounded.
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47.123456999Z"),
                  1795681967 * s + 123'456);
  CAF_CHECK_EQUAL(parse("9999-12-31T23:59:59.999999Z"),
                  253402300799 * s + 999'999);
}

CAF_TEST(applies_utc_offsets) {
  auto utc = parse("2026-11-26T08:32:47Z");
  CAF_CHECK_EQUAL(parse("2026-11-26T09:32:47+01:00"), utc);
  CAF_CHECK_EQUAL(parse("2026-11-26T03:02:47-05:30"), utc);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47+00:00"), utc);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47-00:00"), utc);
  CAF_CHECK_EQUAL(parse("2026-11-27T00:32:47.25+16:00"), utc + 250'000);
  // An offset can move the instant across a day, month and year boundary.
  CAF_CHECK_EQUAL(parse("2024-12-31T23:30:00-01:00"),
                  parse("2025-01-01T00:30:00Z"));
}

CAF_TEST(rejects_impossible_dates_and_times) {
  CAF_CHECK_EQUAL(parse("2026-13-01"), rejected);
  CAF_CHECK_EQUAL(parse("2026-00-10"), rejected);
  CAF_CHECK_EQUAL(parse("2026-01-00"), rejected);
  CAF_CHECK_EQUAL(parse("2026-01-32"), rejected);
  CAF_CHECK_EQUAL(parse("2026-02-30"), rejected);
  CAF_CHECK_EQUAL(parse("2026-04-31"), rejected);
  CAF_CHECK_EQUAL(parse("2023-02-29"), rejected); // not a leap year
  CAF_CHECK_EQUAL(parse("2100-02-29"), rejected); // divisible by 100
  CAF_CHECK_EQUAL(parse("2026-11-26T25:00:00Z"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T24:00:00Z"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:60:00Z"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:60Z"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47+24:00"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47+01:60"), rejected);
}

CAF_TEST(rejects_years_outside_1970_to_9999) {
  CAF_CHECK_EQUAL(parse("1969-12-31"), rejected);
  CAF_CHECK_EQUAL(parse("0000-01-01"), rejected);
  CAF_CHECK_EQUAL(parse("10000-01-01"), rejected);
  CAF_CHECK_EQUAL(parse("1969-12-31T23:59:59Z"), rejected);
  // In range as written, outside once the offset is applied.
  CAF_CHECK_EQUAL(parse("1970-01-01T00:30:00+01:00"), rejected);
  CAF_CHECK_EQUAL(parse("9999-12-31T23:30:00-01:00"), rejected);
}

CAF_TEST(rejects_everything_but_the_documented_forms) {
  CAF_CHECK_EQUAL(parse(""), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47"), rejected); // no zone
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47.123"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26Z"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32Z"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26 08:32:47Z"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26t08:32:47Z"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47z"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47.Z"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47.1234567890Z"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47+0100"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47+01"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47 +01:00"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T8:32:47Z"), rejected);
  CAF_CHECK_EQUAL(parse("2026-1-26"), rejected);
  CAF_CHECK_EQUAL(parse("26-11-26"), rejected);
  CAF_CHECK_EQUAL(parse("2026/11/26"), rejected);
  CAF_CHECK_EQUAL(parse("20261126"), rejected);
  CAF_CHECK_EQUAL(parse(" 2026-11-26"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26 "), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26x"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47Z "), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47Zjunk"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47+01:00Z"), rejected);
  CAF_CHECK_EQUAL(parse("+2026-11-26"), rejected);
  CAF_CHECK_EQUAL(parse("2026-11-26T08:32:47,5Z"), rejected);
}

CAF_TEST(parses_durations_in_every_unit) {
  CAF_CHECK_EQUAL(duration("90s"), 90);
  CAF_CHECK_EQUAL(duration("15m"), 900);
  CAF_CHECK_EQUAL(duration("24h"), 86400);
  CAF_CHECK_EQUAL(duration("7d"), 604800);
  CAF_CHECK_EQUAL(duration("30d"), 2592000);
  CAF_CHECK_EQUAL(duration("2w"), 1209600);
  CAF_CHECK_EQUAL(duration("1s"), 1);
}

CAF_TEST(rejects_zero_negative_fractional_and_malformed_durations) {
  for (auto text :
       {"0d", "0s", "00h", "-1h", "+1h", "1.5h", "h", "10", "", "1 h", " 1h",
        "1h ", "1hh", "1H", "1y", "1ms", "d1", "1h30m", "0x10s"})
    CAF_CHECK_EQUAL(duration(text), rejected);
}

CAF_TEST(rejects_durations_that_overflow) {
  CAF_CHECK_EQUAL(duration("99999999999999999999s"), rejected);
  CAF_CHECK_EQUAL(duration("9223372036854775807s"), rejected);
  CAF_CHECK_EQUAL(duration("9223372036854775808s"), rejected);
  CAF_CHECK_EQUAL(duration("100000000000w"), rejected);
  // The largest accepted value still fits a microsecond timestamp.
  CAF_CHECK_EQUAL(duration("9223372036854s"), 9223372036854);
  CAF_CHECK_EQUAL(duration("9223372036855s"), rejected);
  CAF_CHECK_EQUAL(duration("100000w"), 60480000000);
}
