add_executable(unit_router
  ${CMAKE_CURRENT_LIST_DIR}/test_breakers.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_early_receipts.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_notification_facts.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_provider_choice.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_rate_limiter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_ready_queues.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_retry_policy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_rollup.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_schedule_store.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_sleepers.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_transition_log.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_router_fanout.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_router_gate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_router_holds.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_router_lease.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_router_metrics.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_router_partitions.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_router_personalize.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_router_providers.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_worker_deaths.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_zmq_again.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mariadb_server.cpp
)
target_link_libraries(unit_router PRIVATE catch_main notify_router notify_report cppzmq Threads::Threads PkgConfig::SQLITE3)
add_test(NAME unit_router COMMAND unit_router)
# Every router test again with its store on a MariaDB server of the tests' own.
add_test(NAME unit_router_on_mariadb COMMAND unit_router)
set_tests_properties(unit_router_on_mariadb PROPERTIES ENVIRONMENT NOTIFY_TEST_STORE=mariadb)
