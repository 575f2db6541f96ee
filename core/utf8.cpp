// UTF-8 decoding by Unicode Table 3-7, repair with U+FFFD, boundary cuts.
#include "core/utf8.hpp"

#include <cstdint>

namespace tasks::utf8 {

namespace {

/// U+FFFD REPLACEMENT CHARACTER, encoded.
constexpr std::string_view replacement = "\xEF\xBF\xBD";

/// The outcome of reading one sequence at a position.
struct sequence {
  /// Bytes of the well-formed sequence, or of the maximal subpart (at least
  /// one) that has to be replaced.
  size_t length;
  bool valid;
};

bool is_continuation(uint8_t byte) {
  return (byte & 0xC0) == 0x80;
}

/// Reads the sequence starting at `text[pos]`. The allowed range of the
/// second byte depends on the lead byte (Table 3-7); that is what rules out
/// overlongs, surrogates and code points above U+10FFFF.
sequence read_sequence(std::string_view text, size_t pos) {
  auto at = [&](size_t i) { return static_cast<uint8_t>(text[pos + i]); };
  auto lead = at(0);
  if (lead < 0x80)
    return {1, true};
  size_t length = 0;
  uint8_t second_min = 0x80;
  uint8_t second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0)
      second_min = 0xA0; // below: overlong
    else if (lead == 0xED)
      second_max = 0x9F; // above: surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0)
      second_min = 0x90; // below: overlong
    else if (lead == 0xF4)
      second_max = 0x8F; // above: beyond U+10FFFF
  } else {
    // 80..C1 and F5..FF never start a sequence.
    return {1, false};
  }
  auto available = text.size() - pos;
  if (available < 2 || at(1) < second_min || at(1) > second_max)
    return {1, false};
  for (size_t i = 2; i < length; ++i)
    if (i >= available || !is_continuation(at(i)))
      return {i, false};
  return {length, true};
}

} // namespace

bool is_valid(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    auto seq = read_sequence(text, pos);
    if (!seq.valid)
      return false;
    pos += seq.length;
  }
  return true;
}

std::string sanitize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    auto seq = read_sequence(text, pos);
    if (seq.valid)
      out.append(text.substr(pos, seq.length));
    else
      out.append(replacement);
    pos += seq.length;
  }
  return out;
}

std::string_view cut_bytes(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes)
    return text;
  // text[end] is the first byte left out; if it continues a sequence, that
  // sequence started at most three bytes earlier and must go as well.
  auto end = max_bytes;
  for (int steps = 0; steps < 3 && end > 0; ++steps) {
    if (!is_continuation(static_cast<uint8_t>(text[end])))
      break;
    --end;
  }
  if (is_continuation(static_cast<uint8_t>(text[end])))
    end = max_bytes; // not valid UTF-8 after all: a plain byte cut
  return text.substr(0, end);
}

std::string_view cut_chars(std::string_view text, size_t max_chars) {
  size_t chars = 0;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    if (is_continuation(static_cast<uint8_t>(text[pos])))
      continue;
    if (chars == max_chars)
      return text.substr(0, pos);
    ++chars;
  }
  return text;
}

} // namespace tasks::utf8
