// ingest_in_memory.hpp - the ingest API core over an in-memory store, with no
// Catch2 in it, for the unit tests (test_ingest_fixture.hpp,
// test_ingest_harness.hpp) and the fuzz targets (tests/fuzz): a configuration
// with one channel of each recipient rule, commits on the caller's thread, and
// a router control socket that never answers ("router_unavailable").
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "api.hpp"
#include "config.hpp"

namespace notify::ingest::test {

// The TOML of the test configuration; `extra` holds lines for its [ingest] table.
inline std::string ingest_config_text(const std::string& extra = {}) {
    return R"(
[ingest]
max_recipients = 3
batch_max = 4
max_body_bytes = 2048
)" + extra +
           R"(
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
)";
}

class NoRouter : public RouterControl {
  public:
    void call(const std::string&, std::function<void(Expected<std::string>)> done) override {
        done(make_error(ErrorKind::unavailable, "router_unavailable", "no router in this test"));
    }
};

// Every route answers at once here: writes commit synchronously and the router
// is never there.
struct InMemoryApi {
    Config config;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<SyncCommitter> committer;
    NoRouter control;
    Metrics metrics;
    std::unique_ptr<Api> api;

    explicit InMemoryApi(Config c, Millis key_cache_ttl = kKeyCacheTtl) : config(std::move(c)) {
        config.store.path = ":memory:";
        auto s = store::Store::open(":memory:", {});
        if (!s) throw std::runtime_error("cannot open an in-memory store: " + s.error().message);
        store = std::move(*s);
        committer = std::make_unique<SyncCommitter>(*store);
        api = std::make_unique<Api>(config, *store, *committer, control, metrics, key_cache_ttl);
    }
};

}  // namespace notify::ingest::test
