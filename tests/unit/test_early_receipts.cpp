// test_early_receipts.cpp - receipts waiting for their send: the router's
// UnmatchedReceipts notes what comes and goes, and store::EarlyReceipts keeps
// it so that a router that starts again reads back what still waits.
#include <catch2/catch.hpp>

#include "store/early_receipts.hpp"
#include "test_router_fixture.hpp"
#include "unmatched_receipts.hpp"

using namespace notify;
using router::ReceiptNote;
using router::UnmatchedReceipts;
using testing::TempStore;

TEST_CASE("receipts waiting for their send are noted as they come and go") {
    UnmatchedReceipts waiting;
    const Millis now = 1'000'000;
    waiting.add(ReceiptNote{"twilio", "SM1", "", "delivered", "", ""}, now);
    waiting.add_tracking(ReceiptNote{"", "", "n1.1", "read", "", ""}, now);
    auto changes = waiting.take_changes();
    REQUIRE(changes.size() == 2);
    CHECK(changes[0].note->message_id == "SM1");
    CHECK(changes[0].until == now + UnmatchedReceipts::kKeep);
    CHECK(waiting.take_changes().empty());
    REQUIRE(waiting.take("twilio", "SM1", now + 5));
    REQUIRE(waiting.take_tracking("n1.1", "read", now + 5));
    changes = waiting.take_changes();
    REQUIRE(changes.size() == 2);
    CHECK_FALSE(changes[0].note);  // gone

    // Read back under its key until its time, not noted again.
    UnmatchedReceipts again;
    again.restore("twilio\nSM2", ReceiptNote{"twilio", "SM2", "", "failed", "30003", ""}, now + 100,
                  now);
    again.restore("twilio\nSM3", ReceiptNote{"twilio", "SM3", "", "failed", "", ""}, now, now);
    CHECK(again.take_changes().empty());
    CHECK(again.take("twilio", "SM2", now + 50)->code == "30003");
    CHECK_FALSE(again.take("twilio", "SM3", now + 50));  // its time had passed
}

TEST_CASE("the store keeps receipts waiting, replaced by key, forgotten after their time") {
    TempStore s;
    store::EarlyReceipts early(s.db());
    early.put({"receipt", "twilio\nSM1", R"({"status":"delivered"})", 5000});
    early.put({"receipt", "twilio\nSM1", R"({"status":"failed"})", 6000});
    early.put({"tracking", "tracking read n1.1", "{}", 2000});
    early.put({"receipt", "twilio\nSM9", "{}", 900});
    early.put({"receipt", "twilio\nSM8", "{}", 7000});
    early.remove("receipt", "twilio\nSM8");
    const auto back = early.load(1000);
    REQUIRE(back.size() == 2);
    CHECK(back[0].kind == "tracking");
    CHECK(back[1].note == R"({"status":"failed"})");
    CHECK(back[1].until == 6000);
    CHECK(s.count("SELECT count(*) FROM early_receipts") == 2);  // SM9's time had passed
}
