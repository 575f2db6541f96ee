// UTF-8 validation, repair and cutting on character boundaries.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tasks::utf8 {

/// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code
/// points above U+10FFFF, no truncated sequences).
bool is_valid(std::string_view text);

/// Returns `text` with every ill-formed sequence replaced by U+FFFD, one
/// replacement per maximal subpart (Unicode §3.9, W3C practice).
std::string sanitize(std::string_view text);

/// Returns the longest prefix of valid UTF-8 `text` with at most `max_bytes`
/// bytes that does not end inside a sequence.
std::string_view cut_bytes(std::string_view text, size_t max_bytes);

/// Returns the prefix of valid UTF-8 `text` with at most `max_chars` code
/// points.
std::string_view cut_chars(std::string_view text, size_t max_chars);

} // namespace tasks::utf8
