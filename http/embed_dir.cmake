# Writes OUTPUT, a C++ file defining tasks::http::embedded::NAME_files: every
# file of DIR (not recursive) as {name, content}, sorted by name, so the web
# UI ships inside the binary. Run with cmake -P; text files only.
file(GLOB paths LIST_DIRECTORIES false RELATIVE "${DIR}" "${DIR}/*")
list(SORT paths)
set(delimiter "tasksd_embedded")
set(entries "")
set(texts "")
set(index 0)
foreach(path IN LISTS paths)
  file(READ "${DIR}/${path}" content)
  string(FIND "${content}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${DIR}/${path} contains the raw string delimiter")
  endif()
  string(APPEND texts
    "static const char text_${index}[] = R\"${delimiter}(${content})${delimiter}\";\n")
  string(APPEND entries
    "    {\"${path}\", {text_${index}, sizeof(text_${index}) - 1}},\n")
  math(EXPR index "${index} + 1")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${DIR} by http/embed_dir.cmake; do not edit.
#include \"http/embedded.hpp\"
namespace tasks::http::embedded {
namespace {
${texts}} // namespace
const std::vector<file> ${NAME}_files{
${entries}};
} // namespace tasks::http::embedded
")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
