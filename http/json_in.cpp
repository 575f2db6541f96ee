// Strict JSON request bodies (see json_in.hpp).
#include "http/json_in.hpp"

#include <set>

#include <simdjson.h>

#include "core/error.hpp"

namespace tasks::http {

namespace {

using simdjson::ondemand::value;

value& as_value(void* p) {
  return *static_cast<value*>(p);
}

caf::error body_error(simdjson::error_code code) {
  switch (code) {
    case simdjson::EMPTY:
      return make_error(errc::invalid_argument,
                        "body: empty; expected a JSON object");
    case simdjson::UTF8_ERROR:
      return make_error(errc::invalid_argument, "body: invalid UTF-8");
    case simdjson::CAPACITY:
      return make_error(errc::invalid_argument, "body: too large");
    default:
      return make_error(errc::invalid_argument,
                        std::string{"body: invalid JSON ("}
                            + simdjson::error_message(code) + ")");
  }
}

/// One parser per Pistache worker thread; it keeps its buffers between
/// requests. Ondemand does not bound nesting, but only flat objects with
/// scalar values are accepted, so nothing nested is ever walked.
simdjson::ondemand::parser& thread_parser() {
  thread_local simdjson::ondemand::parser parser;
  return parser;
}

} // namespace

caf::error json_field::type_error(std::string_view expected) const {
  return make_error(errc::invalid_argument,
                    std::string{name_} + ": must be " + std::string{expected});
}

caf::expected<std::string> json_field::string(size_t min_bytes,
                                              size_t max_bytes) {
  std::string_view text;
  if (as_value(value_).get_string().get(text) != simdjson::SUCCESS)
    return type_error("a string");
  if (text.find('\0') != std::string_view::npos)
    return make_error(errc::invalid_argument,
                      std::string{name_} + ": must not contain NUL characters");
  if (text.size() < min_bytes || text.size() > max_bytes) {
    auto range = min_bytes == max_bytes ? std::to_string(min_bytes)
                                        : std::to_string(min_bytes) + ".."
                                              + std::to_string(max_bytes);
    return make_error(errc::invalid_argument,
                      std::string{name_} + ": must be " + range
                          + " bytes long, got " + std::to_string(text.size()));
  }
  return std::string{text};
}

caf::expected<int64_t> json_field::integer(int64_t min, int64_t max) {
  auto range
      = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  int64_t number = 0;
  if (as_value(value_).get_int64().get(number) != simdjson::SUCCESS)
    return type_error(range);
  if (number < min || number > max)
    return type_error(range + ", got " + std::to_string(number));
  return number;
}

caf::expected<bool> json_field::boolean(bool accept_01) {
  auto& v = as_value(value_);
  simdjson::ondemand::json_type type;
  if (v.type().get(type) != simdjson::SUCCESS)
    return type_error("true or false");
  if (type == simdjson::ondemand::json_type::boolean) {
    bool flag = false;
    if (v.get_bool().get(flag) == simdjson::SUCCESS)
      return flag;
  } else if (accept_01 && type == simdjson::ondemand::json_type::number) {
    int64_t number = -1;
    if (v.get_int64().get(number) == simdjson::SUCCESS
        && (number == 0 || number == 1))
      return number == 1;
  }
  return type_error(accept_01 ? "true, false, 0 or 1" : "true or false");
}

bool json_field::is_null() {
  bool null = false;
  return as_value(value_).is_null().get(null) == simdjson::SUCCESS && null;
}

caf::error read_object(std::string_view body, const field_handlers& fields) {
  simdjson::padded_string json{body};
  simdjson::ondemand::document doc;
  if (auto code = thread_parser().iterate(json).get(doc))
    return body_error(code);
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS)
    return make_error(errc::invalid_argument, "body: must be a JSON object");
  std::set<std::string, std::less<>> seen;
  for (auto field : obj) {
    std::string_view key;
    if (auto code = field.unescaped_key().get(key))
      return body_error(code);
    value v;
    if (auto code = field.value().get(v))
      return body_error(code);
    auto handler = fields.find(key);
    if (handler == fields.end())
      return make_error(errc::invalid_argument,
                        "unknown field: " + std::string{key});
    if (!seen.emplace(key).second)
      return make_error(errc::invalid_argument,
                        "duplicate field: " + std::string{key});
    // The key view dies with the next field; the handler gets a stable name.
    json_field f{handler->first, &v};
    if (auto err = handler->second(f))
      return err;
  }
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS)
    return make_error(errc::invalid_argument,
                      "body: trailing content after the JSON object");
  return {};
}

} // namespace tasks::http
