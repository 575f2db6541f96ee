// Files compiled into the binary (see embed.cmake and embed_dir.cmake).
#pragma once

#include <string_view>
#include <vector>

namespace tasks::http::embedded {

/// The OpenAPI 3 description of every endpoint (http/openapi.json).
extern const std::string_view openapi_json;

/// One embedded file: its name inside its folder and its bytes.
struct file {
  std::string_view name;
  std::string_view content;
};

/// The web UI (http/ui/), sorted by name.
extern const std::vector<file> ui_files;

} // namespace tasks::http::embedded
