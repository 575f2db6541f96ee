// The hasher's handlers: one argon2 run each; the message's password copy
// is wiped afterwards.
#include <caf/all.hpp>

#include "actors/hasher.hpp"

#include "actors/result.hpp"
#include "storage/crypto.hpp"

namespace tasks {

hasher_actor::behavior_type
hasher(hasher_actor::stateful_pointer<hasher_state> self,
       storage::password_cost cost) {
  self->state.cost = cost;
  return {
      [self](hash_atom, std::string& password) -> caf::result<std::string> {
        auto phc = storage::hash_password(password, self->state.cost);
        storage::wipe(password);
        return to_result(std::move(phc));
      },
      [](verify_atom, const std::string& phc, std::string& password) {
        auto ok = storage::verify_password(phc, password);
        storage::wipe(password);
        return ok;
      },
  };
}

} // namespace tasks
