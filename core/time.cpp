// UTC timestamps: strict ISO 8601 parsing and formatting, durations.
#include "core/time.hpp"

#include <cstdio>
#include <limits>

namespace tasks {

namespace {

constexpr int64_t micros_per_second = 1'000'000;
constexpr int64_t seconds_per_day = 86'400;
constexpr int64_t micros_per_day = seconds_per_day * micros_per_second;

// Howard Hinnant's days_from_civil / civil_from_days
// (http://howardhinnant.github.io/date_algorithms.html): pure arithmetic on
// the proleptic Gregorian calendar, so unlike timegm/mktime nothing depends
// on TZ or the C library.

constexpr int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct civil_date {
  int64_t year;
  unsigned month;
  unsigned day;
};

civil_date civil_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

bool is_leap(int64_t y) {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned days[]
      = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

int64_t floor_div(int64_t x, int64_t y) {
  auto q = x / y;
  return (x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q;
}

/// Consumes exactly `n` ASCII digits from `text` at `pos`.
bool read_digits(std::string_view text, size_t& pos, size_t n, int64_t& out) {
  if (text.size() - pos < n)
    return false;
  int64_t value = 0;
  for (size_t i = 0; i < n; ++i) {
    auto c = text[pos + i];
    if (c < '0' || c > '9')
      return false;
    value = value * 10 + (c - '0');
  }
  pos += n;
  out = value;
  return true;
}

bool read_char(std::string_view text, size_t& pos, char expected) {
  if (pos >= text.size() || text[pos] != expected)
    return false;
  ++pos;
  return true;
}

/// The first and last microsecond of years 1970–9999, UTC.
constexpr int64_t min_micros = 0;
constexpr int64_t max_micros
    = days_from_civil(10000, 1, 1) * micros_per_day - 1;

} // namespace

timestamp now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now());
}

int64_t to_micros(timestamp t) {
  return t.time_since_epoch().count();
}

timestamp from_micros(int64_t micros) {
  return timestamp{std::chrono::microseconds{micros}};
}

std::string format_iso8601(timestamp t) {
  auto micros = to_micros(t);
  auto days = floor_div(micros, micros_per_day);
  auto in_day = micros - days * micros_per_day;
  auto date = civil_from_days(days);
  auto secs = in_day / micros_per_second;
  auto millis = (in_day % micros_per_second) / 1000;
  if (date.year >= 0 && date.year <= 9999) {
    // Digits by hand: snprintf was most of the cost of a task's JSON.
    std::string out = "0000-00-00T00:00:00.000Z";
    auto put = [&out](size_t end, int64_t value) {
      for (auto i = end; value > 0; --i, value /= 10)
        out[i] = static_cast<char>('0' + value % 10);
    };
    put(3, date.year);
    put(6, date.month);
    put(9, date.day);
    put(12, secs / 3600);
    put(15, secs / 60 % 60);
    put(18, secs % 60);
    put(22, millis);
    return out;
  }
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<long long>(date.year), date.month, date.day,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60),
                static_cast<int>(secs % 60), static_cast<int>(millis));
  return buf;
}

std::optional<timestamp> parse_iso8601(std::string_view text) {
  size_t pos = 0;
  int64_t year = 0;
  int64_t month = 0;
  int64_t day = 0;
  if (!read_digits(text, pos, 4, year) || !read_char(text, pos, '-')
      || !read_digits(text, pos, 2, month) || !read_char(text, pos, '-')
      || !read_digits(text, pos, 2, day))
    return std::nullopt;
  if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1
      || day > days_in_month(year, static_cast<unsigned>(month)))
    return std::nullopt;
  auto days = days_from_civil(year, static_cast<unsigned>(month),
                              static_cast<unsigned>(day));
  if (pos == text.size())
    return from_micros(days * micros_per_day);
  int64_t hour = 0;
  int64_t minute = 0;
  int64_t second = 0;
  if (!read_char(text, pos, 'T') || !read_digits(text, pos, 2, hour)
      || !read_char(text, pos, ':') || !read_digits(text, pos, 2, minute)
      || !read_char(text, pos, ':') || !read_digits(text, pos, 2, second))
    return std::nullopt;
  // No leap second: the store cannot represent 23:59:60 anyway.
  if (hour > 23 || minute > 59 || second > 59)
    return std::nullopt;
  int64_t fraction_micros = 0;
  if (read_char(text, pos, '.')) {
    size_t digits = 0;
    int64_t scale = 100'000;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (++digits > 9)
        return std::nullopt;
      fraction_micros += (text[pos] - '0') * scale; // digits 7–9: scale 0
      scale /= 10;
      ++pos;
    }
    if (digits == 0)
      return std::nullopt;
  }
  int64_t offset_seconds = 0;
  if (read_char(text, pos, 'Z')) {
    // UTC
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    auto sign = text[pos++] == '-' ? -1 : 1;
    int64_t off_hour = 0;
    int64_t off_minute = 0;
    if (!read_digits(text, pos, 2, off_hour) || !read_char(text, pos, ':')
        || !read_digits(text, pos, 2, off_minute) || off_hour > 23
        || off_minute > 59)
      return std::nullopt;
    offset_seconds = sign * (off_hour * 3600 + off_minute * 60);
  } else {
    return std::nullopt; // a local time without a zone is ambiguous
  }
  if (pos != text.size())
    return std::nullopt;
  auto local_seconds
      = days * seconds_per_day + hour * 3600 + minute * 60 + second;
  auto micros
      = (local_seconds - offset_seconds) * micros_per_second + fraction_micros;
  // An offset can push the instant out of 1970–9999 UTC; nothing outside
  // that range has a four-digit year when formatted again.
  if (micros < min_micros || micros > max_micros)
    return std::nullopt;
  return from_micros(micros);
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.size() < 2)
    return std::nullopt;
  int64_t unit = 0;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = seconds_per_day; break;
    case 'w': unit = 7 * seconds_per_day; break;
    default: return std::nullopt;
  }
  // The result must still fit when converted to microseconds, so that
  // `now() - duration` cannot overflow a timestamp.
  constexpr int64_t max_seconds
      = std::numeric_limits<int64_t>::max() / micros_per_second;
  int64_t value = 0;
  for (auto c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9')
      return std::nullopt;
    value = value * 10 + (c - '0');
    if (value > max_seconds)
      return std::nullopt;
  }
  if (value == 0 || value > max_seconds / unit)
    return std::nullopt;
  return std::chrono::seconds{value * unit};
}

} // namespace tasks
