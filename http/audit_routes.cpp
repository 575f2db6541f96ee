// Placeholder until the audit endpoints land.
#include "http/routes.hpp"

namespace tasks::http {

void add_audit_routes(Pistache::Rest::Router&, api_context&) {
  // nop
}

} // namespace tasks::http
