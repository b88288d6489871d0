// fuzz_http_api.cpp - the ingest API core (api.cpp and its routes) with any
// request, as the HTTP transport hands it over. The input is written like an
// HTTP request: "METHOD PATH?QUERY" on the first line, header lines up to an
// empty line (only Authorization counts; without it the request comes from the
// trusted ipc socket), then the body. Each input gets a fresh in-memory store.
// Every request must be answered exactly once, with a status the API documents
// and no 500 "internal" (an exception escaped a handler).
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "fuzz_api.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

using namespace notify;

namespace {

std::string_view next_line(std::string_view& in) {
    size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

ingest::Request parse_request(std::string_view in) {
    ingest::Request r;
    std::string_view first = next_line(in);
    size_t sp = first.find(' ');
    r.method = std::string(first.substr(0, sp));
    std::string_view target = sp == std::string_view::npos ? "" : first.substr(sp + 1);
    target = target.substr(0, target.find(' '));  // " HTTP/1.1"
    size_t q = target.find('?');
    r.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos)
        for (const auto& kv : util::split(std::string(target.substr(q + 1)), '&')) {
            size_t eq = kv.find('=');
            r.query[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
        }
    r.trusted = true;
    for (std::string_view h = next_line(in); !h.empty(); h = next_line(in))
        if (util::starts_with(std::string(h), "Authorization: ")) {
            r.authorization = std::string(h.substr(15));
            r.trusted = false;
        }
    r.body = std::string(in);
    return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto api = fuzz::seeded_api();
    ingest::Request req =
        parse_request(std::string_view(reinterpret_cast<const char*>(data), size));
    int answers = 0;
    api->api->handle(req, [&](ingest::Response r) {
        ++answers;
        if (r.status < 200 || r.status >= 600 || r.status == 500) {
            notify::log::write(
                notify::log::Level::error, "",
                "fuzz: status " + std::to_string(r.status) + " " + notify::log::clip(r.body));
            std::abort();
        }
        if (r.content_type == "application/json" && !r.body.empty())
            (void)nlohmann::json::parse(r.body);  // throws (and so crashes) on bad JSON
    });
    if (answers != 1) std::abort();
    return 0;
}
