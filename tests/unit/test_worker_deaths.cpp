// test_worker_deaths.cpp - a delivery whose workers keep dying while they hold it
// ends failed after router.max_worker_deaths deaths; a worker that said goodbye
// counts no death.
#include <catch2/catch.hpp>

#include "worker_deaths.hpp"
#include "worker_pool.hpp"

using namespace notify;
using namespace notify::router;

TEST_CASE("deaths of the workers holding a delivery are counted until it fails") {
    int deaths = 0;

    SECTION("a worker that died: requeued, counted, then failed at the limit") {
        auto first = after_worker_left(deaths, true, 3, "w-1", "went silent");
        CHECK(first.state == DeliveryState::queued);
        CHECK(std::string(first.event) == "requeued");
        CHECK(first.detail == "worker w-1 died holding it (went silent); worker deaths 1 of 3");
        CHECK(deaths == 1);
        CHECK(after_worker_left(deaths, true, 3, "w-2", "went silent").state ==
              DeliveryState::queued);
        auto third = after_worker_left(deaths, true, 3, "w-3", "is no longer connected");
        CHECK(third.state == DeliveryState::failed);
        CHECK(std::string(third.event) == "failed");
        CHECK(third.detail.rfind(kWorkerDied, 0) == 0);
        CHECK(third.detail ==
              "worker died while sending it: 3 workers died holding it, the last w-3 (is no "
              "longer connected)");
    }
    SECTION("a worker that stopped cleanly counts nothing") {
        for (int i = 0; i < 5; ++i) {
            auto v = after_worker_left(deaths, false, 3, "w-1", "went silent");
            CHECK(v.state == DeliveryState::queued);
            CHECK(v.detail == "worker w-1 went silent");
        }
        CHECK(deaths == 0);
    }
    SECTION("a limit of one fails at the first death") {
        CHECK(after_worker_left(deaths, true, 1, "w-1", "went silent").state ==
              DeliveryState::failed);
    }
}

TEST_CASE("the pool tells a silent worker that said goodbye from one that did not") {
    WorkerPool pool;
    pool.add("a", "w-a", {}, 1'000).in_flight.insert("d1");
    auto& b = pool.add("b", "w-b", {}, 1'000);
    b.in_flight.insert("d2");
    b.draining = true;  // it sent Bye
    pool.add("c", "w-c", {}, 5'000);
    auto gone = pool.drop_silent(2'000);
    REQUIRE(gone.size() == 2);
    for (const auto& w : gone) {
        if (w.name == "w-a") {
            CHECK_FALSE(w.draining);
            CHECK(w.in_flight.count("d1"));
        } else {
            CHECK(w.name == "w-b");
            CHECK(w.draining);
        }
    }
    CHECK(pool.size() == 1);
}
