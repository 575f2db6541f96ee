// JSON string literals (see json_string.hpp).
#include "core/json_string.hpp"

#include "core/utf8.hpp"

namespace tasks {

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char digits[] = "0123456789abcdef";
  out += '"';
  const bool valid = utf8::is_valid(text);
  std::string repaired;
  if (!valid) {
    repaired = utf8::sanitize(text);
    text = repaired;
  }
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out += digits[c >> 4];
          out += digits[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

} // namespace tasks
