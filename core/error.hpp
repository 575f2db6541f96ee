// The project's error codes, carried as caf::error values across modules.
#pragma once

#include <cstdint>
#include <string>

#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

namespace tasks {

/// Every failure a tasksd module reports; 0 is reserved for "no error".
enum class errc : uint8_t {
  /// Input that breaks a documented rule; the context names the field.
  invalid_argument = 1,
  /// The requested object does not exist.
  not_found,
  /// The object exists but its state forbids the change (e.g. final task).
  conflict,
  /// An object with the same unique name already exists.
  already_exists,
  /// The store or a file could not be read or written.
  storage_failure,
  /// A stored record could not be decoded or failed verification.
  corrupt_record,
  /// The store was written by a newer tasksd than this binary.
  schema_too_new,
  /// Encryption, decryption or key material failed.
  crypto_failure,
  /// The configuration is invalid; the context names variable and value.
  invalid_config,
  /// The queue is full.
  queue_full,
  /// The service is shutting down and takes no new work.
  shutting_down,
  /// The caller is not authenticated.
  unauthenticated,
  /// The caller's role does not allow the action.
  forbidden,
  /// The store is held by another process.
  store_locked,
  /// Connecting or logging in over SSH failed; the message is the task error
  /// (`connection refused`, `authentication failed (tried: …)`, …).
  ssh_failure,
  /// The server offered a host key other than the pinned one.
  host_key_mismatch,
  /// Too many failed attempts; the context says when to retry.
  throttled,
};

/// Returns the code's name, e.g. "not_found".
std::string to_string(errc code);

/// Builds an error with a human-readable message as context.
caf::error make_error(errc code, std::string message);

/// Returns the human-readable message of an error made by make_error, or a
/// rendering of any other error.
std::string message_of(const caf::error& err);

} // namespace tasks

CAF_ERROR_CODE_ENUM(tasks::errc, "tasks")
