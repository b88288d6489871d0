// fuzz_request.cpp - a notification request body through what the door checks
// before anything is stored (request_body.cpp, request.cpp, recipients.cpp):
// the JSON read with the size limit, every field validated, the template
// "welcome" rendered, users and groups looked up, and the idempotency hash.
// The store is made once and only read.
#include <nlohmann/json.hpp>

#include "door.hpp"
#include "fuzz_api.hpp"
#include "store/directory_store.hpp"

using namespace notify;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static auto api = fuzz::seeded_api();
    static ingest::StoredTemplates templates(*api->store, "en");
    static store::DirectoryStore directory(*api->store);

    std::string text(reinterpret_cast<const char*>(data), size);
    auto body = ingest::parse_sized_body(text, 1 << 20);
    if (!body) return 0;
    ingest::RequestContext ctx{&api->config, 1767225600000, "fuzz", &templates, &directory};
    auto accepted = ingest::build_notification(*body, ctx);
    if (accepted && body->is_object()) (void)ingest::request_hash(*body);
    return 0;
}
