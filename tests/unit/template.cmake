add_executable(unit_template
  ${CMAKE_CURRENT_LIST_DIR}/test_template_spec.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_template_errors.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_template_render.cpp
)
target_link_libraries(unit_template PRIVATE catch_main notify_template)
# The Mustache specification's test files live in the conformance suites that
# sit beside the repository (shared/conformance/mustache). NOTIFY_CONFORMANCE_DIR
# names another place. They are outside the repository, so their cases are a test
# of their own, unit_template_spec, which CTest reports as skipped, with where it
# looked, when they are absent (a plain clone).
set(NOTIFY_CONFORMANCE_DIR "" CACHE PATH "folder holding the conformance suites (mustache/...)")
set(_spec_dir "${PROJECT_SOURCE_DIR}/../shared/conformance/mustache")
if(NOTIFY_CONFORMANCE_DIR)
  set(_spec_dir "${NOTIFY_CONFORMANCE_DIR}/mustache")
elseif(NOT IS_DIRECTORY "${_spec_dir}")
  # A checkout nested one level deeper than its suites: look a little further up.
  get_filename_component(_up "${PROJECT_SOURCE_DIR}/.." ABSOLUTE)
  foreach(_i RANGE 2)
    get_filename_component(_up "${_up}/.." ABSOLUTE)
    if(IS_DIRECTORY "${_up}/shared/conformance/mustache")
      set(_spec_dir "${_up}/shared/conformance/mustache")
      break()
    endif()
  endforeach()
endif()
get_filename_component(_spec_dir "${_spec_dir}" ABSOLUTE)
target_compile_definitions(unit_template PRIVATE NOTIFY_MUSTACHE_SPEC_DIR="${_spec_dir}")
add_test(NAME unit_template COMMAND unit_template "~[spec]")
add_test(NAME unit_template_spec COMMAND unit_template "[spec]")
set_tests_properties(unit_template_spec PROPERTIES SKIP_REGULAR_EXPRESSION "skipped: the Mustache specification")
