// test_ingest_harness.hpp - the API core over an in-memory store for the ingest
// unit tests that need no router (ingest_in_memory.hpp), answering through Catch2.
#pragma once

#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "ingest_in_memory.hpp"
#include "test_ingest_fixture.hpp"

namespace notify::ingest::test {

struct ApiHarness : InMemoryApi {
    // `extra_config`: lines for the [ingest] table of ingest_test_config.
    explicit ApiHarness(const std::string& extra_config, Millis key_cache_ttl = kKeyCacheTtl)
        : InMemoryApi(ingest_test_config(extra_config), key_cache_ttl) {}

    // The answer to `r`, which every route gives at once here.
    Response handle(Request r) {
        std::optional<Response> out;
        api->handle(r, [&](Response resp) { out = std::move(resp); });
        REQUIRE(out);
        return *out;
    }
};

}  // namespace notify::ingest::test
