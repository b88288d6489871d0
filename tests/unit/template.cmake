add_executable(unit_template
  ${CMAKE_CURRENT_LIST_DIR}/test_template_spec.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_template_errors.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_template_render.cpp
)
target_link_libraries(unit_template PRIVATE catch_main notify_template)
# CI runs in a fresh clone with shared/ beside the repository.
target_compile_definitions(unit_template PRIVATE
  NOTIFY_MUSTACHE_SPEC_DIR="${PROJECT_SOURCE_DIR}/../shared/conformance/mustache")
add_test(NAME unit_template COMMAND unit_template)
