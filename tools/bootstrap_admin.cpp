// Creating the bootstrap admin on an empty store.
#include "tools/bootstrap_admin.hpp"

#include "core/error.hpp"
#include "storage/crypto.hpp"

namespace tasks {

caf::expected<std::optional<std::string>>
ensure_bootstrap_admin(storage::store& st,
                       const std::string& configured_password,
                       storage::password_cost cost) {
  auto users = st.list_users();
  if (!users)
    return users.error();
  if (!users->empty())
    return std::optional<std::string>{};
  auto generated = configured_password.empty();
  auto password = generated ? storage::random_password() : configured_password;
  auto phc = storage::hash_password(password, cost);
  if (!phc) {
    storage::wipe(password);
    return make_error(errc::invalid_argument, "TASKS_BOOTSTRAP_ADMIN_PASSWORD: "
                                                  + message_of(phc.error()));
  }
  audit_origin who;
  who.username = "tasksd";
  auto added = st.add_user(bootstrap_admin_name, role::admin, *phc, who);
  if (!added) {
    storage::wipe(password);
    return added.error();
  }
  if (!generated) {
    storage::wipe(password);
    return std::optional<std::string>{};
  }
  return std::optional<std::string>{std::move(password)};
}

} // namespace tasks
