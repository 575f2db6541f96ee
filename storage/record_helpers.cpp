// Helpers the store's record files share.
#include "storage/record_helpers.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/limits.hpp"

namespace tasks::storage::detail {

namespace {

bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
         || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

} // namespace

caf::error invalid(std::string message) {
  return make_error(errc::invalid_argument, std::move(message));
}

caf::error validate_name(std::string_view field, const std::string& name) {
  auto fail = [&](std::string_view why) {
    return invalid(std::string{field} + ": " + std::string{why});
  };
  if (name.empty())
    return fail("must not be empty");
  if (name.size() > limits::name_max_bytes)
    return fail("longer than " + std::to_string(limits::name_max_bytes)
                + " bytes");
  if (!std::all_of(name.begin(), name.end(), is_name_char))
    return fail("only letters, digits, '.', '_' and '-' are allowed");
  return {};
}

bool is_control(char c) {
  auto byte = static_cast<uint8_t>(c);
  return byte < 0x20 || byte == 0x7F;
}

std::string id_value(uint64_t id) {
  std::string out;
  keys::put_u64(out, id);
  return out;
}

caf::expected<std::optional<uint64_t>> lookup_name(database& db, cf family,
                                                   std::string_view kind,
                                                   const std::string& name) {
  auto value = db.get(family, keys::id_by_name(name));
  if (!value)
    return value.error();
  if (!*value)
    return std::optional<uint64_t>{};
  if ((*value)->size() != 8)
    return make_error(errc::corrupt_record, std::string{kind} + " name entry '"
                                                + name + "' is malformed");
  return std::optional<uint64_t>{keys::get_u64(**value, 0)};
}

audit_event event_for(const audit_origin& who, std::string action) {
  audit_event event;
  event.action = std::move(action);
  event.user_id = who.user_id;
  event.username = who.username;
  event.client_ip = who.client_ip;
  event.user_agent = who.user_agent;
  return event;
}

} // namespace tasks::storage::detail
