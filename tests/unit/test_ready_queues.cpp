#include <catch2/catch.hpp>

#include "ready_queues.hpp"

using namespace notify;
using notify::router::ReadyItem;
using notify::router::ReadyQueues;

namespace {
void fill(ReadyQueues& q, Priority p, const std::string& channel, int n, std::int64_t& seq) {
    for (int i = 0; i < n; ++i) q.push(p, channel, ReadyItem{++seq, std::to_string(seq)});
}
}  // namespace

TEST_CASE("ready queues serve high first and keep shares for the lower ones") {
    std::int64_t seq = 0;
    SECTION("high before a low backlog that arrived earlier") {
        ReadyQueues q(10, 5);
        fill(q, Priority::low, "email", 100, seq);
        fill(q, Priority::high, "email", 10, seq);
        int high_served = 0;
        for (int i = 0; i < 10; ++i) {
            auto item = q.pop({});
            REQUIRE(item);
            if (std::stoll(item->delivery_id) > 100) ++high_served;
        }
        // With a 5% share, low may take at most one of the first ten.
        CHECK(high_served >= 9);
    }
    SECTION("low is not starved by a flood of high") {
        ReadyQueues q(10, 5);
        fill(q, Priority::high, "email", 1000, seq);
        fill(q, Priority::low, "email", 1000, seq);
        int low = 0;
        for (int i = 0; i < 200; ++i)
            if (std::stoll(q.pop({})->delivery_id) > 1000) ++low;
        CHECK(low == 10);  // exactly its 5% share
    }
    SECTION("an idle queue does not save up a burst") {
        ReadyQueues q(10, 5);
        fill(q, Priority::high, "email", 100, seq);
        for (int i = 0; i < 50; ++i) q.pop({});
        fill(q, Priority::low, "email", 10, seq);
        auto item = q.pop({});
        CHECK(std::stoll(item->delivery_id) <= 100);
    }
    SECTION("high only leaves the lower queues and their shares alone") {
        ReadyQueues q(10, 5);
        fill(q, Priority::low, "email", 5, seq);
        CHECK_FALSE(q.pop({}, true));
        fill(q, Priority::high, "email", 40, seq);
        for (int i = 0; i < 19; ++i) CHECK(std::stoll(q.pop({})->delivery_id) > 5);
        // Low's account is one dispatch from full; high-only pops must not reset it.
        for (int i = 0; i < 5; ++i) CHECK(std::stoll(q.pop({}, true)->delivery_id) > 5);
        CHECK(std::stoll(q.pop({})->delivery_id) <= 5);
    }
    SECTION("workers only get the channels they serve; oldest channel first") {
        ReadyQueues q(10, 5);
        q.push(Priority::medium, "sms", ReadyItem{5, "s"});
        q.push(Priority::medium, "email", ReadyItem{7, "e"});
        CHECK_FALSE(q.pop({"webhook"}));
        CHECK(q.pop({"email"})->delivery_id == "e");
        CHECK(q.pop({})->delivery_id == "s");
        CHECK(q.empty());
    }
}

TEST_CASE("a channel served on its own leaves the workers' shares alone") {
    std::int64_t seq = 0;
    ReadyQueues q(10, 5);
    fill(q, Priority::high, "email", 1000, seq);
    fill(q, Priority::low, "email", 1000, seq);
    fill(q, Priority::medium, "inbox", 3, seq);
    fill(q, Priority::high, "inbox", 2, seq);
    // The inbox writer looks at its channel between every worker's pop.
    int low = 0;
    std::vector<std::string> inbox;
    for (int i = 0; i < 200; ++i) {
        if (auto item = q.pop_channel("inbox")) inbox.push_back(item->delivery_id);
        if (std::stoll(q.pop({}, false, {"inbox"})->delivery_id) > 1000) ++low;
    }
    CHECK(low == 10);  // low keeps exactly its 5% share
    // High first, then by age.
    CHECK(inbox == std::vector<std::string>{"2004", "2005", "2001", "2002", "2003"});
    CHECK_FALSE(q.pop_channel("inbox"));
    CHECK(q.waiting("email"));
}
