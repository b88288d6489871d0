# notifyctl: exit codes, argument checks, output formats, and the client
# against an in-test ZeroMQ responder.
add_executable(unit_cli
  test_cli_args.cpp
  test_cli_calendar.cpp
  test_cli_client.cpp
  test_cli_config_secrets.cpp
  test_cli_config_types.cpp
  test_cli_fanout.cpp
  test_cli_output.cpp
  test_cli_replies.cpp
  test_cli_schedule.cpp
  test_cli_template.cpp
  test_cli_template_manage.cpp
  test_cli_transport.cpp
  test_cli_user.cpp
)
target_link_libraries(unit_cli PRIVATE catch_main notifyctl_lib cppzmq Threads::Threads)
# `config check` runs notify-channel-worker --check, found beside unit_cli.
add_dependencies(unit_cli notify-channel-worker)
# It checks phone numbers as notifyctl does, through the phone module.
set_target_properties(unit_cli PROPERTIES NOTIFY_LOADS_PHONE_MODULE ON)
# the starter templates in templates/ are imported by the tests
target_compile_definitions(unit_cli PRIVATE NOTIFY_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_test(NAME unit_cli COMMAND unit_cli)
