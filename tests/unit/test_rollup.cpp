// test_rollup.cpp - folding what reports count: buckets per minute, hour and
// local day, peaks per second, reasons, and the rollups written and replayed.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <sstream>
#include <tuple>

#include "report/report.hpp"
#include "report/report_output.hpp"
#include "store/delivery_rows.hpp"
#include "store/rollup.hpp"
#include "store/rollup_bucket.hpp"
#include "store/rollup_store.hpp"
#include "store/schema.hpp"
#include "store/sqlite_db.hpp"
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

// A cell of a packed row, read back with the row it is in.
struct Row {
    store::Resolution resolution;
    std::string dimension;
    Millis bucket;
    std::string value;
    std::string status;
    std::string reason;
    store::Figures figures;
    store::Peak peak;
};

void read_cells(std::vector<Row>& out, store::Resolution r, const std::string& dimension,
                Millis bucket, std::string_view data) {
    store::BucketReader cells(data);
    store::Cell c;
    while (cells.next(c))
        out.push_back(Row{r, dimension, bucket, std::string(c.value),
                          store::report_statuses()[c.status], std::string(c.reason), c.figures,
                          c.peak});
    CHECK(cells.ok());
}

std::vector<Row> rows_of(const store::RollupBatch& batch, const std::string& dimension) {
    std::vector<Row> out;
    batch.each_bucket(
        [&](store::Resolution r, const std::string& d, Millis bucket, std::string_view data) {
            if (d == dimension) read_cells(out, r, d, bucket, data);
        });
    return out;
}

std::vector<Row> rows_in(store::RollupStore& rollups, std::int64_t generation, store::Resolution r,
                         const std::string& dimension, Millis to) {
    std::vector<Row> out;
    REQUIRE(rollups.read_buckets(generation, r, dimension, 0, to,
                                 [&](Millis bucket, std::string_view data) {
                                     read_cells(out, r, dimension, bucket, data);
                                 }));
    return out;
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
    const auto series = rows_of(batch, "");
    CHECK(series.size() == 3);  // minute, hour, day of one status
    for (const auto& s : series) {
        CHECK(s.figures.count == 4);
        CHECK(s.figures.size_sum == 400);
        CHECK(s.peak.per_second == 3);
        CHECK(s.peak.at == t);
    }
    CHECK(batch.rows() == 1);  // folded by minute; hours and days made as written
    SECTION("minutes add up in their hour and day") {
        f.at = t + 60'000;  // the next minute
        batch.add(f);
        f.at = t + 3'600'000;  // the next hour
        batch.add(f);
        CHECK(batch.rows() == 3);
        std::map<store::Resolution, std::vector<std::int64_t>> counts;
        for (const auto& s : rows_of(batch, "channel"))
            counts[s.resolution].push_back(s.figures.count);
        CHECK(counts[store::Resolution::minute] == std::vector<std::int64_t>{4, 1, 1});
        CHECK(counts[store::Resolution::hour] == std::vector<std::int64_t>{5, 1});
        CHECK(counts[store::Resolution::day] == std::vector<std::int64_t>{6});
        for (const auto& s : rows_of(batch, "")) {
            CHECK(s.peak.per_second == (s.figures.count == 1 ? 1 : 3));
            CHECK(s.figures.size_sum == 100 * s.figures.count);
            CHECK(s.figures.size.count() == s.figures.count);
        }
    }
    SECTION("a second folded across two writes keeps its whole count") {
        batch.clear();
        f.at = t + 500;
        batch.add(f);
        for (const auto& s : rows_of(batch, "")) CHECK(s.peak.per_second == 4);
    }
}

TEST_CASE("a batch written again holds only what was folded since") {
    Zone zone("UTC");
    store::RollupBatch batch;
    store::RollupFold f;
    f.at = at("2026-12-01T10:15:30Z");
    f.status = "sent";
    for (const char* channel : {"sms", "email", "push"}) {
        f.channel = channel;
        batch.add(f);
    }
    batch.clear();  // the combinations are kept, the counts go
    f.channel = "email";
    batch.add(f);
    f.channel = "chat";
    f.template_name = "otp";
    batch.add(f);
    std::vector<std::string> values;
    for (const auto& row : rows_of(batch, "channel+template"))
        if (row.resolution == store::Resolution::minute) values.push_back(row.value);
    CHECK(values == std::vector<std::string>{"chat\x1fotp", "email\x1f"});

    // Past kCombinationsKept they are all forgotten at the next clear().
    std::vector<std::string> names;
    for (std::size_t i = 0; i <= store::RollupBatch::kCombinationsKept; ++i)
        names.push_back("t" + std::to_string(i));
    for (const auto& name : names) {
        f.template_name = name;
        batch.add(f);
    }
    batch.clear();
    f.template_name = "welcome";
    batch.add(f);
    values.clear();
    for (const auto& row : rows_of(batch, "template"))
        if (row.resolution == store::Resolution::day) values.push_back(row.value);
    CHECK(values == std::vector<std::string>{"welcome"});
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
    REQUIRE(batch.rows() == 2);  // accepted and sent, by minute
    std::map<std::pair<std::string, std::string>, std::string> values;  // (status, dimension)
    for (const auto& dimension : store::rollup_dimensions())
        for (const auto& row : rows_of(batch, dimension)) {
            if (row.resolution != store::Resolution::day) continue;
            values[{row.status, row.dimension}] = row.value;
            if (row.status == "sent") {
                CHECK(row.figures.size_sum == 70);
                CHECK(row.figures.latency_sum == 250);
            }
        }
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
    for (const auto& r : rows_in(rollups, 2, store::Resolution::day, "", t + 86'400'000))
        counted += r.figures.count;
    CHECK(counted == 2);
    SECTION("a batch written twice counts twice, histograms added up in the store") {
        s.exec("BEGIN");
        rollups.write(batch, 7);
        rollups.write(batch, 7);
        s.exec("COMMIT");
        std::int64_t sent = 0;
        util::Histogram sizes;
        store::Peak peak;
        for (const auto& r :
             rows_in(rollups, 7, store::Resolution::minute, "channel", t + 86'400'000)) {
            if (r.status != "sent") continue;
            sent += r.figures.count;
            sizes.merge(r.figures.size);
        }
        for (const auto& r : rows_in(rollups, 7, store::Resolution::minute, "", t + 86'400'000))
            if (r.status == "sent") peak = r.peak;
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
    CHECK(rows_in(rollups, 1, store::Resolution::day, "channel", t + 86'400'000).empty());
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

TEST_CASE("two packings of a bucket merge into one; one that does not read is refused") {
    store::BucketWriter a, b;
    store::Cell c;
    c.value = "email";
    c.status = store::status_index("accepted");
    c.figures.count = 3;
    a.add(c);
    c.status = store::status_index("sent");
    c.figures.count = 2;
    c.figures.add(100, 40);
    c.figures.count = 2;
    c.peak = store::Peak{2, 5000};
    a.add(c);
    b.add(c);  // the same cell in both
    c.value = "sms";
    c.status = store::status_index("failed");
    c.reason = "HTTP 400";
    c.figures = store::Figures{};
    c.figures.count = 1;
    c.peak = store::Peak{};
    b.add(c);
    auto merged = store::merge_buckets(a.data(), b.data());
    REQUIRE(merged);
    std::vector<Row> rows;
    read_cells(rows, store::Resolution::minute, "channel", 0, *merged);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].value == "email");
    CHECK(rows[0].status == "accepted");
    CHECK(rows[0].figures.count == 3);
    CHECK(rows[1].status == "sent");
    CHECK(rows[1].figures.count == 4);
    CHECK(rows[1].figures.size_sum == 200);
    CHECK(rows[1].figures.latency.count() == 2);
    CHECK(rows[1].peak.per_second == 2);
    CHECK(rows[2].value == "sms");
    CHECK(rows[2].reason == "HTTP 400");
    // Merging with nothing gives the same bytes.
    CHECK(store::merge_buckets(a.data(), "") == a.data());
    // Cut short, or a status reports do not count: refused.
    const std::string cut = a.data().substr(0, a.data().size() - 1);
    CHECK_FALSE(store::merge_buckets(cut, b.data()));
    std::string unknown;
    util::put_varint(unknown, (std::uint64_t{40} << 2) | 1);
    util::put_bytes(unknown, "x");
    util::put_varint(unknown, 0);
    util::put_varint(unknown, 1);
    CHECK_FALSE(store::merge_buckets(b.data(), unknown));
    // A stored cell the batch does not touch is checked all the same: a count
    // past what a row may hold, or a histogram's bucket past the last.
    for (const auto& [count, step] : {std::pair<std::uint64_t, std::uint64_t>{1ull << 50, 1},
                                      {1, std::uint64_t{util::Histogram::kBuckets} + 1}}) {
        std::string stored;
        util::put_varint(stored, (store::status_index("sent") << 2) | 1);
        util::put_bytes(stored, "aaa");  // before b's values: copied, not merged
        util::put_varint(stored, 1);     // figures follow
        util::put_varint(stored, count);
        util::put_signed(stored, 0);
        util::put_varint(stored, 1);  // one bucket
        util::put_varint(stored, step);
        util::put_varint(stored, 1);
        util::put_signed(stored, 0);
        util::put_varint(stored, 0);  // no latency buckets
        CHECK_FALSE(store::merge_buckets(stored, b.data()));
        store::BucketReader whole(stored);
        store::Cell cell;
        CHECK_FALSE(whole.next(cell));  // as reading it whole finds
    }
    {
        std::string fine;
        util::put_varint(fine, (store::status_index("sent") << 2) | 1);
        util::put_bytes(fine, "aaa");
        util::put_varint(fine, 1);
        util::put_varint(fine, 1);
        util::put_signed(fine, 0);
        util::put_varint(fine, 1);
        util::put_varint(fine, 5);
        util::put_varint(fine, 1);
        util::put_signed(fine, 0);
        util::put_varint(fine, 0);
        CHECK(store::merge_buckets(fine, b.data()));
    }
    store::BucketReader reader(cut);
    store::Cell back;
    while (reader.next(back)) {
    }
    CHECK_FALSE(reader.ok());
}

TEST_CASE("a store with rollups of before they were packed loses their marks") {
    char tmpl[] = "/tmp/notify-rollup-migration-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    const std::string path = std::string(tmpl) + "/notify.db";
    {
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
        store::SqliteDb db(raw, 5000);
        store::migrate(db, 8);
        REQUIRE(sqlite3_exec(raw,
                             "INSERT INTO settings (key, value) VALUES ('rollup.generation', '3'), "
                             "('rollup.delivery_seq', '10'), ('rollup.event_seq', '20');"
                             "INSERT INTO rollup_series VALUES (3, 60000, 0, 'sent', 1, 0, '', 0, "
                             "'', 1, 0);",
                             nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    {
        auto s = store::Store::open(path, {});
        REQUIRE(s);
        store::RollupStore rollups(**s);
        CHECK_FALSE(rollups.has_marks());  // the router counts from its start; a rebuild, the rest
        const auto rows = rows_in(rollups, 3, store::Resolution::minute, "", 86'400'000);
        CHECK(rows.empty());
    }
    std::filesystem::remove_all(tmpl);
}

TEST_CASE("a report counts each fold in its local day and groups, in a zone off the hour") {
    Zone zone("Asia/Kolkata");  // +05:30: local midnight is 18:30 UTC
    TempStore s;
    store::RollupStore rollups(*s);
    store::RollupBatch batch;
    const Millis day = 86'400'000;
    const Millis start = at("2026-11-01T00:00:00+05:30");
    // From mid-morning of the first day to early on the fifth: whole days, and
    // hours and minutes at both ends, some holding a local midnight.
    const Millis since = start + 3 * 3'600'000 + 17 * 60'000,
                 until = start + 4 * day + 5 * 3'600'000;
    std::map<std::pair<std::string, std::string>, std::int64_t> want;  // (local date, channel)
    std::int64_t sent = 0, failed = 0;
    for (Millis t = start; t < start + 5 * day; t += 7 * 60'000 + 13'000) {
        const int i = static_cast<int>((t - start) / 60'000);
        store::RollupFold f;
        f.at = t;
        f.channel = i % 3 == 0 ? "email" : "短信";  // a value beyond ASCII too
        f.status = i % 5 == 0 ? "failed" : "sent";
        if (i % 5 == 0) {
            f.provider = "p";
            f.reason = i % 2 ? "HTTP 500" : "HTTP 400";
        } else {
            f.size = 100 + i % 700;
            f.latency = 5 + i % 90;
        }
        batch.add(f);
        if (t < since - since % 60'000 || t >= until) continue;
        if (i % 5 == 0)
            ++failed;
        else
            ++sent;
        want[{report::format_time(t).substr(0, 10), std::string(f.channel)}] += i % 5 == 0 ? 0 : 1;
    }
    s.exec("BEGIN");
    rollups.write(batch, 1);
    rollups.write_marks({0, 0, 1});
    s.exec("COMMIT");

    report::Request r{since, until, {report::Dimension::day, report::Dimension::channel}};
    auto made = report::make(rollups, r);
    REQUIRE(made);
    std::map<std::pair<std::string, std::string>, std::int64_t> got;
    Millis last = 0;
    std::string last_channel;
    for (const auto& row : made->rows) {
        got[{row.key[0].substr(0, 10), row.key[1]}] += row.count("sent");
        // In order: time, then channel by name; each (day, channel) once.
        CHECK((row.time > last || (row.time == last && row.key[1] > last_channel)));
        last = row.time;
        last_channel = row.key[1];
        CHECK(row.key[0].substr(10) == "T00:00:00+05:30");
    }
    CHECK(got == want);
    CHECK(made->total.count("sent") == sent);
    CHECK(made->total.count("failed") == failed);
    std::int64_t failures = 0;
    for (const auto& f : made->failures) failures += f.count;
    CHECK(failures == failed);
    // By nothing: the same total, with the size spread of what was sent.
    auto whole = report::make(rollups, report::Request{since, until, {}});
    REQUIRE(whole);
    REQUIRE(whole->rows.size() == 1);
    CHECK(whole->rows[0].count("sent") == sent);
    CHECK(whole->rows[0].size.count == sent);
    CHECK(whole->total.size.p50 == whole->rows[0].size.p50);
}

TEST_CASE("a report gives a page of its rows and counts them all") {
    Zone zone("UTC");
    TempStore s;
    store::RollupStore rollups(*s);
    store::RollupBatch batch;
    const Millis start = at("2026-11-02T00:00:00Z");
    for (Millis t = start; t < start + 3 * 3'600'000; t += 41'000) {
        const int i = static_cast<int>((t - start) / 41'000);
        store::RollupFold f;
        f.at = t;
        f.channel = i % 3 == 0 ? "email" : i % 3 == 1 ? "sms" : "hook";
        f.status = "sent";
        f.size = 100 + i % 300;
        f.latency = 5 + i % 50;
        batch.add(f);
    }
    s.exec("BEGIN");
    rollups.write(batch, 1);
    rollups.write_marks({0, 0, 1});
    s.exec("COMMIT");

    report::Request whole{
        start, start + 3 * 3'600'000, {report::Dimension::minute, report::Dimension::channel}};
    auto all = report::make(rollups, whole);
    REQUIRE(all);
    const auto n = static_cast<std::int64_t>(all->rows.size());
    REQUIRE(n > 200);
    CHECK(all->rows_total == n);
    auto same = [](const report::Row& a, const report::Row& b) {
        return a.key == b.key && a.counts == b.counts && a.size.p50 == b.size.p50 &&
               a.size.p99 == b.size.p99 && a.latency.p95 == b.latency.p95 &&
               a.size.average == b.size.average;
    };
    // Pages from the start, across time groups, to the end and past it.
    for (auto [offset, limit] : std::vector<std::pair<std::int64_t, std::int64_t>>{
             {0, 1}, {0, 7}, {1, 2}, {100, 50}, {n - 5, 10}, {n, 10}, {n + 100, 1}, {5, 0}}) {
        report::Request paged = whole;
        paged.offset = offset;
        paged.limit = limit;
        auto page = report::make(rollups, paged);
        REQUIRE(page);
        CHECK(page->rows_total == n);
        const std::int64_t end = limit ? std::min(n, offset + limit) : n;
        REQUIRE(static_cast<std::int64_t>(page->rows.size()) ==
                std::max<std::int64_t>(end - offset, 0));
        for (std::int64_t k = offset; k < end; ++k)
            CHECK(same(page->rows[static_cast<std::size_t>(k - offset)],
                       all->rows[static_cast<std::size_t>(k)]));
        // The total is the whole range's, whatever the page.
        CHECK(page->total.counts == all->total.counts);
        CHECK(page->total.size.p99 == all->total.size.p99);
        CHECK(page->total.peak_sent->per_second == all->total.peak_sent->per_second);
    }
    // By nothing but a dimension: one time group, paged the same way.
    report::Request by_channel{start, start + 3 * 3'600'000, {report::Dimension::channel}};
    by_channel.offset = 1;
    by_channel.limit = 1;
    auto one = report::make(rollups, by_channel);
    REQUIRE(one);
    CHECK(one->rows_total == 3);
    REQUIRE(one->rows.size() == 1);
    CHECK(one->rows[0].key[0] == "hook");  // by name: email, hook, sms
}

TEST_CASE("a report's page is asked for with whole numbers in range") {
    report::RequestText text;
    text.since = "2026-11-01T00:00:00Z";
    text.until = "2026-11-02T00:00:00Z";
    text.by = {"hour"};
    const Millis now = at("2026-12-01T00:00:00Z");
    text.offset = "20";
    text.limit = "10";
    auto ok = report::parse_request(text, now, report::query_names());
    REQUIRE(ok);
    CHECK(ok->offset == 20);
    CHECK(ok->limit == 10);
    for (auto [offset, limit, field] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"-1", "", "offset"},
             {"1.5", "", "offset"},
             {"x", "", "offset"},
             {"1000000001", "", "offset"},
             {"", "0", "limit"},
             {"", "1000001", "limit"},
             {"", " 5", "limit"},
             {"", "99999999999999999999", "limit"}}) {
        text.offset = offset;
        text.limit = limit;
        auto bad = report::parse_request(text, now, report::flag_names());
        REQUIRE_FALSE(bad);
        CHECK(bad.error().kind == ErrorKind::invalid);
        CHECK(bad.error().field == "--" + field);
        CHECK(bad.error().message.find("'--" + field + "' must be a whole number from") == 0);
    }
}

TEST_CASE("a report by two dimensions at once counts each pair of their values") {
    Zone zone("Europe/Berlin");
    TempStore s;
    store::RollupStore rollups(*s);
    store::RollupBatch batch;
    const Millis start = at("2026-10-24T00:00:00+02:00");  // 2026-10-25 has 25 hours here
    const Millis since = start + 90 * 60'000, until = start + 3 * 86'400'000 + 7 * 60'000;
    const char* channels[] = {"email", "sms", "wecom"};
    const char* templates[] = {"", "welcome", "otp", "bill\x1fing"};  // a separator in a value
    const Priority priorities[] = {Priority::high, Priority::medium, Priority::low};
    // (hour, channel, template, priority, status) -> count
    std::map<std::tuple<Millis, std::string, std::string, std::string, std::string>, std::int64_t>
        want;
    for (Millis t = start; t < start + 4 * 86'400'000; t += 4 * 60'000 + 7'000) {
        const int i = static_cast<int>((t - start) / 60'000);
        store::RollupFold f;
        f.at = t;
        f.channel = channels[i % 3];
        f.template_name = templates[(i / 3) % 4];
        f.priority = priorities[(i / 5) % 3];
        f.module = i % 2 ? "billing" : "auth";
        f.status = i % 7 == 0 ? "failed" : i % 11 == 0 ? "accepted" : "sent";
        if (f.status == "sent") {
            f.size = 10 + i % 300;
            f.latency = i % 50;
        }
        batch.add(f);
        if (t < since || t >= until) continue;
        std::string shown(f.template_name);
        std::replace(shown.begin(), shown.end(), '\x1f', ' ');
        ++want[{store::bucket_start(store::Resolution::hour, t), std::string(f.channel), shown,
                to_string(f.priority), std::string(f.status)}];
    }
    s.exec("BEGIN");
    rollups.write(batch, 1);
    rollups.write_marks({0, 0, 1});
    s.exec("COMMIT");

    using D = report::Dimension;
    // Priority before template in the request; in the pair's row, template first.
    report::Request r{since, until, {D::hour, D::template_name, D::priority, D::status}};
    auto made = report::make(rollups, r);
    REQUIRE(made);
    decltype(want) got;
    for (const auto& row : made->rows) {
        REQUIRE(row.key.size() == 4);
        const std::string& status = row.key[3];
        got[{row.time, "", row.key[1], row.key[2], status}] += row.count(status);
    }
    decltype(want) want_without_channel;
    for (const auto& [k, n] : want) {
        auto key = k;
        std::get<1>(key) = "";
        want_without_channel[key] += n;
    }
    CHECK(got == want_without_channel);
    auto reversed = report::make(rollups, {since, until, {D::priority, D::template_name}});
    REQUIRE(reversed);
    REQUIRE_FALSE(reversed->rows.empty());
    CHECK(reversed->rows.front().key[0] == "high");
    CHECK(reversed->rows.front().key[1] == "");
    CHECK(reversed->rows.back().key[0] == "low");
    CHECK(reversed->rows.back().key[1] == "welcome");
    // Rows in order: time, template by name, priority high to low, status.
    for (std::size_t i = 1; i < made->rows.size(); ++i) {
        const auto &a = made->rows[i - 1], &b = made->rows[i];
        if (a.time != b.time) {
            CHECK(a.time < b.time);
            continue;
        }
        CHECK(a.key[1] <= b.key[1]);
        if (a.key[1] == b.key[1] && a.key[2] != b.key[2])
            CHECK(*parse_priority(a.key[2]) < *parse_priority(b.key[2]));
    }

    // Two dimensions without time, against the one-dimension report's totals.
    auto pair = report::make(rollups, {since, until, {D::module, D::channel}});
    auto single = report::make(rollups, {since, until, {D::channel}});
    REQUIRE(pair);
    REQUIRE(single);
    std::map<std::string, std::int64_t> per_channel, from_pairs;
    for (const auto& row : single->rows) per_channel[row.key[0]] = row.count("sent");
    for (const auto& row : pair->rows) from_pairs[row.key[1]] += row.count("sent");
    CHECK(from_pairs == per_channel);
    CHECK(pair->rows.size() == 6);
    CHECK(pair->total.count("sent") == single->total.count("sent"));
    CHECK(pair->total.size.p99 == single->total.size.p99);

    auto three = report::make(rollups, {since, until, {D::module, D::channel, D::priority}});
    REQUIRE_FALSE(three);
    CHECK(three.error().code == "three_dimensions");
}

TEST_CASE("reports by two dimensions count from when the rows of pairs began") {
    char tmpl[] = "/tmp/notify-rollup-pairs-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    const std::string path = std::string(tmpl) + "/notify.db";
    {
        sqlite3* raw = nullptr;
        REQUIRE(sqlite3_open(path.c_str(), &raw) == SQLITE_OK);
        store::SqliteDb db(raw, 5000);
        store::migrate(db, 9);
        REQUIRE(sqlite3_exec(raw,
                             "INSERT INTO rollup_buckets VALUES (1, 60000, '', 0, x'');"
                             "INSERT INTO settings (key, value) VALUES ('rollup.generation', '1')",
                             nullptr, nullptr, nullptr) == SQLITE_OK);
    }
    auto s = store::Store::open(path, {});
    REQUIRE(s);
    store::RollupStore rollups(**s);
    const Millis since = rollups.pairs_since();
    const Millis now = util::now_ms();
    CHECK(since > now);
    CHECK(since <= now + 120'000);
    CHECK(since % 60'000 == 0);

    using D = report::Dimension;
    auto before = report::make(rollups, {now - 3'600'000, now, {D::channel, D::module}});
    REQUIRE_FALSE(before);
    CHECK(before.error().code == "rollups_incomplete");
    CHECK(before.error().message.find("--rebuild") != std::string::npos);
    // One dimension, and ranges after it began, are as before.
    CHECK(report::make(rollups, {now - 3'600'000, now, {D::channel}}));
    CHECK(report::make(rollups, {since, since + 60'000, {D::channel, D::module}}));
    // A rebuild counts everything into the rows of pairs too.
    REQUIRE(rollups.rebuild());
    CHECK(rollups.pairs_since() == 0);
    CHECK(report::make(rollups, {now - 3'600'000, now, {D::channel, D::module}}));
    std::filesystem::remove_all(tmpl);
}

TEST_CASE("a report written as JSON reads back whole, odd values included") {
    using D = report::Dimension;
    report::Report r = report::empty(
        {at("2026-11-01T00:00:00Z"), at("2026-11-02T00:00:00Z"), {D::day, D::template_name}});
    report::Row row;
    row.key = {"2026-11-01T00:00:00+00:00", std::string("say \"hi\"\n") + '\xff'};
    row.time = at("2026-11-01T00:00:00Z");
    row.counts[store::status_index("sent")] = 7;
    row.size = {7, 12.5, 10, 20, 30};
    row.peak_sent = store::Peak{3, at("2026-11-01T08:00:01Z")};
    row.peak_accepted = store::Peak{};
    r.rows.push_back(row);
    r.total = row;
    r.total.peak_sent.reset();
    r.channels.push_back({"email", 7, 1.0});
    r.failures.push_back({"smtp", "failed", "550 \"no\"", 2});
    r.suppressions.push_back({"", "suppressed", "unsubscribed", 1});
    // Numbers written as a document of them would write them, whatever their size.
    for (double v : {0.0, -0.0, 100.0, 0.1, 1.0 / 3, 123456.789, 2.5e-7, 1e-5, 0.00012, 1e15,
                     123456789012345.6, 1e21, 5e-324, 0.039674476341557977, 43223.348988012884}) {
        report::Row extra = r.rows.front();
        extra.size.average = v;
        extra.latency.average = v * 3;
        r.rows.push_back(extra);
        r.channels.push_back({"c", 1, v});
    }
    std::ostringstream out;
    report::write_json(out, r);
    auto j = nlohmann::json::parse(out.str());
    CHECK(j["by"] == nlohmann::json::array({"day", "template"}));
    REQUIRE(j["rows"].size() == 16);
    const auto& first = j["rows"][0];
    CHECK(first["template"] == "say \"hi\"\n\xef\xbf\xbd");  // not UTF-8: U+FFFD
    CHECK(first["day"] == "2026-11-01T00:00:00+00:00");
    CHECK(first["counts"]["sent"] == 7);
    CHECK(first["counts"].size() == store::kReportStatuses);
    CHECK(first["size"]["average"] == 12.5);
    CHECK(first["size"]["p99"] == 30);
    CHECK(first["peak_per_second"]["sent"]["count"] == 3);
    CHECK(first["peak_per_second"]["accepted"]["at"].is_null());
    CHECK_FALSE(j["total"].contains("peak_per_second"));
    CHECK_FALSE(j["total"].contains("day"));
    CHECK(j["most_used_channel"] == "email");
    CHECK(j["channels"][0]["share"] == 1.0);
    CHECK(j["failures"][0]["reason"] == "550 \"no\"");
    CHECK(j["suppressions"][0] == nlohmann::json({{"reason", "unsubscribed"}, {"count", 1}}));
    // Members in order of name, as a document of them would be written.
    CHECK(out.str() == j.dump());
    for (const auto& each : r.rows)
        CHECK(out.str().find("{\"average\":" + nlohmann::json(each.size.average).dump() + ",") !=
              std::string::npos);
}
