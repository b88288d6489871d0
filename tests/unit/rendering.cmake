# unit_rendering: notification content from stored templates (door and per user).
add_executable(unit_rendering
  ${CMAKE_CURRENT_LIST_DIR}/test_rendering.cpp
)
target_link_libraries(unit_rendering PRIVATE catch_main notify_rendering nlohmann_json::nlohmann_json)
add_test(NAME unit_rendering COMMAND unit_rendering)
