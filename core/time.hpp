// UTC timestamps: microseconds since the epoch, ISO 8601 with a `Z` in text.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tasks {

/// A point in time with microsecond resolution (the store's resolution).
using timestamp = std::chrono::time_point<std::chrono::system_clock,
                                          std::chrono::microseconds>;

/// The current time.
timestamp now();

/// Microseconds since the epoch.
int64_t to_micros(timestamp t);

/// The inverse of to_micros.
timestamp from_micros(int64_t micros);

/// Formats as `2026-11-26T08:32:47.123Z` (UTC, millisecond precision).
std::string format_iso8601(timestamp t);

/// Parses `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS` with optional fraction (up
/// to 9 digits) and a `Z` or `±HH:MM` offset; years 1970–9999. Nothing else.
std::optional<timestamp> parse_iso8601(std::string_view text);

/// Parses a duration like `90s`, `15m`, `24h`, `7d` or `2w`; nullopt for
/// anything else, including zero.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);

} // namespace tasks
