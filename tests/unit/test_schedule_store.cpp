// test_schedule_store.cpp - schedules in the store: definitions added,
// replaced, paused and removed; firings advanced and recorded once each, their
// history newest first and kept when the schedule goes.
#include <catch2/catch.hpp>

#include "store/schedule_store.hpp"
#include "test_router_fixture.hpp"

using namespace notify;
using testing::TempStore;

namespace {

store::ScheduleRow daily(const std::string& name, Millis now) {
    store::ScheduleRow s;
    s.name = name;
    s.kind = "cron";
    s.spec = "0 9 * * MON-FRI";
    s.timezone = "Asia/Shanghai";
    s.misfire = "skip";
    s.notification = R"({"channel":"email","to":["group:ops"],"body":"standup"})";
    s.api_key_id = "k1";
    s.created_at = s.updated_at = now;
    s.next_at = now + 3'600'000;
    return s;
}

}  // namespace

TEST_CASE("schedules are kept by name, paused, advanced and removed") {
    TempStore db;
    store::ScheduleStore schedules(db.db());
    const Millis now = 1'800'000'000'000;
    CHECK(schedules.put(daily("standup", now)));
    CHECK(schedules.put(daily("digest", now)));
    auto s = schedules.get("standup");
    REQUIRE(s);
    CHECK(s->spec == "0 9 * * MON-FRI");
    CHECK(s->timezone == "Asia/Shanghai");
    CHECK(s->misfire == "skip");
    CHECK(s->notification.find("group:ops") != std::string::npos);
    CHECK_FALSE(s->paused);
    CHECK(s->next_at == now + 3'600'000);
    // Replaced whole under its name.
    auto changed = daily("standup", now);
    changed.spec = "30 9 * * *";
    changed.updated_at = now + 5;
    CHECK_FALSE(schedules.put(changed));
    CHECK(schedules.get("standup")->spec == "30 9 * * *");
    auto all = schedules.list();
    REQUIRE(all.size() == 2);
    CHECK(all[0].name == "digest");

    CHECK(schedules.set_paused("standup", true, 0, now + 10));
    CHECK(schedules.get("standup")->paused);
    CHECK(schedules.get("standup")->next_at == 0);
    CHECK_FALSE(schedules.set_paused("nothing", true, 0, now));
    schedules.advance("digest", now + 7'200'000, now + 3'600'000, now + 3'600'001);
    CHECK(schedules.get("digest")->next_at == now + 7'200'000);
    CHECK(schedules.get("digest")->last_at == now + 3'600'000);

    CHECK(schedules.remove("digest"));
    CHECK_FALSE(schedules.remove("digest"));
    CHECK_FALSE(schedules.get("digest"));
}

TEST_CASE("a schedule's firing is recorded once, its history newest first") {
    TempStore db;
    store::ScheduleStore schedules(db.db());
    const Millis t = 1'800'000'000'000;
    schedules.put(daily("standup", t));
    CHECK(schedules.record({"standup", t, t + 3, "made", 1, "01N1", ""}));
    // The same firing again (a router that died after its commit and fires again).
    CHECK_FALSE(schedules.record({"standup", t, t + 9, "made", 1, "01N2", ""}));
    CHECK(schedules.record({"standup", t + 60'000, t + 900'000, "missed", 14, "",
                            "14 firings missed (misfire skip)"}));
    auto history = schedules.history("standup", 10);
    REQUIRE(history.size() == 2);
    CHECK(history[0].outcome == "missed");
    CHECK(history[0].firings == 14);
    CHECK(history[1].notification_id == "01N1");
    CHECK(schedules.history("standup", 1).size() == 1);
    // Kept when the schedule goes, for what it made.
    schedules.remove("standup");
    CHECK(schedules.history("standup", 10).size() == 2);
    // A new schedule of that name starts a history of its own.
    schedules.put(daily("standup", t + 1'000'000));
    CHECK(schedules.history("standup", 10).empty());
    CHECK(schedules.record({"standup", t + 2'000'000, t + 2'000'001, "made", 1, "01N3", ""}));
    REQUIRE(schedules.history("standup", 10).size() == 1);
    CHECK(schedules.history("standup", 10)[0].notification_id == "01N3");
}

TEST_CASE("firings refused for the same reason share one row") {
    TempStore db;
    store::ScheduleStore schedules(db.db());
    const Millis t = 1'800'000'000'000;
    schedules.put(daily("tick", t));
    const std::string gone = "no template 'standup'";
    for (int i = 0; i < 5; ++i)
        CHECK(schedules.record({"tick", t + i * 1000, t + i * 1000 + 5, "refused", 1, "", gone}));
    auto history = schedules.history("tick", 10);
    REQUIRE(history.size() == 1);
    CHECK(history[0].at == t);
    CHECK(history[0].firings == 5);
    CHECK(history[0].handled_at == t + 4005);
    // Another reason, or a firing made in between, starts a new row.
    CHECK(schedules.record({"tick", t + 5000, t + 5005, "refused", 1, "", "no user 'u1'"}));
    CHECK(schedules.record({"tick", t + 6000, t + 6005, "made", 1, "01N1", ""}));
    CHECK(schedules.record({"tick", t + 7000, t + 7005, "refused", 1, "", gone}));
    CHECK(schedules.history("tick", 10).size() == 4);
    // The same firing recorded twice is still refused.
    CHECK_FALSE(schedules.record({"tick", t + 6000, t + 6009, "made", 1, "01N2", ""}));
}
