// fuzz_api.cpp - the seeded in-memory API of fuzz_api.hpp.
#include "fuzz_api.hpp"

#include <cstdlib>
#include <optional>

#include "util/log.hpp"

namespace notify::fuzz {

namespace {

void must(ingest::Api& api, const char* method, const char* path, const char* body) {
    std::optional<ingest::Response> out;
    api.handle({method, path, {}, body, {}, true, {}},
               [&](ingest::Response r) { out = std::move(r); });
    if (!out || out->status >= 300) {
        log::write(log::Level::error, "", std::string("fuzz seed failed: ") + path);
        std::abort();
    }
}

}  // namespace

std::unique_ptr<ingest::test::InMemoryApi> seeded_api() {
    log::set_level(log::Level::error);
    auto c = parse_config(ingest::test::ingest_config_text(), "fuzz.toml");
    if (!c) std::abort();
    auto api = std::make_unique<ingest::test::InMemoryApi>(*c, 0);
    must(
        *api->api, "PUT", "/v1/templates/welcome",
        R"({"subject":"Hi {{user.name}}","text":"{{#items}}- {{name}}: {{qty}}\n{{/items}}{{^items}}none{{/items}}"})");
    must(
        *api->api, "POST", "/v1/users",
        R"({"id":"ann","name":"Ann","email":"ann@example.com","phone":"+8613800138000","groups":["ops"]})");
    return api;
}

}  // namespace notify::fuzz
