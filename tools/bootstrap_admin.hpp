// The first start's admin account (SPEC §1).
#pragma once

#include <optional>
#include <string>

#include <caf/expected.hpp>

#include "storage/passwords.hpp"
#include "storage/store.hpp"

namespace tasks {

/// Name of the account created on an empty store.
inline constexpr const char* bootstrap_admin_name = "admin";

/// When the store has no users, creates `admin` (role admin) with
/// `configured_password`, or with a random one when that is empty, audited
/// as user.create by "tasksd". Returns the generated password, to be shown
/// once; nullopt when the configured one was used or users already exist.
caf::expected<std::optional<std::string>> ensure_bootstrap_admin(
    storage::store& st, const std::string& configured_password,
    storage::password_cost cost = storage::password_cost::production());

} // namespace tasks
