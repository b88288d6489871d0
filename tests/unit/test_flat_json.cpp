// test_flat_json.cpp - the fast reader of flat JSON objects: it reads what it
// takes exactly as nlohmann's parser does, and refuses the rest (the caller
// then uses the whole parser). Checked on chosen texts and on many random
// ones and their mutations, against nlohmann.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "flat_json_check.hpp"
#include "util/flat_json.hpp"

using namespace notify;
using nlohmann::json;

using testing::same_as_nlohmann;

TEST_CASE("A flat object is read as nlohmann reads it") {
    for (const char* text : {
             R"({})",
             R"( { } )",
             R"({"type":"job","attempt":1,"ok":true,"no":false,"none":null})",
             R"({"s":"a\"b\\c\/d\b\f\n\r\t","u":"\u00e9\u4f60\ud83d\udd14","e":""})",
             "{\"raw\":\"\xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x94\x94\"}",
             R"({"max":9223372036854775807,"min":-9223372036854775808,"zero":0,"neg":-0})",
             R"({"list":["a","b\n"],"empty":[]})",
             R"({"dup":"first","dup":"last"})",
             " {\n\t\"spaced\" : \"out\" ,\r\n \"n\" : 12 } ",
         }) {
        INFO(text);
        auto flat = util::read_flat_object(text);
        REQUIRE(flat);
        CHECK(same_as_nlohmann(*flat, std::string(text)));
    }
    auto flat = util::read_flat_object(R"({"dup":"first","n":7,"dup":"last"})");
    REQUIRE(flat);
    CHECK(flat->text("dup") == "last");
    CHECK(flat->integer("n") == 7);
    CHECK(flat->integer("dup", -1) == -1);
    CHECK(flat->text("n").empty());
    CHECK(flat->find("absent") == nullptr);
}

TEST_CASE("What is not a flat object, or not JSON, is left to the whole parser") {
    for (const std::string& text : {
             std::string(""),
             std::string("[]"),
             std::string("\"s\""),
             std::string("{"),
             std::string(R"({"a":{"b":1}})"),  // nested object
             std::string(R"({"a":[1]})"),      // array of numbers
             std::string(R"({"a":1.5})"),
             std::string(R"({"a":1e3})"),
             std::string(R"({"a":9223372036854775808})"),  // past int64
             std::string(R"({"a":-9223372036854775809})"),
             std::string(R"({"a":01})"),
             std::string(R"({"a":-})"),
             std::string(R"({"a":+1})"),
             std::string(R"({"a":"\ud83d"})"),  // a high surrogate alone
             std::string(R"({"a":"\udd14"})"),  // a low surrogate alone
             std::string(R"({"a":"\x"})"),
             std::string(R"({"a":"\u12"})"),
             std::string("{\"a\":\"\xff\"}"),       // not UTF-8
             std::string("{\"a\":\"\xc0\xaf\"}"),   // overlong
             std::string("{\"a\":\"tab\there\"}"),  // a raw control character
             std::string(R"({"a":"open})"),
             std::string(R"({"a":1,})"),
             std::string(R"({,})"),
             std::string(R"({"a" 1})"),
             std::string(R"({a:1})"),
             std::string(R"({"a":1} x)"),
             std::string(R"({"a":tru})"),
             std::string(R"({"a":nul})"),
         }) {
        INFO(text);
        CHECK_FALSE(util::read_flat_object(text));
    }
}

TEST_CASE("Random flat objects and their mutations: taken only as nlohmann reads them") {
    std::mt19937 rng(20261205);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    const std::vector<std::string> pieces = {
        "a", "\xc3\xa9", "\xe4\xbd\xa0", "\xf0\x9f\x94\x94", "\"", "\\", "\n", "\x01", "/",
        " ", "z9"};
    auto random_text = [&] {
        std::string t;
        for (int k = pick(6); k > 0; --k) t += pieces[static_cast<std::size_t>(pick(11))];
        return t;
    };
    int taken_mutants = 0;
    for (int round = 0; round < 3000; ++round) {
        json j = json::object();
        for (int m = pick(6); m > 0; --m) {
            const std::string name = random_text();
            switch (pick(5)) {
                case 0:
                    j[name] = random_text();
                    break;
                case 1: {
                    const std::int64_t v = static_cast<std::int64_t>(rng()) << pick(30);
                    j[name] = pick(2) ? v : -v;
                    break;
                }
                case 2:
                    j[name] = pick(2) == 0;
                    break;
                case 3:
                    j[name] = nullptr;
                    break;
                default:
                    j[name] = std::vector<std::string>{random_text(), random_text()};
            }
        }
        const std::string text = j.dump(pick(2) ? -1 : 1);
        auto flat = util::read_flat_object(text);
        INFO(text);
        REQUIRE(flat);
        REQUIRE(same_as_nlohmann(*flat, text));
        // A byte changed, dropped or doubled: refused, or read as nlohmann reads it.
        std::string mutant = text;
        const std::size_t at = static_cast<std::size_t>(pick(static_cast<int>(text.size())));
        switch (pick(3)) {
            case 0:
                mutant[at] = static_cast<char>(pick(256));
                break;
            case 1:
                mutant.erase(at, 1);
                break;
            default:
                mutant.insert(at, 1, mutant[at]);
        }
        INFO(mutant);
        if (auto m = util::read_flat_object(mutant)) {
            ++taken_mutants;
            CHECK(same_as_nlohmann(*m, mutant));
        }
    }
    CHECK(taken_mutants > 0);
}
