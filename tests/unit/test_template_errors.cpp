// test_template_errors.cpp - syntax errors name the fault, its line and column.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "template/template.hpp"

using namespace notify;

namespace {

// The message of the syntax error `text` must produce.
std::string syntax_error(const std::string& text) {
    auto parsed = tmpl::Template::parse(text);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().kind == ErrorKind::invalid);
    CHECK(parsed.error().code == "template_syntax");
    return parsed.error().message;
}

}  // namespace

TEST_CASE("an unclosed section is reported at its opening tag") {
    CHECK(syntax_error("Hello\n\nfor {{#items}}{{name}}\n") ==
          "line 3, column 5: unclosed section 'items'");
    CHECK(syntax_error("{{^none}}") == "line 1, column 1: unclosed section 'none'");
    CHECK(syntax_error("{{<parent}}{{$block}}{{/block}}") ==
          "line 1, column 1: unclosed section 'parent'");
}

TEST_CASE("a closing tag must match the innermost open section") {
    CHECK(syntax_error("{{#a}}\n  {{#b}}{{/a}}{{/b}}") ==
          "line 2, column 9: mismatched closing tag 'a', expected 'b'");
    CHECK(syntax_error("x {{/a}}") == "line 1, column 3: closing tag 'a' has no section");
}

TEST_CASE("a tag without its closing delimiter is reported") {
    CHECK(syntax_error("Dear {{name\nthanks") == "line 1, column 6: unclosed tag '{{'");
    CHECK(syntax_error("a\n {{{raw}}") == "line 2, column 2: unclosed tag '{{'");
    CHECK(syntax_error("{{=<% %>=}}\n<%x") == "line 2, column 1: unclosed tag '<%'");
    CHECK(syntax_error("{{ }}") == "line 1, column 1: empty tag name");
}

TEST_CASE("a bad delimiter change is reported") {
    CHECK(syntax_error("ok\n{{=<%=}}") == "line 2, column 1: bad delimiter change '<%'");
    CHECK(syntax_error("{{=<% % %>=}}") == "line 1, column 1: bad delimiter change '<% % %>'");
    CHECK(syntax_error("{{=a= b=}}") == "line 1, column 1: bad delimiter change 'a= b'");
}

TEST_CASE("a syntax error in a partial fails the render and names the partial") {
    auto parsed = tmpl::Template::parse("before {{>footer}} after");
    REQUIRE(parsed);
    tmpl::RenderOptions options;
    options.partials = [](const std::string&) -> std::optional<tmpl::PartialSource> {
        return tmpl::PartialSource{std::string("\n{{#x}}")};
    };
    auto out = tmpl::render(*parsed, nlohmann::json::object(), options);
    REQUIRE_FALSE(out);
    CHECK(out.error().code == "template_syntax");
    CHECK(out.error().message == "partial 'footer': line 2, column 1: unclosed section 'x'");
}

TEST_CASE("a partial that includes itself forever fails instead of overflowing") {
    auto parsed = tmpl::Template::parse("{{>loop}}");
    REQUIRE(parsed);
    tmpl::RenderOptions options;
    options.partials = [](const std::string&) -> std::optional<tmpl::PartialSource> {
        return tmpl::PartialSource{std::string("x{{>loop}}")};
    };
    auto out = tmpl::render(*parsed, nlohmann::json::object(), options);
    REQUIRE_FALSE(out);
    CHECK(out.error().code == "template_depth");
    CHECK(out.error().message ==
          "partials nest deeper than 100 levels at 'loop'; is a partial recursive?");
}

namespace {

std::string nested_sections(int levels, const std::string& inside = "x") {
    std::string text;
    for (int i = 0; i < levels; ++i) text += "{{#a}}";
    text += inside;
    for (int i = 0; i < levels; ++i) text += "{{/a}}";
    return text;
}

}  // namespace

TEST_CASE("sections nest at most max_section_depth deep, checked when parsed") {
    SECTION("up to the limit parses and renders") {
        auto parsed = tmpl::Template::parse(nested_sections(tmpl::max_section_depth));
        REQUIRE(parsed);
        CHECK(*tmpl::render(*parsed, nlohmann::json{{"a", true}}) == "x");
    }
    SECTION("one more is a syntax error at the tag that goes too deep") {
        CHECK(syntax_error(nested_sections(tmpl::max_section_depth + 1)) ==
              "line 1, column 385: sections nest deeper than 64 levels");
        CHECK(syntax_error("{{<p}}\n" + std::string(70, ' ') + nested_sections(64)) ==
              "line 2, column 449: sections nest deeper than 64 levels");
    }
    SECTION("20,000 levels are refused, not stored to crash every send") {
        CHECK(syntax_error(nested_sections(20000)) ==
              "line 1, column 385: sections nest deeper than 64 levels");
    }
}

TEST_CASE("partials that stack deep sections fail the render instead of overflowing") {
    auto parsed = tmpl::Template::parse("{{>loop}}");
    REQUIRE(parsed);
    tmpl::RenderOptions options;
    options.partials = [](const std::string&) -> std::optional<tmpl::PartialSource> {
        return tmpl::PartialSource{nested_sections(60, "{{>loop}}")};
    };
    auto out = tmpl::render(*parsed, nlohmann::json{{"a", true}}, options);
    REQUIRE_FALSE(out);
    CHECK(out.error().code == "template_depth");
    CHECK(out.error().message == "sections nest deeper than 256 levels through partials");
}
