// The service log: spdlog on stderr, as text or one JSON object per line.
// Never log command output, passwords, tokens or keys.
#pragma once

#include <spdlog/spdlog.h>

#include "core/config.hpp"

namespace tasks::log {

/// Installs the stderr logger in the given format; call once at start.
void init(log_format format);

template <class... Ts> void debug(fmt::format_string<Ts...> fmt, Ts&&... xs) {
  spdlog::debug(fmt, std::forward<Ts>(xs)...);
}

template <class... Ts> void info(fmt::format_string<Ts...> fmt, Ts&&... xs) {
  spdlog::info(fmt, std::forward<Ts>(xs)...);
}

template <class... Ts> void warn(fmt::format_string<Ts...> fmt, Ts&&... xs) {
  spdlog::warn(fmt, std::forward<Ts>(xs)...);
}

template <class... Ts> void error(fmt::format_string<Ts...> fmt, Ts&&... xs) {
  spdlog::error(fmt, std::forward<Ts>(xs)...);
}

} // namespace tasks::log
