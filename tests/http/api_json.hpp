// Reading the API's JSON answers in tests: a cheap, copyable view into a
// parsed document that never throws and renders any value for a check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

namespace tasks::test {

/// A value inside a parsed JSON document (or nothing: a missing member, an
/// index past the end, a body that is not JSON). Copies share the document.
class json {
public:
  json() = default;

  /// Parses `text`; an invalid document yields a view that is not valid().
  static json parse(const std::string& text);

  /// False for a missing value or an unparsable document.
  bool valid() const { return value_ != nullptr; }

  /// Member `key` of an object; invalid when absent or not an object.
  json operator[](const std::string& key) const;

  /// Element `index` of an array; invalid when absent or not an array.
  json operator[](size_t index) const;

  /// Elements of an array or members of an object; 0 otherwise.
  size_t size() const;

  /// The member names of an object, in document order.
  std::vector<std::string> keys() const;

  bool is_null() const { return valid() && value_->IsNull(); }
  bool is_string() const { return valid() && value_->IsString(); }
  bool is_object() const { return valid() && value_->IsObject(); }
  bool is_array() const { return valid() && value_->IsArray(); }
  bool is_bool() const { return valid() && value_->IsBool(); }
  bool is_integer() const {
    return valid() && (value_->IsInt64() || value_->IsUint64());
  }

  /// A string's value; "" for anything else.
  std::string str() const;

  /// An integer's value; -1 for anything else (or one past int64).
  int64_t num() const;

  /// A string raw, numbers and booleans as JSON writes them, `<null>`,
  /// `<missing>`, objects and arrays as compact JSON: for CAF_CHECK_EQUAL.
  std::string text() const;

  /// Compact JSON of the value; `<missing>` when not valid().
  std::string dump() const;

private:
  json(std::shared_ptr<const rapidjson::Document> doc,
       const rapidjson::Value* value)
      : doc_(std::move(doc)), value_(value) {
    // nop
  }

  std::shared_ptr<const rapidjson::Document> doc_;
  const rapidjson::Value* value_ = nullptr;
};

/// `text` as a JSON string literal (quotes included), for request bodies.
std::string json_quote(std::string_view text);

/// Whether `text` is well-formed UTF-8 (no overlongs, no surrogates).
bool valid_utf8(std::string_view text);

/// Code points in `text`, which must be valid UTF-8.
size_t utf8_chars(std::string_view text);

} // namespace tasks::test
