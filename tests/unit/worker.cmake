# unit_worker: the channel adapters, MIME composition, outcomes and the registry.
add_executable(unit_worker
  test_channel_mime.cpp
  test_channel_webhook.cpp
  test_channel_outcome.cpp
  test_channel_registry.cpp
)
target_link_libraries(unit_worker PRIVATE catch_main notify_channels nlohmann_json::nlohmann_json)
add_test(NAME unit_worker COMMAND unit_worker)
