// Task id generation and strict parsing.
#include "core/uuid.hpp"

#include <boost/uuid/uuid_generators.hpp>
#include <boost/uuid/uuid_io.hpp>

namespace tasks {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

} // namespace

task_id new_task_id() {
  // Boost 1.74's generator is not documented as thread-safe: one per thread.
  thread_local boost::uuids::random_generator generator;
  return generator();
}

std::string to_string(const task_id& id) {
  return boost::uuids::to_string(id);
}

std::optional<task_id> parse_task_id(std::string_view text) {
  if (text.size() != 36)
    return std::nullopt;
  task_id id{};
  size_t byte = 0;
  for (size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-')
        return std::nullopt;
      ++i;
      continue;
    }
    auto hi = hex_value(text[i]);
    auto lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0)
      return std::nullopt;
    id.data[byte++] = static_cast<uint8_t>(hi << 4 | lo);
    i += 2;
  }
  return id;
}

} // namespace tasks
