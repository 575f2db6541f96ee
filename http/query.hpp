// Query strings and path parameters, decoded and parsed strictly: Pistache
// neither percent-decodes them nor rejects `limit=12abc`.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/expected.hpp>

#include "core/time.hpp"

namespace tasks::http {

/// Decodes %XX escapes, and `+` as a space when `plus_is_space` (query
/// strings); a malformed escape or an encoded NUL is nullopt.
std::optional<std::string> percent_decode(std::string_view text,
                                          bool plus_is_space);

/// A decimal number of digits only (no sign, blanks or suffix) up to `max`.
std::optional<uint64_t> parse_decimal(std::string_view text, uint64_t max);

/// The decoded query parameters of one request.
class query_params {
public:
  using raw_params = std::vector<std::pair<std::string, std::string>>;

  /// Decodes `raw`; a parameter not in `allowed` or a malformed escape is an
  /// errc::invalid_argument error naming the parameter.
  static caf::expected<query_params>
  decode(const raw_params& raw,
         std::initializer_list<std::string_view> allowed);

  /// The parameter's text, if present.
  std::optional<std::string> text(std::string_view name) const;

  /// An unsigned number within [min, max], if present.
  caf::expected<std::optional<uint64_t>>
  number(std::string_view name, uint64_t min, uint64_t max) const;

  /// An ISO 8601 time (`2026-11-26T10:00:00Z`) or a duration before now
  /// (`24h`, `7d`), if present. As an `upper_bound` a time is inclusive to
  /// the end of its precision: the API shows milliseconds while the store
  /// keeps microseconds, so `to=<a shown created_at>` includes that task.
  caf::expected<std::optional<timestamp>> time(std::string_view name,
                                               bool upper_bound = false) const;

private:
  std::map<std::string, std::string, std::less<>> values_;
};

} // namespace tasks::http
