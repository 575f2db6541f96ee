// The column families of the store. Their names are API: never rename or
// reorder them, only append (an existing store opens with this exact list).
#pragma once

#include <array>
#include <cstddef>

namespace tasks::storage {

/// Index of each column family in database::handles().
enum class cf : size_t {
  default_ = 0,
  meta,
  tasks,
  task_output,
  task_index,
  audit,
  audit_index,
  users,
  tokens,
  servers,
  vault,
};

/// Names in the order of `cf`; "default" is RocksDB's own.
inline constexpr std::array<const char*, 11> column_family_names = {
    "default",     "meta",  "tasks",  "task_output", "task_index", "audit",
    "audit_index", "users", "tokens", "servers",     "vault",
};

} // namespace tasks::storage
