// util/line_diff: the lines two texts differ in, marked as `diff` marks them,
// and the bound on what is compared line by line.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "util/line_diff.hpp"

using namespace notify::util;

namespace {

// The diff as `diff -u` writes its body: " same", "-removed", "+added".
std::vector<std::string> shown(const LineDiff& d) {
    std::vector<std::string> out;
    for (const auto& l : d.lines)
        out.push_back((l.change == LineChange::same      ? " "
                       : l.change == LineChange::removed ? "-"
                                                         : "+") +
                      l.text);
    return out;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("lines end at a newline and a final one starts no line", "[util]") {
    CHECK(split_lines("").empty());
    CHECK(split_lines("a") == std::vector<std::string_view>{"a"});
    CHECK(split_lines("a\n") == std::vector<std::string_view>{"a"});
    CHECK(split_lines("a\n\nb") == std::vector<std::string_view>{"a", "", "b"});
    CHECK(split_lines("a\r\nb\n\n") == std::vector<std::string_view>{"a\r", "b", ""});
}

TEST_CASE("a line diff keeps a longest run of common lines", "[util]") {
    SECTION("the same text is all unchanged") {
        auto d = line_diff("a\nb\n", "a\nb\n");
        CHECK(shown(d) == Lines{" a", " b"});
        CHECK_FALSE(d.coarse);
    }
    SECTION("a changed line is removed then added, between unchanged ones") {
        CHECK(shown(line_diff("Hello {{name}}\nBye\n", "Hello {{name}}!\nBye\n")) ==
              Lines{"-Hello {{name}}", "+Hello {{name}}!", " Bye"});
    }
    SECTION("lines added and removed anywhere") {
        CHECK(shown(line_diff("", "x\ny")) == Lines{"+x", "+y"});
        CHECK(shown(line_diff("x\ny", "")) == Lines{"-x", "-y"});
        CHECK(shown(line_diff("a\nc", "a\nb\nc")) == Lines{" a", "+b", " c"});
        CHECK(shown(line_diff("a\nb\nc", "a\nc")) == Lines{" a", "-b", " c"});
    }
    SECTION("moved lines keep the longest common subsequence") {
        // a b c d -> b c d a: three lines stay, one moves.
        CHECK(shown(line_diff("a\nb\nc\nd", "b\nc\nd\na")) == Lines{"-a", " b", " c", " d", "+a"});
        // Either of x or y could stay; one does, not neither.
        auto d = line_diff("x\ny\nz", "y\nx\nz");
        int same = 0;
        for (const auto& l : d.lines) same += l.change == LineChange::same;
        CHECK(same == 2);
        CHECK(d.lines.size() == 4);
    }
    SECTION("a missing final newline is no change of lines") {
        CHECK(shown(line_diff("a\nb", "a\nb\n")) == Lines{" a", " b"});
    }
}

TEST_CASE("a line diff too large to compare is given whole, marked coarse", "[util]") {
    std::string before = "head\n", after = "head\n";
    for (int i = 0; i < 40; ++i) {
        before += "old " + std::to_string(i) + "\n";
        after += "new " + std::to_string(i) + "\n";
    }
    before += "shared\ntail\n";
    after += "tail\n";

    SECTION("within the bound every common line is found") {
        auto d = line_diff(before, after, 41 * 41 + 1000);
        CHECK_FALSE(d.coarse);
        CHECK(d.lines.size() == 1 + 40 + 1 + 40 + 1);
    }
    SECTION("over it the shared head and tail still match, the middle does not") {
        auto d = line_diff(before, after, 100);
        CHECK(d.coarse);
        auto s = shown(d);
        REQUIRE(s.size() == 1 + 41 + 40 + 1);
        CHECK(s.front() == " head");
        CHECK(s[1] == "-old 0");
        CHECK(s[41] == "-shared");
        CHECK(s[42] == "+new 0");
        CHECK(s.back() == " tail");
    }
    SECTION("a large diff of different lines stays within the bound") {
        std::string big_a, big_b;
        for (int i = 0; i < 20000; ++i) {
            big_a += "a" + std::to_string(i) + "\n";
            big_b += "b" + std::to_string(i) + "\n";
        }
        auto d = line_diff(big_a, big_b);
        CHECK(d.coarse);
        CHECK(d.lines.size() == 40000);
    }
}
