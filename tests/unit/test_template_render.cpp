// test_template_render.cpp - escape modes, missing variables, partial sources,
// the render budget, and the cost of one render and of one parse.
#include <catch2/catch.hpp>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "template/escape.hpp"
#include "template/template.hpp"
#include "test_speed.hpp"

using namespace notify;
using json = nlohmann::json;

namespace {

std::string render(const std::string& text, const json& data,
                   tmpl::Escape mode = tmpl::Escape::html,
                   std::vector<std::string>* missing = nullptr) {
    auto parsed = tmpl::Template::parse(text);
    REQUIRE(parsed);
    tmpl::RenderOptions options;
    options.escape = mode;
    options.missing = missing;
    auto out = tmpl::render(*parsed, data, options);
    REQUIRE(out);
    return *out;
}

}  // namespace

TEST_CASE("interpolations are escaped for the chosen output") {
    const json data = {{"v", "a&b <c> \"d\" 'e' \\ \n\t\x01 \u2028"}};
    SECTION("html escapes markup characters and the apostrophe") {
        CHECK(render("{{v}}", data) ==
              "a&amp;b &lt;c&gt; &quot;d&quot; &#39;e&#39; \\ \n\t\x01 \u2028");
    }
    SECTION("none copies the value as it is") {
        CHECK(render("{{v}}", data, tmpl::Escape::none) == data["v"].get<std::string>());
    }
    SECTION("json makes the value safe inside a string literal") {
        const std::string out = render("{\"text\": \"{{v}}\"}", data, tmpl::Escape::json);
        CHECK(out == "{\"text\": \"a&b <c> \\\"d\\\" 'e' \\\\ \\n\\t\\u0001 \\u2028\"}");
        CHECK(json::parse(out)["text"] == data["v"]);
    }
    SECTION("triple mustache and ampersand never escape") {
        for (auto mode : {tmpl::Escape::html, tmpl::Escape::json}) {
            CHECK(render("{{{v}}}|{{& v}}", json{{"v", "<\"x\">"}}, mode) == "<\"x\">|<\"x\">");
        }
    }
    SECTION("numbers, booleans and null print plainly") {
        CHECK(render("{{i}} {{u}} {{f}} {{t}} {{n}}.",
                     json{{"i", -3}, {"u", 7u}, {"f", 1.5}, {"t", true}, {"n", nullptr}}) ==
              "-3 7 1.5 true .");
    }
}

TEST_CASE("append_escaped keeps multi-byte text intact") {
    std::string out;
    tmpl::append_escaped(out, "héllo — ünïcode", tmpl::Escape::json);
    CHECK(out == "héllo — ünïcode");
    out.clear();
    tmpl::append_escaped(out, "<é>", tmpl::Escape::html);
    CHECK(out == "&lt;é&gt;");
}

TEST_CASE("variables that resolve to nothing render empty and are reported") {
    std::vector<std::string> missing;
    const json data = {{"user", {{"name", "Ada"}}}, {"empty", nullptr}, {"list", {1, 2}}};
    const std::string out = render(
        "{{user.name}}{{a}}{{user.mail}}{{empty}}{{#list}}{{a}}{{.}}{{/list}}"
        "{{#nope}}{{hidden}}{{/nope}}{{^nope}}{{&b.c}}{{/nope}}",
        data, tmpl::Escape::html, &missing);
    CHECK(out == "Ada12");
    // null is a value, not a miss; names inside skipped sections are not used.
    CHECK(missing == std::vector<std::string>{"a", "user.mail", "b.c"});
    CHECK(tmpl::missing_message(missing) == "missing variables: a, user.mail, b.c");
}

TEST_CASE("a partial may be handed over already parsed") {
    auto header = tmpl::Template::parse("Hi {{name}}!\n");
    REQUIRE(header);
    auto page = tmpl::Template::parse("  {{>header}}body\n{{>absent}}");
    REQUIRE(page);
    int loads = 0;
    tmpl::RenderOptions options;
    options.partials = [&](const std::string& name) -> std::optional<tmpl::PartialSource> {
        ++loads;
        if (name == "header") return tmpl::PartialSource{*header};
        return std::nullopt;
    };
    auto out = tmpl::render(*page, json{{"name", "Ada"}}, options);
    REQUIRE(out);
    CHECK(*out == "  Hi Ada!\nbody\n");
    CHECK(loads == 2);
}

TEST_CASE("a partial used many times in one render is loaded once") {
    auto page = tmpl::Template::parse("{{#items}}{{>item}}{{/items}}");
    REQUIRE(page);
    int loads = 0;
    tmpl::RenderOptions options;
    options.partials = [&](const std::string&) -> std::optional<tmpl::PartialSource> {
        ++loads;
        return tmpl::PartialSource{std::string("[{{.}}]")};
    };
    auto out = tmpl::render(*page, json{{"items", {1, 2, 3}}}, options);
    REQUIRE(out);
    CHECK(*out == "[1][2][3]");
    CHECK(loads == 1);
}

TEST_CASE("a render budget stops sections that multiply over long lists") {
    // Five sections deep over a list of 100: 10^10 steps unbounded.
    auto nested =
        tmpl::Template::parse("{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}x{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}");
    REQUIRE(nested);
    const json data = {{"a", std::vector<int>(100, 1)}};
    tmpl::RenderOptions options;
    SECTION("steps are counted, also for sections with nothing inside") {
        options.max_nodes = 10000;
        auto out = tmpl::render(*nested, data, options);
        REQUIRE_FALSE(out);
        CHECK(out.error().code == "render_too_large");
        CHECK(out.error().kind == ErrorKind::too_large);
        CHECK(out.error().message.find("10000 steps") != std::string::npos);
        auto empty = tmpl::Template::parse("{{#a}}{{#a}}{{#a}}{{#a}}{{/a}}{{/a}}{{/a}}{{/a}}");
        REQUIRE(empty);
        CHECK_FALSE(tmpl::render(*empty, data, options));
    }
    SECTION("output is bounded") {
        options.max_output = 1000;
        auto out = tmpl::render(*nested, data, options);
        REQUIRE_FALSE(out);
        CHECK(out.error().message.find("1000 bytes") != std::string::npos);
    }
    SECTION("what fits renders as without a budget") {
        options.max_nodes = 1000;
        options.max_output = 1000;
        auto small = tmpl::Template::parse("{{#a}}{{.}}{{/a}}");
        REQUIRE(small);
        auto out = tmpl::render(*small, data, options);
        REQUIRE(out);
        CHECK(*out == std::string(100, '1'));
    }
}

TEST_CASE("a parsed template renders a typical message in well under 10 microseconds") {
    auto parsed = tmpl::Template::parse(
        "Hello {{user.name}},\n\n"
        "{{#orders}}\n"
        "- order {{id}}: {{count}} item(s), {{total}} {{currency}}\n"
        "{{/orders}}\n"
        "{{^orders}}You have no open orders.{{/orders}}\n"
        "Questions? Write to {{support.email}}.\n");
    REQUIRE(parsed);
    const json data = {{"user", {{"name", "Ada <Lovelace>"}}},
                       {"currency", "EUR"},
                       {"support", {{"email", "help@example.org"}}},
                       {"orders",
                        {{{"id", "A-1"}, {"count", 2}, {"total", "19.90"}},
                         {{"id", "A-2"}, {"count", 1}, {"total", "5.00"}}}}};
    tmpl::RenderOptions options;
    CHECK(*tmpl::render(*parsed, data, options) ==
          "Hello Ada &lt;Lovelace&gt;,\n\n"
          "- order A-1: 2 item(s), 19.90 EUR\n"
          "- order A-2: 1 item(s), 5.00 EUR\n"
          "\n"
          "Questions? Write to help@example.org.\n");
    const int rounds = 20000;
    size_t bytes = 0;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < rounds; ++i) bytes += tmpl::render(*parsed, data, options)->size();
    auto elapsed = std::chrono::steady_clock::now() - start;
    double us = std::chrono::duration<double, std::micro>(elapsed).count() / rounds;
    WARN("one render of a " << bytes / rounds << "-byte message takes " << us << " us");
    CHECK(us < 10.0 * test::kSlowdown);
}

TEST_CASE("a long line of tags parses in time linear in its length") {
    // 50,000 tags on one 250 KB line: looking back to the line's start for each
    // tag took seconds (minutes at a megabyte); a linear parse takes milliseconds.
    std::string text;
    for (int i = 0; i < 50000; ++i) text += "{{a}}";
    auto start = std::chrono::steady_clock::now();
    auto parsed = tmpl::Template::parse(text);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    REQUIRE(parsed);
    CHECK(seconds < 1.0);
    CHECK(render("{{a}}{{a}}\n {{a}}", json{{"a", 1}}) == "11\n 1");
}
