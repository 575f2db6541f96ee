// Strict JSON request bodies. simdjson's ondemand parser only validates what
// is visited, so read_object() walks every field of the object once and the
// caller's handlers must consume each value they accept.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <caf/error.hpp>
#include <caf/expected.hpp>

namespace tasks::http {

/// One field of a request body; each getter fails with a 400-ready error
/// that names the field and the expected type or range.
class json_field {
public:
  /// `value` points to a simdjson ondemand value (kept out of this header).
  json_field(std::string_view name, void* value) : name_(name), value_(value) {
    // nop
  }

  std::string_view name() const { return name_; }

  /// A string of at most `max_bytes` bytes without NUL characters (simdjson
  /// has checked the whole body for valid UTF-8 already).
  caf::expected<std::string> string(size_t min_bytes, size_t max_bytes);

  /// An integer within [min, max]; 1.5, "15" and 1e3 are rejected.
  caf::expected<int64_t> integer(int64_t min, int64_t max);

  /// true/false, or the integers 0/1 when `accept_01` (store_output).
  caf::expected<bool> boolean(bool accept_01 = false);

  /// True when the value is JSON null (it is then consumed).
  bool is_null();

private:
  caf::error type_error(std::string_view expected) const;

  std::string_view name_;
  void* value_;
};

/// Handlers by field name; each reads its field or returns the error.
using field_handlers
    = std::map<std::string_view, std::function<caf::error(json_field&)>>;

/// Parses `body` as one JSON object and calls the handler of every field.
/// Unknown and duplicate fields, wrong types, trailing content and invalid
/// UTF-8 are errc::invalid_argument errors naming the field or the body.
caf::error read_object(std::string_view body, const field_handlers& fields);

} // namespace tasks::http
