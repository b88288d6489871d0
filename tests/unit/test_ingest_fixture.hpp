// Shared by the ingest unit tests: a configuration with one channel of each
// recipient rule.
#pragma once

#include <catch2/catch.hpp>

#include "config.hpp"
#include "ingest_in_memory.hpp"
#include "util/log.hpp"

inline notify::Config ingest_test_config(const std::string& extra = {}) {
    notify::log::set_level(notify::log::Level::warning);  // keep test output readable
    auto c = notify::parse_config(notify::ingest::test::ingest_config_text(extra), "test.toml");
    REQUIRE(c);
    return *c;
}
