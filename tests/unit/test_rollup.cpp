// test_rollup.cpp - folding what reports count: buckets per minute, hour and
// local day, peaks per second, reasons, and the rollups written and replayed.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <map>

#include "store/delivery_rows.hpp"
#include "store/rollup.hpp"
#include "store/rollup_store.hpp"
#include "test_router_fixture.hpp"
#include "util/time.hpp"

using namespace notify;
using notify::testing::TempStore;

namespace {

// Runs the test in zone `tz`, as the daemons do with report.timezone.
struct Zone {
    explicit Zone(const char* tz) {
        const char* was = std::getenv("TZ");
        if (was) saved = was;
        had = was != nullptr;
        setenv("TZ", tz, 1);
        tzset();
    }
    ~Zone() {
        if (had)
            setenv("TZ", saved.c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }
    std::string saved;
    bool had = false;
};

Millis at(const char* text) {
    return *util::parse_time(text, 0);
}

}  // namespace

TEST_CASE("days begin at local midnight, whatever their length") {
    using store::Resolution;
    Zone zone("America/New_York");
    // 2026-11-01 is 25 hours long there; 2026-03-08 is 23.
    const Millis nov1 = at("2026-11-01T04:00:00Z");
    CHECK(store::bucket_start(Resolution::day, nov1 + 3'600'000 * 20) == nov1);
    CHECK(store::bucket_end(Resolution::day, nov1) - nov1 == 25 * 3'600'000);
    const Millis mar8 = at("2026-03-08T05:00:00Z");
    CHECK(store::bucket_end(Resolution::day, mar8) - mar8 == 23 * 3'600'000);
    CHECK(store::bucket_start(Resolution::hour, at("2026-11-01T05:59:59Z")) ==
          at("2026-11-01T05:00:00Z"));
    CHECK(store::bucket_start(Resolution::minute, at("2026-11-01T05:59:59.999Z")) ==
          at("2026-11-01T05:59:00Z"));
}

TEST_CASE("suppressions are counted by the class of their reason") {
    CHECK(store::suppression_reason("unsubscribed") == "unsubscribed");
    CHECK(store::suppression_reason("opted out of category 'promo' on every channel") ==
          "opted_out");
    CHECK(store::suppression_reason("duplicate of 01ABC.1 within 10m") == "duplicate");
    CHECK(store::suppression_reason("frequency cap 5/1h reached on channel 'sms'") ==
          "frequency_cap");
    CHECK(store::suppression_reason("user 'u1' has no address for channel 'sms'") == "no_address");
    CHECK(store::suppression_reason("no user 'u1' in the directory") == "no_user");
    CHECK(store::failure_reason(std::string(500, 'x')).size() == store::kReasonBytes);
    CHECK(store::report_groups("a@example.com\ngroup:sales\ngroup:ops\ngroup:sales") ==
          "ops,sales");
    CHECK(store::report_groups("a@example.com\nuser:group:x") == "");
}

TEST_CASE("a batch counts each fold in its minute, hour and day, with the peak second") {
    Zone zone("UTC");
    store::RollupBatch batch;
    const Millis t = at("2026-12-01T10:15:30Z");
    store::RollupFold f;
    f.status = "sent";
    f.channel = "sms";
    f.size = 100;
    f.latency = 40;
    for (int i = 0; i < 3; ++i) {
        f.at = t + i * 10;  // three in one second
        batch.add(f);
    }
    f.at = t + 5000;
    batch.add(f);
    int series = 0;
    batch.each_series([&](const store::SeriesRow& s) {
        ++series;
        CHECK(s.figures.count == 4);
        CHECK(s.figures.size_sum == 400);
        CHECK(s.peak.per_second == 3);
        CHECK(s.peak.at == t);
    });
    CHECK(series == 3);  // minute, hour, day of one status
    CHECK(batch.rows() == 3);
    SECTION("a second folded across two writes keeps its whole count") {
        batch.clear();
        f.at = t + 500;
        batch.add(f);
        batch.each_series([](const store::SeriesRow& s) { CHECK(s.peak.per_second == 4); });
    }
}

TEST_CASE("rollups written and replayed from the store agree") {
    Zone zone("UTC");
    TempStore s;
    s.exec(
        "INSERT INTO notifications (id, created_at, channel, recipients, template, module, "
        "priority) VALUES ('n1', 1, 'sms', 'group:ops', 'otp', 'auth', 0)");
    const Millis t = at("2026-12-01T10:15:30Z");
    s.exec(
        "INSERT INTO deliveries (id, notification_id, channel, priority, state, created_at, "
        "updated_at) VALUES ('n1.1', 'n1', 'sms', 0, 'sent', " +
        std::to_string(t) + ", 0)");
    s.exec("INSERT INTO events (delivery_id, at, type, provider, size) VALUES ('n1.1', " +
           std::to_string(t + 250) + ", 'sent', 'twilio', 70)");
    store::RollupStore rollups(*s);
    store::RollupBatch batch;
    rollups.replay({0, 0, 1}, rollups.latest(), batch, {});
    REQUIRE(batch.rows() == 6);  // accepted and sent, in three resolutions
    std::map<std::pair<std::string, std::string>, std::string> values;  // (status, dimension)
    batch.each_row([&](const store::RollupRow& row) {
        if (row.resolution != store::Resolution::day) return;
        values[{row.status, row.dimension}] = row.value;
        if (row.status == "sent") {
            CHECK(row.figures.size_sum == 70);
            CHECK(row.figures.latency_sum == 250);
        }
    });
    CHECK(values.size() == 14);  // two statuses, seven dimensions
    CHECK(values[{"sent", "channel"}] == "sms");
    CHECK(values[{"sent", "provider"}] == "twilio");
    CHECK(values[{"accepted", "provider"}] == "");
    CHECK(values[{"sent", "priority"}] == "high");
    CHECK(values[{"sent", "template"}] == "otp");
    CHECK(values[{"sent", "module"}] == "auth");
    CHECK(values[{"sent", "group"}] == "ops");
    auto rebuilt = rollups.rebuild();
    REQUIRE(rebuilt);
    CHECK(rebuilt->generation == 2);
    std::int64_t counted = 0;
    REQUIRE(rollups.read_series(2, store::Resolution::day, 0, t + 86'400'000,
                                [&](const store::SeriesRow& r) { counted += r.figures.count; }));
    CHECK(counted == 2);
    SECTION("a batch written twice counts twice, histograms added up in the store") {
        s.exec("BEGIN");
        rollups.write(batch, 7);
        rollups.write(batch, 7);
        s.exec("COMMIT");
        std::int64_t sent = 0;
        util::Histogram sizes;
        store::Peak peak;
        REQUIRE(rollups.read_rows(7, store::Resolution::minute, "channel", 0, t + 86'400'000,
                                  [&](const store::RollupRow& r) {
                                      if (r.status != "sent") return;
                                      sent += r.figures.count;
                                      sizes.merge(r.figures.size);
                                  }));
        REQUIRE(rollups.read_series(7, store::Resolution::minute, 0, t + 86'400'000,
                                    [&](const store::SeriesRow& r) {
                                        if (r.status == "sent") peak = r.peak;
                                    }));
        CHECK(sent == 2);
        CHECK(sizes.count() == 2);
        CHECK(sizes.quantile(0.5) ==
              util::Histogram::bucket_low(util::Histogram::bucket_of(70)) +
                  (util::Histogram::bucket_high(util::Histogram::bucket_of(70)) -
                   util::Histogram::bucket_low(util::Histogram::bucket_of(70))) /
                      2);
        CHECK(peak.per_second == 1);  // the same second written twice is not two in it
    }
    // The old generation is gone.
    std::int64_t old_rows = 0;
    REQUIRE(rollups.read_rows(1, store::Resolution::day, "channel", 0, t + 86'400'000,
                              [&](const store::RollupRow&) { ++old_rows; }));
    CHECK(old_rows == 0);
}

TEST_CASE("an event with a reason and no provider stores empty text, not NULL") {
    TempStore s;
    store::DeliveryRows rows(s.db());
    // A view with no data at all, as a default-made string_view is.
    rows.event("n1.1", 1, "suppressed", "user 'u' has no address for channel 'sms'",
               store::EventFacts{std::string_view(), "no_address"});
    CHECK(s.scalar("SELECT provider || '|' || reason || '|' || size FROM events") ==
          "|no_address|-1");
}
