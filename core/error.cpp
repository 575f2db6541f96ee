// Rendering of the project's error codes.
#include "core/error.hpp"

#include <caf/message.hpp>

namespace tasks {

std::string to_string(errc code) {
  switch (code) {
    case errc::invalid_argument: return "invalid_argument";
    case errc::not_found: return "not_found";
    case errc::conflict: return "conflict";
    case errc::already_exists: return "already_exists";
    case errc::storage_failure: return "storage_failure";
    case errc::corrupt_record: return "corrupt_record";
    case errc::schema_too_new: return "schema_too_new";
    case errc::crypto_failure: return "crypto_failure";
    case errc::invalid_config: return "invalid_config";
    case errc::queue_full: return "queue_full";
    case errc::shutting_down: return "shutting_down";
    case errc::unauthenticated: return "unauthenticated";
    case errc::forbidden: return "forbidden";
    case errc::store_locked: return "store_locked";
    case errc::throttled: return "throttled";
    case errc::ssh_failure: return "ssh_failure";
    case errc::host_key_mismatch: return "host_key_mismatch";
  }
  return "unknown";
}

caf::error make_error(errc code, std::string message) {
  return caf::error{static_cast<uint8_t>(code), caf::atom("tasks"),
                    caf::make_message(std::move(message))};
}

std::string message_of(const caf::error& err) {
  if (!err)
    return {};
  const auto& ctx = err.context();
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return caf::to_string(err);
}

} // namespace tasks
