// Role names.
#include "core/role.hpp"

namespace tasks {

std::string to_string(role r) {
  switch (r) {
    case role::admin: return "admin";
    case role::operator_: return "operator";
    case role::viewer: return "viewer";
  }
  return "unknown";
}

std::optional<role> parse_role(std::string_view name) {
  for (auto r : {role::admin, role::operator_, role::viewer})
    if (to_string(r) == name)
      return r;
  return std::nullopt;
}

} // namespace tasks
