# Writes OUTPUT, a C++ file defining tasks::http::embedded::NAME as the text
# of INPUT, so static files ship inside the binary. Run with cmake -P.
file(READ "${INPUT}" content)
set(delimiter "tasksd_embedded")
string(FIND "${content}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter")
endif()
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${INPUT} by http/embed.cmake; do not edit.
#include <string_view>
namespace tasks::http::embedded {
extern const std::string_view ${NAME};
static const char ${NAME}_text[] = R\"${delimiter}(${content})${delimiter}\";
const std::string_view ${NAME}{${NAME}_text, sizeof(${NAME}_text) - 1};
} // namespace tasks::http::embedded
")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
