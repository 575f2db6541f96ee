// Files compiled into the binary (see embed.cmake).
#pragma once

#include <string_view>

namespace tasks::http::embedded {

/// The OpenAPI 3 description of every endpoint (http/openapi.json).
extern const std::string_view openapi_json;

} // namespace tasks::http::embedded
