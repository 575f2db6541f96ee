// Placeholder until the server endpoints land.
#include "http/routes.hpp"

namespace tasks::http {

void add_server_routes(Pistache::Rest::Router&, api_context&) {
  // nop
}

} // namespace tasks::http
