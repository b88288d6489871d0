// Shared by the ingest unit tests: a configuration with one channel of each
// recipient rule.
#pragma once

#include <catch2/catch.hpp>

#include "config.hpp"
#include "util/log.hpp"

inline notify::Config ingest_test_config(const std::string& extra = {}) {
    notify::log::set_level(notify::log::Level::warning);  // keep test output readable
    auto c = notify::parse_config(R"(
[ingest]
max_recipients = 3
batch_max = 4
max_body_bytes = 2048
)" + extra + R"(
[providers.mail]
type = "smtp"
url = "smtp://127.0.0.1:2525"
[providers.sms]
type = "twilio"
[providers.hook]
type = "webhook"
[providers.out]
type = "file"
path = "/tmp/outbox.jsonl"
[channels.email]
providers = ["mail"]
[channels.sms]
providers = ["sms"]
[channels.hook]
providers = ["hook"]
[channels.outbox]
providers = ["out"]
)",
                                  "test.toml");
    REQUIRE(c);
    return *c;
}
