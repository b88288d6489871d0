// test_template_spec.cpp - every case of the Mustache specification files.
//
// Prints "<file>: N of M cases pass" for each file when run with -s.
// NOTIFY_MUSTACHE_SPEC_DIR points at the specification's JSON files (shared/
// beside the repository). They are not part of the repository: without the
// directory the test prints "skipped: ..." with the reason, which CTest reports as
// a skip (the unit_template_spec test, tests/unit/template.cmake); a directory that
// lacks one of the files fails.
#include <catch2/catch.hpp>

#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "template/template.hpp"
#include "util/strings.hpp"

using namespace notify;
using json = nlohmann::json;

namespace {

// Renders one specification case; returns the output or "error: ..." text.
std::string run_case(const json& test) {
    auto parsed = tmpl::Template::parse(test.at("template").get<std::string>());
    if (!parsed) return "error: " + parsed.error().message;
    std::map<std::string, std::string> partials;
    if (test.contains("partials")) partials = test.at("partials").get<decltype(partials)>();
    tmpl::RenderOptions options;
    options.partials = [&](const std::string& name) -> std::optional<tmpl::PartialSource> {
        auto found = partials.find(name);
        if (found == partials.end()) return std::nullopt;
        return tmpl::PartialSource{found->second};
    };
    auto out = tmpl::render(*parsed, test.at("data"), options);
    if (!out) return "error: " + out.error().message;
    return *out;
}

// Optional inheritance cases the engine does not meet yet: block content is not
// re-indented from its definition to its expansion site. Each must still fail,
// so this list shrinks as soon as one is fixed.
const std::set<std::string> known_gaps = {
    "~inheritance.json: Standalone block",
    "~inheritance.json: Block reindentation",
    "~inheritance.json: Intrinsic indentation",
    "~inheritance.json: Nested block reindentation",
};

}  // namespace

TEST_CASE("every case of the mustache specification renders as expected", "[spec]") {
    namespace fs = std::filesystem;
    const fs::path dir = NOTIFY_MUSTACHE_SPEC_DIR;
    if (!fs::is_directory(dir)) {
        std::cout << "skipped: the Mustache specification is not in " << dir.string()
                  << " (configure with -DNOTIFY_CONFORMANCE_DIR=DIR holding mustache/*.json)\n";
        return;
    }
    INFO("specification directory: " << dir.string());

    const std::set<std::string> required = {
        "comments.json", "delimiters.json", "interpolation.json", "inverted.json",
        "partials.json", "sections.json",   "~inheritance.json"};
    std::set<std::string> seen;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() != ".json") continue;
        const std::string file = entry.path().filename().string();
        seen.insert(file);
        std::string text;
        REQUIRE(util::read_file(entry.path().string(), text));
        const json spec = json::parse(text);
        REQUIRE(spec.contains("tests"));
        size_t passed = 0;
        size_t gaps = 0;
        for (const json& test : spec.at("tests")) {
            const std::string name = test.at("name").get<std::string>();
            const std::string expected = test.at("expected").get<std::string>();
            const std::string got = run_case(test);
            const bool gap = known_gaps.count(file + ": " + name) == 1;
            INFO(file << ": " << name << (gap ? " (known gap)" : "") << "\n  template: "
                      << test.at("template").dump() << "\n  expected: " << json(expected).dump()
                      << "\n  got:      " << json(got).dump());
            if (gap) {
                CHECK(got != expected);
            } else {
                CHECK(got == expected);
            }
            if (got == expected) ++passed;
            if (gap) ++gaps;
        }
        INFO(file << ": " << passed << " of " << spec.at("tests").size() << " cases pass");
        CHECK(passed + gaps == spec.at("tests").size());
    }
    for (const auto& file : required) {
        INFO("specification file missing: " << (dir / file).string());
        CHECK(seen.count(file) == 1);
    }
}
