// fuzz_template.cpp - the Mustache engine (common/template): parse any text,
// and render what parses against JSON data with partials, in each escaping.
// The input is "TEMPLATE\0DATA\0PARTIAL": DATA is JSON (an object of sample
// values when it is missing or not JSON) and every partial's text is PARTIAL.
// A template that parses renders without an error unless a partial fails or
// something nests too deep.
#include <nlohmann/json.hpp>

#include "fuzz_input.hpp"
#include "template/template.hpp"

using namespace notify;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto parts = fuzz::split_input(data, size, 3);
    auto tmpl = tmpl::Template::parse(parts[0]);
    if (!tmpl) return 0;

    nlohmann::json values = nlohmann::json::parse(parts.size() > 1 ? parts[1] : "", nullptr, false);
    if (values.is_discarded())
        values = {{"name", "Ann <ann@example.com>"},
                  {"items", {{{"name", "a"}, {"qty", 1}}, {{"name", "b"}, {"qty", 2.5}}}},
                  {"flag", true},
                  {"user", {{"name", "Ann"}, {"locale", "en"}}}};
    std::string partial = parts.size() > 2 ? std::string(parts[2]) : "[{{name}}]";

    std::vector<std::string> missing;
    tmpl::RenderOptions options;
    options.partials = [&](const std::string&) -> std::optional<tmpl::PartialSource> {
        return partial;
    };
    options.missing = &missing;
    for (auto escape : {tmpl::Escape::html, tmpl::Escape::none, tmpl::Escape::json}) {
        options.escape = escape;
        auto out = tmpl::render(*tmpl, values, options);
        if (!out) {
            // Only partials (a syntax error, nesting too deep) or a depth limit
            // may make a parsed template fail to render.
            bool explained = out.error().code.find("depth") != std::string::npos ||
                             !tmpl::Template::parse(partial);
            if (!explained) std::abort();
        }
        if (out && escape == tmpl::Escape::json && !missing.empty())
            (void)tmpl::missing_message(missing);
    }
    return 0;
}
