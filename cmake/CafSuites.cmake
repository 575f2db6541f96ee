# tasks_add_caf_tests(<binary> <sources...>) builds one CAF test binary and
# registers one CTest entry per `#define CAF_SUITE` found in its sources, so a
# new suite is picked up without editing a list. CAF 0.17's runner reports
# success when its filter matches nothing: an entry whose run executed zero
# tests fails, so a renamed suite can never turn green by running nothing.
function(tasks_add_caf_tests binary)
  set(sources ${ARGN})
  add_executable(${binary} ${CMAKE_SOURCE_DIR}/tests/caf_test_main.cpp ${sources})
  target_include_directories(${binary} PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  foreach(source ${sources})
    file(STRINGS ${source} lines REGEX "^#define CAF_SUITE ")
    foreach(line ${lines})
      string(REGEX REPLACE "^#define CAF_SUITE +([A-Za-z0-9_.]+).*" "\\1" suite "${line}")
      string(REPLACE "." "\\." suite_regex "${suite}")
      add_test(NAME ${suite}
               COMMAND ${binary} -n -r 120 -s "^${suite_regex}$")
      set_tests_properties(${suite} PROPERTIES
        TIMEOUT 300
        FAIL_REGULAR_EXPRESSION "tests: +0[^0-9]")
    endforeach()
  endforeach()
endfunction()
