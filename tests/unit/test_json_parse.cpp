// test_json_parse.cpp - the bounded JSON parser: what it refuses and how it names
// the field at fault, and that nothing it accepts can be deeper than its limit.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "util/json_parse.hpp"

using namespace notify;

namespace {

// `levels` arrays, one inside the other, around 1.
std::string nested_arrays(size_t levels) {
    return std::string(levels, '[') + "1" + std::string(levels, ']');
}

}  // namespace

TEST_CASE("JSON nested deeper than the limit is refused, naming the field") {
    SECTION("up to the limit is accepted, one more level is not") {
        auto at_limit = util::parse_json(nested_arrays(util::kMaxJsonDepth));
        REQUIRE(at_limit);
        CHECK(at_limit->is_array());
        auto over = util::parse_json(nested_arrays(util::kMaxJsonDepth + 1));
        REQUIRE_FALSE(over);
        CHECK(over.error().kind == ErrorKind::invalid);
        CHECK(over.error().code == "too_deep");
        CHECK(over.error().field.empty());
        CHECK(over.error().message == "the JSON nests arrays and objects deeper than 64 levels");
    }
    SECTION("100,000 levels are refused without recursion") {
        std::string text = R"({"channel":"hook","data":)" + nested_arrays(100000) + "}";
        auto deep = util::parse_json(text, {.what = "the body"});
        REQUIRE_FALSE(deep);
        CHECK(deep.error().code == "too_deep");
        CHECK(deep.error().field == "data");
        CHECK(deep.error().message == "'data' nests arrays and objects deeper than 64 levels");
        auto ordered = util::parse_ordered_json(text);
        REQUIRE_FALSE(ordered);
        CHECK(ordered.error().code == "too_deep");
        CHECK(util::json_or_discarded(text).is_discarded());
        CHECK(util::ordered_json_or_discarded(text).is_discarded());
    }
    SECTION("the field is the outermost member that holds the nesting") {
        std::string batch =
            R"({"notifications":[{"body":"ok"},{"data":{"a":)" + nested_arrays(200) + "}}]}";
        auto deep = util::parse_json(batch);
        REQUIRE_FALSE(deep);
        CHECK(deep.error().field == "notifications[1].data.a");
    }
    SECTION("a tighter limit is the caller's") {
        CHECK(util::parse_json("[[1]]", {.max_depth = 2}));
        CHECK_FALSE(util::parse_json("[[[1]]]", {.max_depth = 2}));
    }
}

TEST_CASE("a number too large for a double is refused, naming the field") {
    auto big = util::parse_json(R"({"data":{"n":1e400}})");
    REQUIRE_FALSE(big);
    CHECK(big.error().kind == ErrorKind::invalid);
    CHECK(big.error().code == "number_out_of_range");
    CHECK(big.error().field == "data.n");
    CHECK(big.error().message.find("'data.n' holds a number too large") == 0);
    std::string long_number = R"({"n":1)" + std::string(100000, '0') + "e400}";
    auto longer = util::parse_json(long_number);
    REQUIRE_FALSE(longer);
    CHECK(longer.error().message.size() < 200);
}

TEST_CASE("the size limit and syntax errors") {
    SECTION("over max_bytes is refused before parsing") {
        auto big = util::parse_json(R"({"a":"0123456789"})", {.max_bytes = 8, .what = "the job"});
        REQUIRE_FALSE(big);
        CHECK(big.error().kind == ErrorKind::too_large);
        CHECK(big.error().message == "the job of 18 bytes is over the limit of 8");
    }
    SECTION("a syntax error gives its byte, and quotes no long token") {
        auto bad = util::parse_json(R"({"a":)");
        REQUIRE_FALSE(bad);
        CHECK(bad.error().code == "malformed_json");
        CHECK(bad.error().message.find("malformed JSON at byte ") == 0);
        auto unterminated = util::parse_json("{\"a\":\"" + std::string(1 << 20, 'x'));
        REQUIRE_FALSE(unterminated);
        CHECK(unterminated.error().message.size() < 1024);
    }
    SECTION("a string that is not UTF-8 names its field") {
        auto bad = util::parse_json("{\"a\":[\"\xff\"]}", {.what = "the line"});
        REQUIRE_FALSE(bad);
        CHECK(bad.error().code == "invalid_utf8");
        CHECK(bad.error().field == "a[0]");
        CHECK(bad.error().message ==
              "'a[0]' is not valid UTF-8 (byte 0xff at offset 7 of the line)");
    }
    SECTION("ordinary JSON is read as nlohmann reads it") {
        auto j = util::parse_ordered_json(R"({"b":1,"a":[true,null,"x",2.5]})");
        REQUIRE(j);
        CHECK(j->dump() == R"({"b":1,"a":[true,null,"x",2.5]})");
    }
}
