// The storage actor's handlers: thin, each one store call; task creates,
// transitions and audit appends are staged and committed as a group.
#include <caf/all.hpp>

#include "actors/storage_actor.hpp"

#include <algorithm>
#include <utility>

#include "actors/result.hpp"
#include "actors/task_metrics.hpp"
#include "core/log.hpp"
#include "storage/crypto.hpp"
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

/// Most audit records one query returns.
constexpr uint64_t max_audit_page = 1000;

caf::expected<std::vector<audit_event>> query(storage::store& st,
                                              const audit_filter& filter,
                                              uint64_t offset, uint64_t limit) {
  std::vector<audit_event> result;
  limit = std::min(limit, max_audit_page);
  if (limit == 0)
    return result;
  uint64_t skipped = 0;
  auto err = st.scan_audit(filter, storage::scan_order::descending,
                           [&](const audit_event& e) {
                             if (skipped < offset) {
                               ++skipped;
                               return true;
                             }
                             result.push_back(e);
                             return result.size() < limit;
                           });
  if (err)
    return err;
  return result;
}

/// The token.create record of the store names the token; auth.login says
/// who logged in from where (SPEC §6).
caf::expected<token_record> add_login_token(storage::store& st,
                                            const token_record& token,
                                            const audit_origin& who) {
  if (auto err = st.add_token(token, who))
    return err;
  audit_event event;
  event.action = "auth.login";
  event.user_id = who.user_id;
  event.username = who.username;
  event.client_ip = who.client_ip;
  event.user_agent = who.user_agent;
  event.metadata
      = audit_metadata{}
            .add("token_id", storage::to_hex(token.hash.substr(0, 4)))
            .add("origin", token.origin)
            .add("expires_at", format_iso8601(token.expires_at))
            .str();
  if (auto err = st.append_audit(std::move(event)))
    return err;
  return token;
}

caf::expected<bool> revoke(storage::store& st, const std::string& hash,
                           const audit_origin& who) {
  if (auto err = st.revoke_token(hash, who)) {
    if (err == errc::not_found)
      return false;
    return err;
  }
  return true;
}

/// How long a final task ran; zero when it never started.
std::chrono::microseconds run_time(const task& t) {
  if (!t.started_at || !t.finished_at)
    return std::chrono::microseconds{0};
  return std::chrono::duration_cast<std::chrono::microseconds>(*t.finished_at
                                                               - *t.started_at);
}

// -- group commit -------------------------------------------------------------

/// The message that writes the open group. Not part of storage_actor: only
/// the actor sends it to itself, and the default handler takes it.
using flush_atom = caf::atom_constant<caf::atom("gflush")>;

using self_pointer = storage_actor::stateful_pointer<storage_state>;

/// Writes the open group with one sync and answers every change in it.
void flush(self_pointer self) {
  auto& state = self->state;
  if (state.waiting.empty())
    return;
  auto err = state.st->commit_group();
  if (err)
    log::error("group commit of {} change(s) failed: {}", state.waiting.size(),
               message_of(err));
  auto waiting = std::move(state.waiting);
  state.waiting.clear();
  for (auto& reply : waiting)
    reply(err);
}

/// Queues the reply of a staged change. The flush message goes behind the
/// requests already in the mailbox, so they join the group; a full group
/// is written at once.
void await_flush(self_pointer self,
                 std::function<void(const caf::error&)> reply) {
  auto& state = self->state;
  state.waiting.push_back(std::move(reply));
  if (state.waiting.size() >= max_group_changes
      || state.st->staged_bytes() >= max_group_bytes) {
    flush(self);
    return;
  }
  if (!state.flush_scheduled) {
    state.flush_scheduled = true;
    caf::anon_send(caf::actor_cast<caf::actor>(self), flush_atom::value);
  }
}

/// Answers with `value` once the group holding it is stored, after
/// calling `on_stored` (when given) with it.
template <class T>
caf::result<T> reply_after_flush(self_pointer self, T value,
                                 std::function<void(const T&)> on_stored = {}) {
  auto promise = self->make_response_promise<T>();
  await_flush(self, [promise, value = std::move(value),
                     on_stored](const caf::error& err) mutable {
    if (err) {
      promise.deliver(err);
      return;
    }
    if (on_stored)
      on_stored(value);
    promise.deliver(std::move(value));
  });
  return promise;
}

/// Takes the flush message; anything else unexpected is dropped as before.
caf::result<caf::message> on_unexpected(self_pointer self,
                                        caf::scheduled_actor* ptr,
                                        caf::message_view& msg) {
  auto& content = msg.content();
  if (content.match_elements<caf::atom_value>()
      && content.get_as<caf::atom_value>(0) == flush_atom::value) {
    self->state.flush_scheduled = false;
    flush(self);
    return caf::message{};
  }
  return caf::print_and_drop(ptr, msg);
}

} // namespace

storage_actor::behavior_type
storage_service(storage_actor::stateful_pointer<storage_state> self,
                storage::store* st, execution_config cfg,
                task_metrics* finished) {
  self->state.st = st;
  self->state.cfg = cfg;
  self->state.finished = finished;
  self->set_default_handler(
      [self](caf::scheduled_actor* ptr, caf::message_view& msg) {
        return on_unexpected(self, ptr, msg);
      });
  // CAF's default exit handler, after writing and answering the open
  // group: it must not outlive the actor, open in the store.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (msg.reason)
      flush(self);
    caf::scheduled_actor::default_exit_handler(self, msg);
  });
  auto& s = *st;
  // Staged changes touch tasks and the audit log only: the handlers that
  // read those, and every other write, flush the open group first, so a
  // read sees every change sent before it (as without group commit) and a
  // write of its own cannot interleave with the group. Reads of servers,
  // users and tokens need no flush.
  auto record_finished = [self](const task& t) {
    if (is_final(t.state) && self->state.finished)
      self->state.finished->record(t.state, run_time(t));
  };
  return {
      [self, &s](create_atom, const new_task& request,
                 const audit_origin& who) -> caf::result<task> {
        auto created = s.stage_create_task(request, who);
        if (!created)
          return std::move(created.error());
        return reply_after_flush(self, std::move(*created));
      },
      [self, &s, record_finished](
          transit_atom, const task_id& id, const task_transition& change,
          const audit_origin& who) -> caf::result<task> {
        auto moved = s.stage_transition_task(id, change, who);
        if (!moved)
          return std::move(moved.error());
        return reply_after_flush<task>(self, std::move(*moved),
                                       record_finished);
      },
      [self, &s](get_atom, const task_id& id,
                 bool with_output) -> caf::result<task> {
        flush(self);
        return to_result(s.get_task(id, with_output));
      },
      [self, &s](list_atom,
                 const task_filter& filter) -> caf::result<std::vector<task>> {
        flush(self);
        return to_result(s.list_tasks(filter));
      },
      [self, &s](recover_atom) -> caf::result<std::vector<task>> {
        flush(self);
        return to_result(recover(s));
      },
      [self, &s](start_atom, const task_id& id) -> caf::result<task_start> {
        task_transition change;
        change.to = status::running;
        auto moved = s.stage_transition_task(id, change, audit_origin{});
        if (!moved)
          return std::move(moved.error());
        auto access = access_for(s, moved->server_id, self->state.cfg);
        return reply_after_flush(
            self, task_start{std::move(*moved), std::move(access)});
      },
      [self, &s](pin_atom, uint64_t id,
                 const std::string& fingerprint) -> caf::result<server> {
        flush(self);
        return to_result(s.pin_host_key(id, fingerprint, audit_origin{}));
      },
      [&s](get_atom, server_atom, uint64_t id) -> caf::result<server> {
        return to_result(s.get_server(id));
      },
      [self, &s](audit_atom, audit_event& event) -> caf::result<uint64_t> {
        auto seq = s.stage_audit(std::move(event));
        if (!seq)
          return std::move(seq.error());
        return reply_after_flush(self, *seq);
      },
      [self, &s](query_atom, const audit_filter& filter, uint64_t offset,
                 uint64_t limit) -> caf::result<std::vector<audit_event>> {
        flush(self);
        return to_result(query(s, filter, offset, limit));
      },
      [&s](list_atom, server_atom) -> caf::result<std::vector<server>> {
        return to_result(s.list_servers());
      },
      [self, &s](create_atom, server_change& change,
                 const audit_origin& who) -> caf::result<server> {
        flush(self);
        auto added = s.add_server(change.record, change.password, who);
        if (change.password)
          storage::wipe(*change.password);
        return to_result(std::move(added));
      },
      [self, &s](update_atom, server_change& change,
                 const audit_origin& who) -> caf::result<server> {
        flush(self);
        auto updated = s.update_server(change.record, change.password, who);
        if (change.password)
          storage::wipe(*change.password);
        return to_result(std::move(updated));
      },
      [self, &s](delete_atom, server_atom, uint64_t id,
                 const audit_origin& who) -> caf::result<uint64_t> {
        flush(self);
        if (auto err = s.remove_server(id, who))
          return err;
        return id;
      },
      [&s](find_atom, token_atom,
           const std::string& hash) -> caf::result<token_record> {
        return to_result(s.find_token(hash));
      },
      [self, &s](create_atom, const token_record& token,
                 const audit_origin& who) -> caf::result<token_record> {
        flush(self);
        return to_result(add_login_token(s, token, who));
      },
      [self, &s](revoke_atom, const std::string& hash,
                 const audit_origin& who) -> caf::result<bool> {
        flush(self);
        return to_result(revoke(s, hash, who));
      },
      [&s](get_atom, user_atom, uint64_t id) -> caf::result<user> {
        return to_result(s.get_user(id));
      },
      [&s](find_atom, user_atom, const std::string& username)
          -> caf::result<user> { return to_result(s.find_user(username)); },
      [&s](list_atom, user_atom) -> caf::result<std::vector<user>> {
        return to_result(s.list_users());
      },
      [self, &s](create_atom, user_atom, const std::string& username,
                 role user_role, const std::string& password_hash,
                 const audit_origin& who) -> caf::result<user> {
        flush(self);
        return to_result(s.add_user(username, user_role, password_hash, who));
      },
      [self, &s](update_atom, const user& changed, const std::string& action,
                 const audit_origin& who) -> caf::result<user> {
        flush(self);
        return to_result(s.update_user(changed, action, who));
      },
  };
}

} // namespace tasks
