# unit_ingest: recipient checks, request validation, idempotency hashing, group
# commit and the API core end to end against an in-memory store (no sockets).
add_executable(unit_ingest
  ${CMAKE_CURRENT_LIST_DIR}/test_ingest_address.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_ingest_request.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_schedule_request.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_ingest_commit.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_ingest_api.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_router_replies.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_ingest_metrics.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_ingest_web_session.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_ingest_ownership.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_ingest_directory.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_ingest_transport.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_ingest_control.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_ingest_fanout.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_unsubscribe_link.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_ingest_templates.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_ingest_inbox.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mariadb_server.cpp
)
target_link_libraries(unit_ingest PRIVATE catch_main notify_ingest_daemon PkgConfig::SQLITE3)
add_test(NAME unit_ingest COMMAND unit_ingest)
