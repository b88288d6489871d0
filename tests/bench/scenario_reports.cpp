// scenario_reports.cpp - how fast reports answer over a big store: writes a
// month of mixed traffic (--count deliveries, 10,000,000 by default, with their
// notifications and events, in time order, as the daemons would have) into
// --store, counts it with `report --rebuild`'s code, then times each report
// over the month: by nothing, by each dimension, and by a time unit with a
// dimension, made and written as JSON a piece at a time as GET /v1/reports
// makes its answer (the pieces dropped; the dashboard scenario times the
// answers over HTTP), and made alone, its rows handed on and dropped. Target:
// every one under 200 ms. No daemon runs meanwhile
// (tests/bench/run stops the stack first). A store that holds deliveries
// already (notify-bench reports --store PATH run again) is timed again over the
// days it holds, counted first only if it never was.
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <sstream>
#include <streambuf>
#include <vector>

#include "clock.hpp"
#include "report.hpp"
#include "report/report.hpp"
#include "report/report_output.hpp"
#include "scenarios.hpp"
#include "store/rollup_store.hpp"
#include "store/sqlite_db.hpp"
#include "store/store.hpp"
#include "util/id.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::bench {

namespace {

constexpr Millis kDay = 86'400'000;

// What a report writes, gathered and handed on a piece at a time as
// notify-ingest's report makers do (ReportMaker::kPiece), the pieces dropped.
class Handed : public std::streambuf {
  public:
    static constexpr std::size_t kPiece = 256u << 10;
    std::size_t bytes() const { return bytes_ + held_.size(); }

  protected:
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        held_.append(s, static_cast<std::size_t>(n));
        if (held_.size() >= kPiece) {
            bytes_ += held_.size();
            held_.clear();
        }
        return n;
    }
    int_type overflow(int_type c) override {
        if (!traits_type::eq_int_type(c, traits_type::eof())) held_ += traits_type::to_char_type(c);
        return traits_type::not_eof(c);
    }

  private:
    std::string held_;
    std::size_t bytes_ = 0;
};

struct Channel {
    const char* name;
    std::vector<const char*> providers;
};

const Channel kChannels[] = {
    {"email", {"smtp-a", "smtp-b"}}, {"sms", {"twilio", "aliyun"}}, {"wecom", {"wecom"}},
    {"dingtalk", {"dingtalk"}},      {"push", {"fcm", "apns"}},     {"hook", {"hook"}},
};
const char* const kModules[] = {"billing", "auth", "marketing", "ops", ""};
const char* const kCategories[] = {"account", "security", "promo", ""};
const char* const kRecipients[] = {"a@example.com", "group:ops", "group:sales\ngroup:ops",
                                   "user:u1"};
const char* const kFailures[] = {"21211 Invalid 'To' Phone Number",  "isv.BUSINESS_LIMIT_CONTROL",
                                 "550 5.1.1 mailbox unavailable",    "HTTP 400",
                                 "no result within the lease of 5m", "60020 not allow to access"};
const char* const kSuppressions[] = {"unsubscribed", "opted_out", "duplicate", "frequency_cap",
                                     "no_address"};

struct Writer {
    explicit Writer(sqlite3* db) : db_(db) {
        prepare(notification_,
                "INSERT INTO notifications (id, created_at, channel, recipients, "
                "template, module, category, priority) VALUES (?,?,?,?,?,?,?,?)");
        prepare(delivery_,
                "INSERT INTO deliveries (id, notification_id, channel, recipient, "
                "priority, state, created_at, updated_at, provider) VALUES "
                "(?,?,?,'r',?,?,?,?,?)");
        prepare(event_,
                "INSERT INTO events (delivery_id, at, type, detail, provider, reason, "
                "size) VALUES (?,?,?,'',?,?,?)");
    }
    ~Writer() {
        for (auto* s : {notification_, delivery_, event_}) sqlite3_finalize(s);
    }
    void prepare(sqlite3_stmt*& s, const char* sql) {
        sqlite3_prepare_v2(db_, sql, -1, &s, nullptr);
    }
    static void text(sqlite3_stmt* s, int i, const std::string& v) {
        sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    }
    bool run(sqlite3_stmt* s) {
        bool ok = sqlite3_step(s) == SQLITE_DONE;
        sqlite3_reset(s);
        return ok;
    }
    sqlite3* db_;
    sqlite3_stmt *notification_ = nullptr, *delivery_ = nullptr, *event_ = nullptr;
};

struct Event {
    Millis at;
    std::string delivery;
    const char* type;
    std::string provider;
    std::string reason;
    std::int64_t size;
    bool operator<(const Event& o) const { return at < o.at; }
};

// Writes `count` deliveries spread over [from, to) and returns how many events.
long generate(sqlite3* db, long count, Millis from, Millis to) {
    std::mt19937_64 rnd(11);
    auto pick = [&](auto& list) -> decltype(auto) {
        return list[rnd() % (sizeof list / sizeof list[0])];
    };
    Writer w(db);
    long written = 0, events = 0, n = 0;
    // An hour at a time, so that rows go in time order and events wait in memory
    // for an hour at most.
    std::vector<Event> pending;
    const Millis hour = 3'600'000;
    const long per_hour = std::max<long>(1, count / ((to - from) / hour));
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    for (Millis h = from; h < to && written < count; h += hour) {
        for (long k = 0; k < per_hour && written < count;) {
            const Millis created = h + static_cast<Millis>(rnd() % hour);
            // A ULID of its time, as ingest makes them (a counter for the rest).
            std::string count_part = std::to_string(++n);
            const std::string nid =
                util::ulid_prefix(created) + std::string(16 - count_part.size(), '0') + count_part;
            const Channel& ch = pick(kChannels);
            const std::string tmpl = "template-" + std::to_string(rnd() % 20);
            const int priority = static_cast<int>(rnd() % 3);
            sqlite3_bind_text(w.notification_, 1, nid.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(w.notification_, 2, created);
            sqlite3_bind_text(w.notification_, 3, ch.name, -1, SQLITE_STATIC);
            sqlite3_bind_text(w.notification_, 4, pick(kRecipients), -1, SQLITE_STATIC);
            Writer::text(w.notification_, 5, tmpl);
            sqlite3_bind_text(w.notification_, 6, pick(kModules), -1, SQLITE_STATIC);
            sqlite3_bind_text(w.notification_, 7, pick(kCategories), -1, SQLITE_STATIC);
            sqlite3_bind_int(w.notification_, 8, priority);
            w.run(w.notification_);
            const int deliveries = 1 + static_cast<int>(rnd() % 3);
            for (int d = 0; d < deliveries && written < count; ++d, ++k, ++written) {
                const std::string did = nid + "." + std::to_string(d + 1);
                const unsigned outcome = static_cast<unsigned>(rnd() % 100);
                std::string provider = ch.providers[rnd() % ch.providers.size()];
                Millis t = created + 5 + static_cast<Millis>(rnd() % 3000);
                const char* state = "sent";
                if (outcome < 8) {
                    pending.push_back({t, did, "retry", provider, pick(kFailures), -1});
                    t += 1000 + static_cast<Millis>(rnd() % 60000);
                }
                if (outcome < 75) {
                    pending.push_back({t, did, "sent", provider, "",
                                       static_cast<std::int64_t>(50 + rnd() % 4000)});
                    if (outcome % 3 == 0)
                        pending.push_back({t + 2000, did, "delivered", provider, "", -1});
                } else if (outcome < 85) {
                    state = "failed";
                    pending.push_back({t, did, "failed", provider, pick(kFailures), -1});
                } else if (outcome < 95) {
                    state = "suppressed";
                    provider.clear();
                    pending.push_back(
                        {created + 1, did, "suppressed", "", pick(kSuppressions), -1});
                } else if (outcome < 98) {
                    state = "expired";
                    pending.push_back({t + hour, did, "expired", provider, "", -1});
                } else {
                    state = "canceled";
                    pending.push_back({t, did, "canceled", provider, "", -1});
                }
                Writer::text(w.delivery_, 1, did);
                Writer::text(w.delivery_, 2, nid);
                sqlite3_bind_text(w.delivery_, 3, ch.name, -1, SQLITE_STATIC);
                sqlite3_bind_int(w.delivery_, 4, priority);
                sqlite3_bind_text(w.delivery_, 5, state, -1, SQLITE_STATIC);
                sqlite3_bind_int64(w.delivery_, 6, created);
                sqlite3_bind_int64(w.delivery_, 7, t);
                Writer::text(w.delivery_, 8, provider);
                w.run(w.delivery_);
            }
        }
        // Events of this hour and earlier, in time order.
        std::sort(pending.begin(), pending.end());
        auto until =
            std::lower_bound(pending.begin(), pending.end(), Event{h + hour, {}, "", {}, {}, 0});
        for (auto it = pending.begin(); it != until; ++it) {
            Writer::text(w.event_, 1, it->delivery);
            sqlite3_bind_int64(w.event_, 2, it->at);
            sqlite3_bind_text(w.event_, 3, it->type, -1, SQLITE_STATIC);
            Writer::text(w.event_, 4, it->provider);
            Writer::text(w.event_, 5, it->reason);
            sqlite3_bind_int64(w.event_, 6, it->size);
            w.run(w.event_);
            ++events;
        }
        pending.erase(pending.begin(), until);
        if ((h - from) / hour % 24 == 23) {
            sqlite3_exec(db, "COMMIT; BEGIN", nullptr, nullptr, nullptr);
        }
    }
    std::sort(pending.begin(), pending.end());
    for (const auto& e : pending) {
        Writer::text(w.event_, 1, e.delivery);
        sqlite3_bind_int64(w.event_, 2, e.at);
        sqlite3_bind_text(w.event_, 3, e.type, -1, SQLITE_STATIC);
        Writer::text(w.event_, 4, e.provider);
        Writer::text(w.event_, 5, e.reason);
        sqlite3_bind_int64(w.event_, 6, e.size);
        w.run(w.event_);
        ++events;
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    return events;
}

}  // namespace

int reports(const Options& o) {
    const std::string name = "reports";
    if (o.store.empty()) {
        progress(name, "needs --store PATH, a store no daemon is using");
        return 1;
    }
    auto store = store::Store::open(o.store, store::Options{false, 60000, true});
    if (!store) {
        progress(name, store.error().message);
        return 1;
    }
    const long count = o.count > 0 ? o.count : 10'000'000;
    const Millis now = util::now_ms();
    Millis from = store::bucket_start(store::Resolution::day, now - 30 * kDay);
    char value[64];
    store::RollupStore rollups(**store);
    // A store written by an earlier run is timed again over the month it holds.
    const std::int64_t held = *store::Stmt((*store)->handle(), "SELECT COUNT(*) FROM deliveries")
                                   .first([](const store::Stmt& r) { return r.integer(0); });
    Millis until = now;
    if (held > 0) {
        store::Stmt first((*store)->handle(),
                          "SELECT MIN(created_at), MAX(updated_at) FROM deliveries");
        first.step();
        from = store::bucket_start(store::Resolution::day, first.integer(0));
        until = first.integer(1) + 1;
        first.reset();
        report(name, "deliveries in the store", format_count(held) + " (written before)");
    } else {
        progress(name, "writing " + format_count(count) + " deliveries over 30 days");
        Micros t0 = now_us();
        const long events = generate(store::sqlite_handle((*store)->handle()), count, from, now);
        Micros t1 = now_us();
        report(name, "deliveries written",
               format_count(count) + " with " + format_count(events) + " events in " +
                   std::to_string(static_cast<int>(seconds_between(t0, t1))) + " s");
    }
    if (held == 0 || !rollups.has_marks()) {
        progress(name, "counting them (report --rebuild)");
        Micros t0 = now_us();
        auto rebuilt = rollups.rebuild();
        Micros t1 = now_us();
        if (!rebuilt) {
            progress(name, "rebuild failed: " + rebuilt.error().message);
            return 1;
        }
        std::snprintf(value, sizeof value, "%.1f s", seconds_between(t0, t1));
        report(name, "report --rebuild of them all", value);
    }

    const std::vector<std::vector<std::string>> cases = {{},
                                                         {"minute"},
                                                         {"hour"},
                                                         {"day"},
                                                         {"channel"},
                                                         {"provider"},
                                                         {"priority"},
                                                         {"status"},
                                                         {"template"},
                                                         {"module"},
                                                         {"category"},
                                                         {"group"},
                                                         {"day", "channel"},
                                                         {"hour", "status"},
                                                         {"day", "template", "status"},
                                                         {"minute", "channel"},
                                                         {"template", "group"},
                                                         {"day", "channel", "provider"},
                                                         {"hour", "template", "priority"}};
    double slowest = 0;
    std::string slowest_name;
    // Times one report: made with its rows counted and dropped, and answered
    // as GET /v1/reports writes its response; the medians of 5 and the rows
    // the report has in all.
    struct Timed {
        double made_ms = 0, answered_ms = 0;
        std::size_t rows = 0, bytes = 0;
        std::int64_t rows_total = 0;
    };
    auto time_report = [&](const report::RequestText& text) -> Expected<Timed> {
        auto request = report::parse_request(text, now, report::query_names());
        if (!request) return request.error();
        // Rows made and counted, not kept.
        struct Counted : report::RowSink {
            std::size_t rows = 0;
            void begin(const report::Report&) override { rows = 0; }
            void row(const report::Row&) override { ++rows; }
        } counted;
        std::vector<double> ms, made_ms;
        Timed t;
        for (int i = 0; i < 5; ++i) {
            Micros a = now_us();
            auto r = report::make(rollups, *request, counted);
            Micros b = now_us();
            Handed body;  // as notify-ingest's report makers write an answer
            std::ostream out(&body);
            auto answered = report::make_written(rollups, *request, false, out);
            Micros c = now_us();
            if (!r || !answered) return (r ? answered : r).error();
            t.rows = counted.rows;
            t.rows_total = r->rows_total;
            t.bytes = body.bytes();
            made_ms.push_back(static_cast<double>(b - a) / 1000.0);
            ms.push_back(static_cast<double>(c - b) / 1000.0);
        }
        std::sort(made_ms.begin(), made_ms.end());
        std::sort(ms.begin(), ms.end());
        t.made_ms = made_ms[made_ms.size() / 2];
        t.answered_ms = ms[ms.size() / 2];
        return t;
    };
    auto show = [&](const std::string& label, const Timed& t) {
        std::snprintf(value, sizeof value, "%.1f ms (%zu rows, %.1f MB of JSON; made in %.1f ms)",
                      t.answered_ms, t.rows, static_cast<double>(t.bytes) / 1e6, t.made_ms);
        report(name, label, value, "< 200 ms", verdict(t.answered_ms < 200));
        if (t.answered_ms > slowest) {
            slowest = t.answered_ms;
            slowest_name = label;
        }
    };
    std::int64_t largest_rows = 0;
    std::vector<std::string> largest;
    for (const auto& by : cases) {
        report::RequestText text;
        text.since = util::format_rfc3339(from);
        text.until = util::format_rfc3339(until);
        text.by = by;
        auto t = time_report(text);
        if (!t) {
            progress(name, t.error().message);
            return 1;
        }
        show("a month by " + (by.empty() ? std::string("nothing") : util::join(by, ",")), *t);
        if (t->rows_total > largest_rows) {
            largest_rows = t->rows_total;
            largest = by;
        }
    }
    // The largest a page at a time, as the dashboard reads it: the first, one
    // in the middle and the last.
    constexpr std::int64_t kPage = 1000;
    for (std::int64_t offset :
         {std::int64_t{0}, largest_rows / 2, std::max<std::int64_t>(largest_rows - kPage, 0)}) {
        report::RequestText text;
        text.since = util::format_rfc3339(from);
        text.until = util::format_rfc3339(until);
        text.by = largest;
        text.offset = std::to_string(offset);
        text.limit = std::to_string(kPage);
        auto t = time_report(text);
        if (!t) {
            progress(name, t.error().message);
            return 1;
        }
        show("a month by " + util::join(largest, ",") + ", rows " + std::to_string(offset + 1) +
                 "-" + std::to_string(std::min(offset + kPage, largest_rows)) + " of " +
                 std::to_string(largest_rows),
             *t);
    }
    std::snprintf(value, sizeof value, "%.1f ms", slowest);
    report(name, "slowest report over a month", value + (" (" + slowest_name + ")"), "< 200 ms",
           verdict(slowest < 200));
    return 0;
}

}  // namespace notify::bench
