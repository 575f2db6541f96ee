// The rbac actor's user accounts: input rules, hashing new passwords, and
// changes written one kind at a time so each lands in the audit log under
// its own action.
#include <caf/all.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "actors/rbac_detail.hpp"
#include "actors/timeouts.hpp"
#include "core/error.hpp"
#include "core/limits.hpp"
#include "storage/crypto.hpp"

namespace tasks::rbac_detail {

namespace {

/// One create or update from the request to the answer.
struct user_job {
  user_change change;
  audit_origin who;
  caf::typed_response_promise<user> rp;
  /// The user as stored so far.
  user current;
  /// Writes still to do: the user to write and its audit action.
  std::vector<std::pair<user, std::string>> steps;
  size_t next_step = 0;

  ~user_job() {
    if (change.password)
      storage::wipe(*change.password);
  }
};

using job_ptr = std::shared_ptr<user_job>;

caf::error invalid(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
         || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

caf::error check_username(const std::string& name) {
  if (name.empty() || name.size() > limits::name_max_bytes
      || !std::all_of(name.begin(), name.end(), is_name_char))
    return invalid("username: must be 1 to 64 characters of A-Z, a-z, 0-9, "
                   "'.', '_' and '-'");
  return {};
}

caf::error check_role(role r) {
  if (static_cast<uint8_t>(r) > static_cast<uint8_t>(role::viewer))
    return invalid("role: must be admin, operator or viewer");
  return {};
}

caf::error check_password(const std::string& password) {
  if (password.empty() || password.size() > storage::max_password_size)
    return invalid("password: must be 1 to "
                   + std::to_string(storage::max_password_size) + " bytes");
  return {};
}

/// Takes the clear-text password out of the job for hashing.
std::string take_password(const job_ptr& job) {
  auto password = std::move(*job->change.password);
  storage::wipe(*job->change.password);
  return password;
}

/// Writes the remaining steps in order, then answers with the user.
void run_steps(rbac_self self, const job_ptr& job) {
  if (job->next_step == job->steps.size()) {
    job->rp.deliver(without_secrets(job->current));
    return;
  }
  const auto& [changed, action] = job->steps[job->next_step++];
  auto id = changed.id;
  self->request(self->state.storage, timeouts::storage, update_atom::value,
                changed, action, job->who)
      .then(
          [self, job](user& updated) {
            // Its cached tokens may carry an old role or a disabled user.
            self->state.tokens->erase_user(updated.id);
            job->current = std::move(updated);
            run_steps(self, job);
          },
          [self, job, id](caf::error& err) {
            self->state.tokens->erase_user(id);
            job->rp.deliver(std::move(err));
          });
}

/// Plans one write per kind of change. A disable goes first and an enable
/// last, so no intermediate state is more usable than the old or the new
/// one.
void plan(const job_ptr& job, std::optional<std::string> new_hash) {
  const auto& change = job->change;
  auto u = job->current;
  auto add = [&](const char* action) { job->steps.emplace_back(u, action); };
  auto disable = change.disabled.value_or(u.disabled);
  if (disable && !u.disabled) {
    u.disabled = true;
    add("user.disable");
  }
  if (change.user_role && *change.user_role != u.user_role) {
    u.user_role = *change.user_role;
    add("user.set_role");
  }
  if (new_hash) {
    u.password_hash = std::move(*new_hash);
    add("user.passwd");
  }
  if (!disable && u.disabled) {
    u.disabled = false;
    add("user.enable");
  }
}

/// Hashes the job's password on a hasher, then calls `next` with the hash.
template <class F> void hash_then(rbac_self self, const job_ptr& job, F next) {
  self->request(self->state.hasher(), timeouts::hasher, hash_atom::value,
                take_password(job))
      .then([next](std::string& phc) mutable { next(std::move(phc)); },
            [job](caf::error& err) { job->rp.deliver(std::move(err)); });
}

void apply_update(rbac_self self, const job_ptr& job, user& stored) {
  const auto& change = job->change;
  if (change.username && *change.username != stored.username) {
    job->rp.deliver(invalid("username: cannot be changed"));
    return;
  }
  job->current = std::move(stored);
  if (!change.password) {
    plan(job, std::nullopt);
    run_steps(self, job);
    return;
  }
  hash_then(self, job, [self, job](std::string phc) {
    plan(job, std::move(phc));
    run_steps(self, job);
  });
}

} // namespace

caf::error check_new_user(const user_change& change) {
  if (!change.username)
    return invalid("username: required");
  if (auto err = check_username(*change.username))
    return err;
  if (!change.user_role)
    return invalid("role: required (admin, operator or viewer)");
  if (auto err = check_role(*change.user_role))
    return err;
  if (!change.password)
    return invalid("password: required");
  return check_password(*change.password);
}

caf::error check_user_update(const user_change& change) {
  if (change.user_role)
    if (auto err = check_role(*change.user_role))
      return err;
  if (change.password)
    return check_password(*change.password);
  return {};
}

caf::result<std::vector<user>> list_users(rbac_self self) {
  auto rp = self->make_response_promise<std::vector<user>>();
  self->request(self->state.storage, timeouts::storage, list_atom::value,
                user_atom::value)
      .then(
          [rp](std::vector<user>& users) mutable {
            for (auto& u : users)
              u = without_secrets(std::move(u));
            rp.deliver(std::move(users));
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

caf::result<user> get_user(rbac_self self, uint64_t id) {
  auto rp = self->make_response_promise<user>();
  self->request(self->state.storage, timeouts::storage, get_atom::value,
                user_atom::value, id)
      .then(
          [rp](user& u) mutable { rp.deliver(without_secrets(std::move(u))); },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
  return rp;
}

caf::result<user> create_user(rbac_self self, user_change& change,
                              const audit_origin& who) {
  auto job = std::make_shared<user_job>();
  job->change = std::move(change);
  if (change.password)
    storage::wipe(*change.password);
  if (auto err = check_new_user(job->change))
    return err;
  job->who = who;
  job->rp = self->make_response_promise<user>();
  hash_then(self, job, [self, job](std::string phc) {
    const auto& change = job->change;
    self->request(self->state.storage, timeouts::storage, create_atom::value,
                  user_atom::value, *change.username, *change.user_role, phc,
                  job->who)
        .then(
            [self, job](user& created) {
              job->current = std::move(created);
              // A user created disabled: a second write, user.disable.
              plan(job, std::nullopt);
              run_steps(self, job);
            },
            [job](caf::error& err) { job->rp.deliver(std::move(err)); });
  });
  return job->rp;
}

caf::result<user> update_user(rbac_self self, uint64_t id, user_change& change,
                              const audit_origin& who) {
  auto job = std::make_shared<user_job>();
  job->change = std::move(change);
  if (change.password)
    storage::wipe(*change.password);
  if (auto err = check_user_update(job->change))
    return err;
  job->who = who;
  job->rp = self->make_response_promise<user>();
  self->request(self->state.storage, timeouts::storage, get_atom::value,
                user_atom::value, id)
      .then([self, job](user& stored) { apply_update(self, job, stored); },
            [job](caf::error& err) { job->rp.deliver(std::move(err)); });
  return job->rp;
}

} // namespace tasks::rbac_detail
