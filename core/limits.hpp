// Limits that the API, the store and tasksctl all enforce.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tasks::limits {

/// A command is 1..16384 bytes of valid UTF-8 without NUL (SPEC §3).
inline constexpr size_t command_max_bytes = 16384;
/// Task timeouts in seconds (SPEC §3).
inline constexpr uint32_t timeout_min_seconds = 1;
inline constexpr uint32_t timeout_max_seconds = 600;
/// Characters of a command kept in an audit record (SPEC §6).
inline constexpr size_t command_preview_chars = 100;
/// Usernames, server names and vault entry names.
inline constexpr size_t name_max_bytes = 64;

} // namespace tasks::limits
