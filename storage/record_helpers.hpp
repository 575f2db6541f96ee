// Helpers the store's record files share: validation messages, unique
// names, scanning records by id, audit events from an origin.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/expected.hpp>

#include "core/audit_event.hpp"
#include "storage/database.hpp"
#include "storage/keys.hpp"

namespace tasks::storage::detail {

/// errc::invalid_argument with a message that starts with the field.
caf::error invalid(std::string message);

/// Names of users, servers and vault entries: 1..64 of [A-Za-z0-9._-].
caf::error validate_name(std::string_view field, const std::string& name);

/// Control characters and DEL.
bool is_control(char c);

/// An id as the 8-byte value of a name entry.
std::string id_value(uint64_t id);

/// The id a unique name points to in `family`, if any.
caf::expected<std::optional<uint64_t>> lookup_name(database& db, cf family,
                                                   std::string_view kind,
                                                   const std::string& name);

/// An audit event of `action` caused by `who`.
audit_event event_for(const audit_origin& who, std::string action);

/// Every record of `family` ('i' + id keys), in id order.
template <class T, class Decode>
caf::expected<std::vector<T>> scan_records(database& db, cf family,
                                           Decode decode) {
  std::vector<T> result;
  std::string lower(1, keys::record_tag);
  auto c = db.scan(family, lower, keys::prefix_successor(lower));
  for (c.seek_first(); c.valid(); c.next()) {
    auto record = decode(c.value());
    if (!record)
      return record.error();
    result.push_back(std::move(*record));
  }
  if (auto err = c.status())
    return err;
  return result;
}

} // namespace tasks::storage::detail
