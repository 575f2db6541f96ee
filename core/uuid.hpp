// Task identifiers: random UUID v4, 16 bytes on disk, canonical text in the
// API.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/uuid/uuid.hpp>

namespace tasks {

/// A task's id.
using task_id = boost::uuids::uuid;

/// Returns a fresh random (version 4) id.
task_id new_task_id();

/// Returns the canonical lower-case 8-4-4-4-12 form.
std::string to_string(const task_id& id);

/// Parses the canonical 8-4-4-4-12 form only (any case); nullopt otherwise.
std::optional<task_id> parse_task_id(std::string_view text);

} // namespace tasks
