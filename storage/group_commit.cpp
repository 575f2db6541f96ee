// Group commit: changes staged one by one share one WriteBatch and one sync.
#include "storage/store.hpp"

#include "core/error.hpp"

namespace tasks::storage {

store::group& store::open_group() {
  if (!group_open()) {
    group_.emplace(db_);
    group_->last_created = last_created_;
    pending_head_ = head_;
  }
  return *group_;
}

caf::expected<task> store::stage_create_task(const new_task& request,
                                             const audit_origin& who) {
  std::lock_guard<std::mutex> lock{write_mutex_};
  return stage_create_locked(request, who);
}

caf::expected<task> store::stage_transition_task(const task_id& id,
                                                 const task_transition& change,
                                                 const audit_origin& who) {
  std::lock_guard<std::mutex> lock{write_mutex_};
  return stage_transition_locked(id, change, who);
}

caf::expected<uint64_t> store::stage_audit(audit_event event) {
  std::lock_guard<std::mutex> lock{write_mutex_};
  return stage_audit_locked(event);
}

uint64_t store::stage_audit_locked(audit_event& event) {
  auto& staged = open_group();
  add_audit(staged.batch, event);
  ++staged.changes;
  return event.seq;
}

caf::error store::commit_group() {
  std::lock_guard<std::mutex> lock{write_mutex_};
  return commit_group_locked();
}

caf::error store::commit_group_locked() {
  if (!group_open()) {
    group_.reset();
    return {};
  }
  // commit() moves the chain head on success and restores it on failure;
  // the creation clock moves only with a stored group.
  auto err = commit(group_->batch);
  if (!err)
    last_created_ = group_->last_created;
  group_.reset();
  return err;
}

size_t store::staged_changes() const {
  std::lock_guard<std::mutex> lock{write_mutex_};
  return group_ ? group_->changes : 0;
}

size_t store::staged_bytes() const {
  std::lock_guard<std::mutex> lock{write_mutex_};
  return group_ ? group_->batch.data_size() : 0;
}

caf::error store::append_audit(audit_event event) {
  auto lock = lock_for_write();
  if (!lock)
    return lock.error();
  stage_audit_locked(event);
  return commit_group_locked();
}

} // namespace tasks::storage
