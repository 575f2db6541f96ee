// JSON string literals that stay valid JSON whatever bytes they carry.
#pragma once

#include <string>
#include <string_view>

namespace tasks {

/// Appends `text` as a JSON string literal: invalid UTF-8 becomes U+FFFD and
/// control characters are escaped, so the result is always valid JSON.
void append_json_string(std::string& out, std::string_view text);

} // namespace tasks
