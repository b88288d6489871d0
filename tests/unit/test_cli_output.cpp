// Tests for cli/output.cpp and the text forms built on it: tables, widths,
// truncation and the queue listing (secrets in `config show`: test_cli_config_secrets.cpp).
#include <catch2/catch.hpp>

#include <sstream>

#include "daemon_path.hpp"
#include "output.hpp"
#include "queue.hpp"

using namespace notify::cli;

TEST_CASE("tables align columns and leave the last one unpadded", "[cli]") {
    Table t({"ID", "STATE", "DETAIL"});
    t.add({"a.1", "sent", "250 ok"});
    t.add({"a.22", "failed", ""});
    std::ostringstream out;
    t.print(out);
    CHECK(out.str() ==
          "ID    STATE   DETAIL\n"
          "a.1   sent    250 ok\n"
          "a.22  failed\n");
}

TEST_CASE("widths count terminal cells", "[cli]") {
    CHECK(display_width("abc") == 3);
    CHECK(display_width("磁盘已满") == 8);
    CHECK(display_width("é") == 1);
    SECTION("tables align wide characters") {
        Table t({"SUBJECT", "X"});
        t.add({"磁盘", "1"});
        t.add({"disk", "2"});
        std::ostringstream out;
        t.print(out);
        CHECK(out.str() == "SUBJECT  X\n磁盘     1\ndisk     2\n");
    }
}

TEST_CASE("truncate cuts on characters and marks the cut", "[cli]") {
    CHECK(clip("short", 10) == "short");
    CHECK(clip("exactly10!", 10) == "exactly10!");
    CHECK(clip("a longer subject line", 10) == "a longe...");
    CHECK(clip("磁盘已满请处理", 8) == "磁盘...");
    CHECK(display_width(clip("磁盘已满请处理", 8)) <= 8);
    CHECK(clip("two\nlines", 20) == "two lines");
}

TEST_CASE("small text forms", "[cli]") {
    CHECK(count_of(1, "delivery", "deliveries") == "1 delivery");
    CHECK(count_of(3, "delivery", "deliveries") == "3 deliveries");
    CHECK(states_summary({{"failed", 2}, {"sent", 1}}) == "failed:2 sent:1");
    CHECK(states_summary(nlohmann::json::object()) == "-");
    CHECK(cell(nullptr) == "-");
    CHECK(member({{"a", 5}}, "a") == "5");
    CHECK(member({{"a", nullptr}}, "a", "x") == "x");
}

TEST_CASE("queue listing in the manner of mailq", "[cli]") {
    std::ostringstream out;
    SECTION("empty") {
        print_queue(out, nlohmann::json::array());
        CHECK(out.str() == "queue is empty\n");
    }
    SECTION("rows and a total") {
        nlohmann::json rows = nlohmann::json::array();
        rows.push_back({{"priority", "high"},
                        {"channel", "sms"},
                        {"state", "deferred"},
                        {"count", 2},
                        {"oldest_age_seconds", 5400}});
        rows.push_back({{"priority", "low"},
                        {"channel", "email"},
                        {"state", "queued"},
                        {"count", 1},
                        {"oldest_age_seconds", 0.2}});
        print_queue(out, rows);
        CHECK(out.str() ==
              "PRIORITY  CHANNEL  STATE     COUNT  OLDEST-AGE\n"
              "high      sms      deferred  2      1h30m\n"
              "low       email    queued    1      0s\n"
              "-- 3 deliveries waiting\n");
    }
}

TEST_CASE("up finds the daemons beside notifyctl, then on PATH", "[cli]") {
    CHECK(find_daemon("sh", "/nonexistent", "/nonexistent:/bin") == "/bin/sh");
    CHECK(find_daemon("sh", "/bin", "") == "/bin/sh");
    CHECK(find_daemon("no-such-program-here", "/bin", "/usr/bin").empty());
    // A directory of that name is not a program.
    CHECK(find_daemon("bin", "/", "").empty());
}
