# The company calendar: [calendar] in notify.toml, the override file in both
# its forms, and working days and hours in a zone.
add_executable(unit_calendar
  ${CMAKE_CURRENT_LIST_DIR}/test_calendar.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_calendar_overrides.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_calendar_window.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_config_calendar.cpp
)
target_link_libraries(unit_calendar PRIVATE catch_main notify_calendar)
add_test(NAME unit_calendar COMMAND unit_calendar)
