// The rbac actor's handlers and input rules, split over rbac*.cpp; the
// rules are plain functions so they are tested without actors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/result.hpp>

#include "actors/rbac.hpp"

namespace tasks::rbac_detail {

using rbac_self = rbac_actor::stateful_pointer<rbac_state>;

/// The one answer to every failed login, whatever the reason.
caf::error bad_credentials();

/// True for `tsk_` followed by 43 URL-safe base64 characters.
bool well_formed_token(std::string_view token);

/// `u` without its password hash, as the rbac actor answers users.
user without_secrets(user u);

/// Checks the fields of a user to create; the error names the field.
caf::error check_new_user(const user_change& change);

/// Checks the fields of a user change (the username is checked against the
/// stored user later).
caf::error check_user_update(const user_change& change);

/// The handlers behind rbac_actor's messages.
caf::result<principal> authenticate(rbac_self self, const std::string& token);
caf::result<login_grant> login(rbac_self self, login_request& request);
caf::result<bool> logout(rbac_self self, const std::string& token,
                         const audit_origin& who);
caf::result<std::vector<user>> list_users(rbac_self self);
caf::result<user> get_user(rbac_self self, uint64_t id);
caf::result<user> create_user(rbac_self self, user_change& change,
                              const audit_origin& who);
caf::result<user> update_user(rbac_self self, uint64_t id, user_change& change,
                              const audit_origin& who);

} // namespace tasks::rbac_detail
