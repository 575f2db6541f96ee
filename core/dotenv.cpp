// Reading `.env` files: KEY=VALUE lines, comments, quotes.
#include "core/config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "core/error.hpp"

namespace tasks {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  return text;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

/// Parses the value part of a `.env` line; false with `why` set on error.
bool parse_dotenv_value(std::string_view raw, std::string& out,
                        std::string& why) {
  raw = trim(raw);
  if (raw.empty() || (raw.front() != '"' && raw.front() != '\'')) {
    out = std::string{raw};
    return true;
  }
  auto quote = raw.front();
  size_t pos = 1;
  out.clear();
  for (; pos < raw.size() && raw[pos] != quote; ++pos) {
    // Only \" and \\ are escapes; any other backslash is kept, so that
    // Windows-style paths survive.
    if (quote == '"' && raw[pos] == '\\' && pos + 1 < raw.size()
        && (raw[pos + 1] == '"' || raw[pos + 1] == '\\'))
      ++pos;
    out += raw[pos];
  }
  if (pos == raw.size()) {
    why = quote == '"' ? "unterminated double quote"
                       : "unterminated single quote";
    return false;
  }
  if (!trim(raw.substr(pos + 1)).empty()) {
    why = "unexpected text after the closing quote";
    return false;
  }
  return true;
}

bool is_key(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9'))
    return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9') || c == '_';
  });
}

} // namespace

caf::expected<env_map> read_dotenv(const std::string& path) {
  std::error_code ec;
  auto st = std::filesystem::status(path, ec);
  if (st.type() == std::filesystem::file_type::not_found)
    return env_map{};
  if (ec)
    return make_error(errc::invalid_config, path + ": " + ec.message());
  if (!std::filesystem::is_regular_file(st))
    return make_error(errc::invalid_config, path + ": not a regular file");
  std::ifstream in{path};
  if (!in)
    return make_error(errc::invalid_config, path + ": " + std::strerror(errno));
  env_map result;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    auto fail = [&](const std::string& why) {
      return make_error(errc::invalid_config,
                        path + ":" + std::to_string(number) + ": " + why);
    };
    std::string_view text{line};
    if (!text.empty() && text.back() == '\r')
      text.remove_suffix(1); // written on Windows
    if (text.find('\0') != std::string_view::npos)
      return fail("unexpected NUL byte");
    text = trim(text);
    if (text.empty() || text.front() == '#')
      continue;
    if (starts_with(text, "export") && text.size() > 6 && is_space(text[6]))
      text = trim(text.substr(6));
    auto eq = text.find('=');
    if (eq == std::string_view::npos || !is_key(trim(text.substr(0, eq))))
      return fail("expected KEY=VALUE");
    std::string value;
    std::string why;
    if (!parse_dotenv_value(text.substr(eq + 1), value, why))
      return fail(why);
    result[std::string{trim(text.substr(0, eq))}] = std::move(value);
  }
  if (in.bad())
    return make_error(errc::invalid_config, path + ": " + std::strerror(errno));
  return result;
}

} // namespace tasks
