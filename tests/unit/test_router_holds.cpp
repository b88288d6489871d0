// The router's holds: low-priority bulk until working hours end, medium and
// low deliveries to users until their quiet hours end, in each one's zone;
// high priority and exempt categories never wait.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "holds.hpp"
#include "store/directory_store.hpp"
#include "store/fanout_store.hpp"
#include "test_instants.hpp"
#include "test_router_fixture.hpp"

using namespace notify;
using notify::testing::TempStore;

namespace {

using testing::at;

struct HoldsFixture {
    explicit HoldsFixture(const std::string& extra)
        : config(testing::router_config(extra)), directory(*s), holds(config, directory) {
        auto started = holds.start();
        INFO((started ? "" : started.error().message));
        REQUIRE(started);
    }
    Delivery delivery(Priority priority, const std::string& user_id = {}) {
        Delivery d;
        d.id = "n1." + std::to_string(++deliveries);
        d.notification_id = "n1";
        d.channel = "email";
        d.recipient = "a@example.com";
        d.user_id = user_id;
        d.priority = priority;
        return d;
    }
    // "until RFC3339 (why)", or "" when it does not wait.
    std::string hold(const Delivery& d, const router::NotificationFacts& facts, Millis when) {
        auto h = holds.check(d, facts, when);
        return h ? util::format_rfc3339(h->until) + " (" + h->why + ")" : "";
    }

    TempStore s;
    Config config;
    store::DirectoryStore directory;
    router::Holds holds;
    int deliveries = 0;
};

router::NotificationFacts facts_of(bool bulk, const std::string& category = {}) {
    router::NotificationFacts f;
    f.bulk = bulk;
    f.dims.category = category;
    return f;
}

const char* const kCalendar = "[calendar]\ntimezone = \"Asia/Shanghai\"\nhours = \"09:00-18:00\"\n";

}  // namespace

TEST_CASE("Low-priority bulk waits for working hours to end", "[router][holds]") {
    HoldsFixture f(kCalendar);
    const auto bulk = facts_of(true), single = facts_of(false);
    // Friday 2026-12-04, 10:00 in Shanghai: a working day, in working hours.
    const Millis friday = at("2026-12-04T10:00:00+08:00");
    CHECK(f.hold(f.delivery(Priority::low), bulk, friday) ==
          "2026-12-04T10:00:00Z (working hours)");
    CHECK(f.hold(f.delivery(Priority::medium), bulk, friday).empty());
    CHECK(f.hold(f.delivery(Priority::high), bulk, friday).empty());
    CHECK(f.hold(f.delivery(Priority::low), single, friday).empty());
    // Out of hours, or on a weekend, it goes at once.
    CHECK(f.hold(f.delivery(Priority::low), bulk, at("2026-12-04T18:00:00+08:00")).empty());
    CHECK(f.hold(f.delivery(Priority::low), bulk, at("2026-12-05T10:00:00+08:00")).empty());
}

TEST_CASE("hold_bulk = false leaves bulk alone", "[router][holds]") {
    HoldsFixture f(std::string(kCalendar) + "hold_bulk = false\n");
    CHECK(
        f.hold(f.delivery(Priority::low), facts_of(true), at("2026-12-04T10:00:00+08:00")).empty());
}

TEST_CASE("Quiet hours hold users' medium and low deliveries in their zone", "[router][holds]") {
    HoldsFixture f(std::string(kCalendar) +
                   "[preferences]\nquiet_hours = \"22:00-08:00\"\nquiet_hours_exempt = "
                   "[\"alerts\"]\n");
    f.s.user("ann", "ann@example.com");
    f.s.user("bob", "bob@example.com");
    f.s.user("cy", "cy@example.com");
    f.s.user("dee", "dee@example.com");
    f.s.exec("UPDATE users SET timezone = 'America/New_York' WHERE id = 'bob'");
    f.s.exec("UPDATE users SET quiet_hours = '23:00-06:30:30' WHERE id = 'cy'");
    f.s.exec("UPDATE users SET quiet_hours = 'off' WHERE id = 'dee'");
    const auto plain = facts_of(false);
    // 23:00 in Shanghai is 10:00 in New York.
    const Millis night = at("2026-12-04T23:00:00+08:00");
    // Ann has no zone: the calendar's; the default window.
    CHECK(f.hold(f.delivery(Priority::medium, "ann"), plain, night) ==
          "2026-12-05T00:00:00Z (quiet hours)");
    CHECK(f.hold(f.delivery(Priority::low, "ann"), plain, night) ==
          "2026-12-05T00:00:00Z (quiet hours)");
    CHECK(f.hold(f.delivery(Priority::high, "ann"), plain, night).empty());
    CHECK(f.hold(f.delivery(Priority::medium, "ann"), facts_of(false, "alerts"), night).empty());
    // A raw address has no user to ask.
    CHECK(f.hold(f.delivery(Priority::medium), plain, night).empty());
    CHECK(f.hold(f.delivery(Priority::medium, "bob"), plain, night).empty());
    CHECK(f.hold(f.delivery(Priority::medium, "bob"), plain, at("2026-12-04T23:00:00-05:00")) ==
          "2026-12-05T13:00:00Z (quiet hours)");
    CHECK(f.hold(f.delivery(Priority::medium, "cy"), plain, night) ==
          "2026-12-04T22:30:30Z (quiet hours)");
    CHECK(f.hold(f.delivery(Priority::medium, "dee"), plain, night).empty());
    CHECK(f.hold(f.delivery(Priority::medium, "nobody"), plain, night).empty());
    CHECK(f.hold(f.delivery(Priority::medium, "ann"), plain, at("2026-12-05T08:00:00+08:00"))
              .empty());
}

TEST_CASE("A hold that ends inside the other waits for both", "[router][holds]") {
    HoldsFixture f(std::string(kCalendar) + "[preferences]\nquiet_hours = \"06:00-12:00\"\n");
    f.s.user("ann", "ann@example.com");
    // Low bulk to Ann at 07:00 on a Friday: quiet until 12:00, then working
    // hours until 18:00.
    CHECK(
        f.hold(f.delivery(Priority::low, "ann"), facts_of(true), at("2026-12-04T07:00:00+08:00")) ==
        "2026-12-04T10:00:00Z (quiet hours and working hours)");
}

TEST_CASE("Holds that leave no time free: quiet hours alone decide", "[router][holds]") {
    HoldsFixture f(
        "[calendar]\ntimezone = \"Asia/Shanghai\"\nhours = \"09:00-18:00\"\n"
        "workdays = [\"MON\", \"TUE\", \"WED\", \"THU\", \"FRI\", \"SAT\", \"SUN\"]\n"
        "[preferences]\nquiet_hours = \"18:00-09:00\"\n");
    f.s.user("ann", "ann@example.com");
    const auto bulk = facts_of(true);
    // In working hours, not quiet: quiet hours alone do not hold it.
    CHECK(f.hold(f.delivery(Priority::low, "ann"), bulk, at("2026-12-04T10:00:00+08:00")).empty());
    // In quiet hours: until they end, though working hours begin then.
    CHECK(f.hold(f.delivery(Priority::low, "ann"), bulk, at("2026-12-04T20:00:00+08:00")) ==
          "2026-12-05T01:00:00Z (quiet hours)");
    // A raw address has no quiet hours: working hours alone.
    CHECK(f.hold(f.delivery(Priority::low), bulk, at("2026-12-04T10:00:00+08:00")) ==
          "2026-12-04T10:00:00Z (working hours)");
}

TEST_CASE("With no [calendar] and no quiet hours nothing is held", "[router][holds]") {
    HoldsFixture f("");
    f.s.user("ann", "ann@example.com");
    CHECK(f.hold(f.delivery(Priority::low, "ann"), facts_of(true), util::now_ms()).empty());
}

TEST_CASE("Without a default, a user's own quiet hours count once set", "[router][holds]") {
    HoldsFixture f("[calendar]\ntimezone = \"Asia/Shanghai\"\n");
    f.s.user("ann", "ann@example.com");
    const Millis night = at("2026-12-04T23:00:00+08:00");
    auto hold = [&] { return f.hold(f.delivery(Priority::medium, "ann"), facts_of(false), night); };
    CHECK(hold().empty());
    CHECK_FALSE(f.directory.any_quiet_hours());
    f.s.exec("UPDATE users SET quiet_hours = '22:00-07:00' WHERE id = 'ann'");
    CHECK(f.directory.any_quiet_hours());
    // "Nobody keeps quiet hours" is trusted for a second at most.
    const Millis deadline = util::now_ms() + 5000;
    while (hold().empty() && util::now_ms() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(hold() == "2026-12-04T23:00:00Z (quiet hours)");
    f.s.exec("UPDATE users SET quiet_hours = 'off' WHERE id = 'ann'");
    CHECK_FALSE(f.directory.any_quiet_hours());
    CHECK(hold().empty());
}

TEST_CASE("Working hours all day, every day hold bulk a year at most", "[router][holds]") {
    HoldsFixture f(
        "[calendar]\ntimezone = \"Asia/Shanghai\"\nhours = \"00:00-24:00\"\n"
        "workdays = [\"MON\", \"TUE\", \"WED\", \"THU\", \"FRI\", \"SAT\", \"SUN\"]\n");
    const Millis now = at("2026-12-04T10:00:00+08:00");
    auto h = f.holds.check(f.delivery(Priority::low), facts_of(true), now);
    REQUIRE(h);
    CHECK(h->why == "working hours");
    CHECK(h->until > now + 300LL * 24 * 3600 * 1000);
    CHECK(h->until <= now + 367LL * 24 * 3600 * 1000);
}
