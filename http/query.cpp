// Query strings and path parameters (see query.hpp).
#include "http/query.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"

namespace tasks::http {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

caf::error invalid(std::string_view name, std::string_view rule) {
  return make_error(errc::invalid_argument,
                    std::string{name} + ": " + std::string{rule});
}

} // namespace

std::optional<std::string> percent_decode(std::string_view text,
                                          bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size())
        return std::nullopt;
      int high = hex_value(text[i + 1]);
      int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0 || (high == 0 && low == 0))
        return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<uint64_t> parse_decimal(std::string_view text, uint64_t max) {
  if (text.empty() || text.size() > 20)
    return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    auto digit = static_cast<uint64_t>(c - '0');
    if (value > (max - digit) / 10)
      return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

caf::expected<query_params>
query_params::decode(const raw_params& raw,
                     std::initializer_list<std::string_view> allowed) {
  query_params result;
  for (const auto& [raw_name, raw_value] : raw) {
    auto name = percent_decode(raw_name, true);
    if (!name)
      return invalid(raw_name, "malformed percent-encoding");
    if (std::find(allowed.begin(), allowed.end(), *name) == allowed.end())
      return make_error(errc::invalid_argument,
                        "unknown query parameter: " + *name);
    auto value = percent_decode(raw_value, true);
    if (!value)
      return invalid(*name, "malformed percent-encoding");
    result.values_.emplace(std::move(*name), std::move(*value));
  }
  return result;
}

std::optional<std::string> query_params::text(std::string_view name) const {
  auto i = values_.find(name);
  if (i == values_.end())
    return std::nullopt;
  return i->second;
}

caf::expected<std::optional<uint64_t>>
query_params::number(std::string_view name, uint64_t min, uint64_t max) const {
  auto i = values_.find(name);
  if (i == values_.end())
    return std::optional<uint64_t>{};
  auto value = parse_decimal(i->second, UINT64_MAX);
  if (!value || *value < min || *value > max)
    return invalid(name, "must be an integer from " + std::to_string(min)
                             + " to " + std::to_string(max) + ", got '"
                             + i->second + "'");
  return value;
}

caf::expected<std::optional<timestamp>>
query_params::time(std::string_view name, bool upper_bound) const {
  auto i = values_.find(name);
  if (i == values_.end())
    return std::optional<timestamp>{};
  if (auto t = parse_iso8601(i->second)) {
    if (upper_bound) {
      // Widen to the last microsecond of the precision the text gives.
      const auto& text = i->second;
      auto dot = text.find('.');
      size_t digits = 0;
      if (dot != std::string::npos)
        while (
            dot + 1 + digits < text.size()
            && std::isdigit(static_cast<unsigned char>(text[dot + 1 + digits])))
          ++digits;
      int64_t unit = 1;
      for (size_t d = std::min<size_t>(digits, 6); d < 6; ++d)
        unit *= 10;
      *t += std::chrono::microseconds{unit - 1};
    }
    return t;
  }
  if (auto ago = parse_duration(i->second))
    return std::optional<timestamp>{now() - *ago};
  return invalid(name, "must be an ISO 8601 time such as "
                       "2026-11-26T10:00:00Z or a duration such as 24h or "
                       "7d, got '"
                           + i->second + "'");
}

} // namespace tasks::http
