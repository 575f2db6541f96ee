// Reading the API's JSON answers in tests (see api_json.hpp).
#include "http/api_json.hpp"

#include <cstdio>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace tasks::test {

json json::parse(const std::string& text) {
  auto doc = std::make_shared<rapidjson::Document>();
  doc->Parse(text.c_str(), text.size());
  if (doc->HasParseError())
    return {};
  const rapidjson::Value* root = doc.get();
  return json{std::move(doc), root};
}

json json::operator[](const std::string& key) const {
  if (!is_object())
    return {};
  rapidjson::Value name{rapidjson::StringRef(key.data(), key.size())};
  auto i = value_->FindMember(name);
  if (i == value_->MemberEnd())
    return {};
  return json{doc_, &i->value};
}

json json::operator[](size_t index) const {
  if (!is_array() || index >= value_->Size())
    return {};
  return json{doc_, &(*value_)[static_cast<rapidjson::SizeType>(index)]};
}

size_t json::size() const {
  if (is_array())
    return value_->Size();
  if (is_object())
    return value_->MemberCount();
  return 0;
}

std::vector<std::string> json::keys() const {
  std::vector<std::string> result;
  if (is_object())
    for (auto i = value_->MemberBegin(); i != value_->MemberEnd(); ++i)
      result.emplace_back(i->name.GetString(), i->name.GetStringLength());
  return result;
}

std::string json::str() const {
  if (!is_string())
    return {};
  return {value_->GetString(), value_->GetStringLength()};
}

int64_t json::num() const {
  if (!valid() || !value_->IsInt64())
    return -1;
  return value_->GetInt64();
}

std::string json::text() const {
  if (!valid())
    return "<missing>";
  if (value_->IsNull())
    return "<null>";
  if (value_->IsString())
    return str();
  return dump();
}

std::string json::dump() const {
  if (!valid())
    return "<missing>";
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w{sb};
  value_->Accept(w);
  return {sb.GetString(), sb.GetSize()};
}

std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

bool valid_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size())
      return false;
    for (size_t k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t min_of[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_of[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += extra + 1;
  }
  return true;
}

size_t utf8_chars(std::string_view text) {
  size_t n = 0;
  for (char ch : text)
    if ((static_cast<unsigned char>(ch) & 0xC0) != 0x80)
      ++n;
  return n;
}

} // namespace tasks::test
