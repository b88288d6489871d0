# unit_worker: the channel adapters, MIME composition, outcomes and the registry.
add_executable(unit_worker
  test_channel_mime.cpp
  test_channel_webhook.cpp
  test_channel_outcome.cpp
  test_channel_attempt_result.cpp
  test_channel_registry.cpp
  test_channel_dingtalk_robot.cpp
  test_channel_dingtalk_work_notice.cpp
  test_channel_wecom_robot.cpp
  test_channel_wecom_app.cpp
  test_channel_feishu.cpp
  test_channel_aliyun_sms.cpp
  test_channel_tencent_sms.cpp
  test_channel_twilio.cpp
  test_channel_receipts.cpp
  test_channel_wechat.cpp
  test_channel_onebot.cpp
  test_channel_slack.cpp
  test_channel_telegram.cpp
  test_channel_push.cpp
  test_channel_vendor_common.cpp
)
target_link_libraries(unit_worker PRIVATE catch_main notify_channels nlohmann_json::nlohmann_json)
add_test(NAME unit_worker COMMAND unit_worker)
