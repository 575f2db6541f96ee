// The storage actor's handlers: thin, each one store call.
#include <caf/all.hpp>

#include "actors/storage_actor.hpp"

#include "actors/result.hpp"
#include "core/log.hpp"
#include "storage/store.hpp"

namespace tasks {

namespace {

/// Running tasks cannot survive a restart: their SSH sessions are gone.
constexpr const char* interrupted = "interrupted: service restarted";

caf::expected<std::vector<task>> recover(storage::store& st) {
  auto running = st.tasks_in_state(status::running);
  if (!running)
    return running.error();
  for (const auto& t : *running) {
    task_transition change;
    change.to = status::failed;
    change.error = interrupted;
    if (auto moved = st.transition_task(t.id, change, audit_origin{}); !moved)
      return moved.error();
  }
  if (!running->empty())
    log::warn("recovery: {} running task(s) marked failed ({})",
              running->size(), interrupted);
  return st.tasks_in_state(status::queued);
}

caf::expected<server_access> access_for(storage::store& st, uint64_t id,
                                        const execution_config& cfg) {
  auto s = st.get_server(id);
  if (!s)
    return s.error();
  server_access result;
  result.server_id = id;
  result.max_concurrent_tasks = s->max_concurrent_tasks.value_or(0);
  auto& t = result.target;
  t.host = s->host;
  t.port = s->port;
  t.username = s->username;
  t.pinned_host_key = s->host_key;
  t.policy = cfg.host_keys;
  t.connect_timeout = cfg.connect_timeout;
  if (s->vault_key_id) {
    auto entry = st.get_vault_entry(*s->vault_key_id);
    if (!entry)
      return entry.error();
    auto secret = st.open_vault_entry(*entry);
    if (!secret)
      return secret.error();
    t.has_vault_key = true;
    t.vault_key_text = secret->key_text;
    t.vault_key_passphrase = secret->passphrase;
  }
  t.key_file = s->key_file;
  if (!s->sealed_password.empty()) {
    auto password = st.server_password(*s);
    if (!password)
      return password.error();
    t.has_password = true;
    t.password = std::move(*password);
    storage::wipe(*password);
  }
  return result;
}

} // namespace

storage_actor::behavior_type
storage_service(storage_actor::stateful_pointer<storage_state> self,
                storage::store* st, execution_config cfg) {
  self->state.st = st;
  self->state.cfg = cfg;
  auto& s = *st;
  return {
      [&s](create_atom, const new_task& request,
           const audit_origin& who) -> caf::result<task> {
        return to_result(s.create_task(request, who));
      },
      [&s](transit_atom, const task_id& id, const task_transition& change,
           const audit_origin& who) -> caf::result<task> {
        return to_result(s.transition_task(id, change, who));
      },
      [&s](get_atom, const task_id& id, bool with_output) -> caf::result<task> {
        return to_result(s.get_task(id, with_output));
      },
      [&s](list_atom,
           const task_filter& filter) -> caf::result<std::vector<task>> {
        return to_result(s.list_tasks(filter));
      },
      [&s](recover_atom) -> caf::result<std::vector<task>> {
        return to_result(recover(s));
      },
      [self, &s](target_atom, uint64_t id) -> caf::result<server_access> {
        return to_result(access_for(s, id, self->state.cfg));
      },
      [&s](pin_atom, uint64_t id,
           const std::string& fingerprint) -> caf::result<server> {
        return to_result(s.pin_host_key(id, fingerprint, audit_origin{}));
      },
      [&s](get_atom, server_atom, uint64_t id) -> caf::result<server> {
        return to_result(s.get_server(id));
      },
      [&s](audit_atom, audit_event& event) -> caf::result<uint64_t> {
        if (auto err = s.append_audit(std::move(event)))
          return err;
        auto head = s.head();
        if (!head)
          return head.error();
        return head->seq;
      },
  };
}

} // namespace tasks
