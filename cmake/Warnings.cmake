# tasks::warnings carries the warning flags (and sanitizers) every target links.
add_library(tasks_warnings INTERFACE)
add_library(tasks::warnings ALIAS tasks_warnings)
target_compile_options(tasks_warnings INTERFACE -Wall -Wextra -Wpedantic
                       -Wno-unused-parameter)
if(TASKS_WERROR)
  target_compile_options(tasks_warnings INTERFACE -Werror)
endif()
if(TASKS_SANITIZE)
  # GCC 12 reports false -Wmaybe-uninitialized in <regex> under ASan.
  target_compile_options(tasks_warnings INTERFACE
                         -fsanitize=address,undefined -fno-omit-frame-pointer
                         -Wno-maybe-uninitialized)
  target_link_options(tasks_warnings INTERFACE -fsanitize=address,undefined)
endif()
