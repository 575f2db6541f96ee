// Audit helpers: command previews and metadata objects.
#include "core/audit_event.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/limits.hpp"
#include "core/utf8.hpp"

namespace tasks {

namespace {

std::string json_string(std::string_view text) {
  auto clean = utf8::sanitize(text);
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> writer{buf};
  writer.String(clean.data(), static_cast<rapidjson::SizeType>(clean.size()));
  return {buf.GetString(), buf.GetSize()};
}

} // namespace

std::string command_preview(std::string_view command) {
  auto clean = utf8::sanitize(command);
  return std::string{utf8::cut_chars(clean, limits::command_preview_chars)};
}

audit_metadata& audit_metadata::add(std::string_view key, int64_t value) {
  fields_.emplace_back(std::string{key}, std::to_string(value));
  return *this;
}

audit_metadata& audit_metadata::add(std::string_view key, bool value) {
  fields_.emplace_back(std::string{key}, value ? "true" : "false");
  return *this;
}

audit_metadata& audit_metadata::add(std::string_view key,
                                    std::string_view value) {
  fields_.emplace_back(std::string{key}, json_string(value));
  return *this;
}

std::string audit_metadata::str() const {
  std::string out = "{";
  for (const auto& [key, value] : fields_) {
    if (out.size() > 1)
      out += ',';
    out += json_string(key);
    out += ':';
    out += value;
  }
  out += '}';
  return out;
}

} // namespace tasks
