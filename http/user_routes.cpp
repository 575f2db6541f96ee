// Placeholder until the user endpoints land.
#include "http/routes.hpp"

namespace tasks::http {

void add_user_routes(Pistache::Rest::Router&, api_context&) {
  // nop
}

} // namespace tasks::http
