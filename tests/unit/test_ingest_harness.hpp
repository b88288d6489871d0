// test_ingest_harness.hpp - the API core over an in-memory store for the ingest
// unit tests that need no router: commits happen on the caller's thread, and
// the router's control socket never answers ("router_unavailable").
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "api.hpp"
#include "test_ingest_fixture.hpp"

namespace notify::ingest::test {

class NoRouter : public RouterControl {
  public:
    void call(const std::string&, std::function<void(Expected<std::string>)> done) override {
        done(make_error(ErrorKind::unavailable, "router_unavailable", "no router in this test"));
    }
};

struct ApiHarness {
    Config config;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<SyncCommitter> committer;
    NoRouter control;
    Metrics metrics;
    std::unique_ptr<Api> api;

    // `extra_config`: lines for the [ingest] table of ingest_test_config.
    explicit ApiHarness(const std::string& extra_config, Millis key_cache_ttl = kKeyCacheTtl)
        : config(ingest_test_config(extra_config)) {
        config.store.path = ":memory:";
        auto s = store::Store::open(":memory:", {});
        REQUIRE(s);
        store = std::move(*s);
        committer = std::make_unique<SyncCommitter>(*store);
        api = std::make_unique<Api>(config, *store, *committer, control, metrics, key_cache_ttl);
    }

    // The answer to `r`, which every route gives at once here.
    Response handle(Request r) {
        std::optional<Response> out;
        api->handle(r, [&](Response resp) { out = std::move(resp); });
        REQUIRE(out);
        return *out;
    }
};

}  // namespace notify::ingest::test
