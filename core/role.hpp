// User roles and the authenticated caller of a request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tasks {

/// What a user may do; the numeric values are stored and must never change.
enum class role : uint8_t {
  admin = 0,
  operator_ = 1,
  viewer = 2,
};

/// Returns the API name: "admin", "operator" or "viewer".
std::string to_string(role r);

/// Parses an API name; nullopt for anything else.
std::optional<role> parse_role(std::string_view name);

/// The authenticated user behind a request or a tasksctl command.
struct principal {
  uint64_t user_id = 0;
  std::string username;
  role user_role = role::viewer;
};

} // namespace tasks
