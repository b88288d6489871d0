// test_router_replies.cpp - ingest's answer out of the replies of routers
// each serving some partitions (router_replies.hpp): complete once they
// answer for every partition, merged by the request's op.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "router_replies.hpp"

using nlohmann::json;
using notify::ingest::RouterReplies;

TEST_CASE("one router serving every partition is the answer, as it is") {
    RouterReplies r("cancel");
    CHECK_FALSE(r.complete());
    r.add(R"({"ok":true,"canceled":3,"in_flight":1})");
    REQUIRE(r.complete());
    CHECK(r.merged() == R"({"ok":true,"canceled":3,"in_flight":1})");
    RouterReplies metrics("metrics");
    metrics.add("# HELP notify_router_up 1\nnotify_router_up 1\n");
    CHECK(metrics.complete());
    CHECK(metrics.merged() == "# HELP notify_router_up 1\nnotify_router_up 1\n");
}

TEST_CASE("routers' replies are complete once they answer for every partition") {
    RouterReplies r("cancel");
    r.add(R"({"ok":true,"canceled":2,"in_flight":0,"partitions":"0-1","of":4})");
    CHECK_FALSE(r.complete());
    CHECK(r.answered() == "partitions 0-1 of 4");
    r.add(R"({"ok":true,"canceled":1,"in_flight":1,"fanout":"canceled","partitions":"3","of":4})");
    CHECK_FALSE(r.complete());
    r.add(R"({"ok":true,"canceled":4,"in_flight":0,"partitions":"2","of":4})");
    REQUIRE(r.complete());
    CHECK(json::parse(r.merged()) ==
          json{{"ok", true}, {"canceled", 7}, {"in_flight", 1}, {"fanout", "canceled"}});
}

TEST_CASE("routers' replies merge by what was asked") {
    auto merged = [](const std::string& op, const std::vector<std::string>& replies) {
        RouterReplies r(op);
        for (const auto& reply : replies) r.add(reply);
        REQUIRE(r.complete());
        return json::parse(r.merged());
    };
    // Receipts: counted once by their router; a message no router knows
    // waits in each, one naming nothing is ignored by each.
    CHECK(
        merged(
            "receipt",
            {R"({"ok":true,"recorded":2,"duplicate":0,"waiting":1,"ignored":0,"not_served":3,"partitions":"0","of":2})",
             R"({"ok":true,"recorded":3,"duplicate":1,"waiting":1,"ignored":1,"not_served":2,"partitions":"1","of":2})"}) ==
        json{{"ok", true}, {"recorded", 5}, {"duplicate", 1}, {"waiting", 1}, {"ignored", 1}});
    // An approval is its router's.
    CHECK(merged("approve", {R"({"ok":true,"not_served":true,"partitions":"0","of":2})",
                             R"({"ok":true,"state":"expanding","partitions":"1","of":2})"}) ==
          json{{"ok", true}, {"state", "expanding"}});
    // Health: work added up, workers the most any router has.
    CHECK(merged("ping",
                 {R"({"ok":true,"active":5,"workers":2,"expanding":0,"partitions":"0","of":2})",
                  R"({"ok":true,"active":7,"workers":3,"expanding":1,"partitions":"1","of":2})"}) ==
          json{{"ok", true}, {"active", 12}, {"workers", 3}, {"expanding", 1}});
    // Providers: each as the router finding it worst has it.
    auto providers = merged(
        "providers",
        {R"({"ok":true,"providers":[{"provider":"a","state":"closed"},{"provider":"b","state":"open"}],"partitions":"0","of":2})",
         R"({"ok":true,"providers":[{"provider":"a","state":"half-open"},{"provider":"b","state":"closed"}],"partitions":"1","of":2})"});
    CHECK(providers["providers"] == json::array({{{"provider", "a"}, {"state", "half-open"}},
                                                 {{"provider", "b"}, {"state", "open"}}}));
    CHECK_FALSE(providers.contains("partitions"));
    // Figures: each router's, told apart by a label.
    RouterReplies metrics("metrics");
    metrics.add(
        R"({"metrics":"# HELP notify_x X.\n# TYPE notify_x gauge\nnotify_x 1\n","router":"r@a","partitions":"0","of":2})");
    CHECK_FALSE(metrics.complete());
    metrics.add(
        R"({"metrics":"# HELP notify_x X.\n# TYPE notify_x gauge\nnotify_x{k=\"v\"} 2\n","router":"r@b","partitions":"1","of":2})");
    REQUIRE(metrics.complete());
    CHECK(metrics.merged() ==
          "# HELP notify_x X.\n# TYPE notify_x gauge\nnotify_x{router=\"r@a\"} 1\n"
          "notify_x{router=\"r@b\",k=\"v\"} 2\n");
}

TEST_CASE("an error from any router is the answer") {
    RouterReplies r("resend");
    r.add(R"({"ok":true,"requeued":1,"partitions":"0","of":2})");
    r.add(R"({"error":{"code":"store_unavailable","message":"later"},"partitions":"1","of":2})");
    REQUIRE(r.complete());
    CHECK(json::parse(r.merged())["error"]["code"] == "store_unavailable");
}

TEST_CASE("a router answering for every partition answers alone, an error last") {
    // Two bound at once: one that lost its lease and has not noticed, and
    // the one that took it over.
    RouterReplies r("cancel");
    r.add(R"({"error":{"code":"store_unavailable","message":"fenced"}})");
    CHECK(r.complete());
    CHECK(r.has_error());
    r.add(R"({"ok":true,"canceled":4,"in_flight":0})");
    CHECK(r.merged() == R"({"ok":true,"canceled":4,"in_flight":0})");
    // Whole and partial replies (partitions changing hands): the whole one.
    RouterReplies mixed("resend");
    mixed.add(R"({"ok":true,"requeued":1,"partitions":"0","of":2})");
    mixed.add(R"({"ok":true,"requeued":5})");
    CHECK(mixed.merged() == R"({"ok":true,"requeued":5})");
}
