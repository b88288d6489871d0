// A schedule request checked before it is stored (accept/schedule_request.hpp):
// what it is stored as, each refusal with its field, and what a firing makes.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "accept/schedule_request.hpp"
#include "test_ingest_fixture.hpp"
#include "util/time.hpp"

using namespace notify;
using nlohmann::json;

namespace {

constexpr Millis kNow = 1'800'000'000'000;  // 2027-01-15T08:00:00Z

Expected<accept::ScheduleRequest> read(const Config& c, const std::string& text,
                                       const std::string& path_name = {}) {
    accept::RequestContext ctx{&c, kNow, "tester", nullptr, nullptr, "key-1"};
    return accept::read_schedule(json::parse(text), ctx, path_name);
}

std::string field_of(const Config& c, const std::string& text) {
    auto r = read(c, text);
    return r ? std::string("ok") : r.error().field;
}

}  // namespace

TEST_CASE("a schedule request is stored as it was given, its first firing worked out") {
    Config c = ingest_test_config();
    auto r = read(c, R"({"name":"standup","cron":"0 9 * * MON-FRI","timezone":"Asia/Shanghai",
                         "misfire":"skip","notification":{"channel":"email",
                         "to":"ops@example.com","subject":"s","body":"b","expires_in":"30m"}})");
    REQUIRE(r);
    CHECK(r->row.name == "standup");
    CHECK(r->row.kind == "cron");
    CHECK(r->row.spec == "0 9 * * MON-FRI");
    CHECK(r->row.timezone == "Asia/Shanghai");
    CHECK(r->row.misfire == "skip");
    CHECK(r->row.api_key_id == "key-1");
    CHECK(r->row.created_at == kNow);
    // Friday 2027-01-15 16:00 in Shanghai: the next is Monday 09:00 (01:00Z).
    CHECK(util::format_rfc3339(r->row.next_at) == "2027-01-18T01:00:00Z");
    CHECK(json::parse(r->row.notification)["expires_in"] == "30m");

    auto every = read(c, R"({"cron":null,"every":"15m","notification":{"channel":"hook",
                             "body":"b"}})",
                      "tick");
    REQUIRE(every);
    CHECK(every->row.name == "tick");
    CHECK(every->row.spec == "900000");
    CHECK(every->row.next_at == kNow + 900'000);
    auto spec = accept::spec_of(every->row);
    REQUIRE(spec);
    CHECK(spec->next_after(kNow + 900'000) == kNow + 1'800'000);
}

TEST_CASE("a bad schedule request names its field") {
    Config c = ingest_test_config();
    const std::string n = R"("notification":{"channel":"hook","body":"b"})";
    CHECK(field_of(c, R"({"name":"a","cron":"60 * * * *",)" + n + "}") == "cron");
    CHECK(field_of(c, R"({"name":"a","every":"0s",)" + n + "}") == "every");
    CHECK(field_of(c, R"({"name":"a","cron":"@daily","timezone":"Nowhere/Else",)" + n + "}") ==
          "timezone");
    CHECK(field_of(c, R"({"name":"a","every":"1m","until":"2020-01-01",)" + n + "}") == "until");
    CHECK(field_of(c, R"({"name":"a","every":"1m","misfire":"twice",)" + n + "}") == "misfire");
    CHECK(field_of(c, R"({"name":"a","every":"1m","paused":"yes",)" + n + "}") == "paused");
    CHECK(field_of(c, R"({"name":"-a","every":"1m",)" + n + "}") == "name");
    CHECK(field_of(c, R"({"every":"1m",)" + n + "}") == "name");
    CHECK(field_of(c, R"({"name":"a","every":"1m"})") == "notification");
    CHECK(field_of(c, R"({"name":"a","every":"1m","notification":{"channel":"hook","body":"b",
                          "idempotency_key":"k"}})") == "notification.idempotency_key");
    CHECK(field_of(c, R"({"name":"a","every":"1m","notification":{"channel":"nope"}})") ==
          "notification.channel");
    CHECK(field_of(c, R"({"name":"a","every":"1m","notify":{}})") == "notify");
    auto other = read(c, R"({"name":"a","every":"1m",)" + n + "}", "b");
    REQUIRE_FALSE(other);
    CHECK(other.error().code == "conflicting_fields");
    CHECK(schedule::check_schedule_name(std::string(65, 'a'), "NAME").error().field == "NAME");
    CHECK(schedule::check_schedule_name("daily.report_2-b", "NAME"));
}

TEST_CASE("a firing's notification expires counting from the firing") {
    Config c = ingest_test_config();
    auto r = read(c, R"({"name":"a","every":"1h","notification":{"channel":"hook","body":"b",
                         "expires_in":"30m"}})");
    REQUIRE(r);
    const Millis at = kNow + 3'600'000;
    accept::RequestContext ctx{&c, at + 60'000, "schedule:a", nullptr, nullptr, "key-1"};
    auto n = accept::firing_notification(r->row, at, ctx);
    REQUIRE(n);
    CHECK(n->notification.expires_at == at + 1'800'000);
    CHECK(n->notification.source == "schedule:a");
    CHECK(n->notification.api_key_id == "key-1");
    // Handled after it would have expired: none is made, and it says why.
    ctx.now = at + 1'800'000;
    auto late = accept::firing_notification(r->row, at, ctx);
    REQUIRE_FALSE(late);
    CHECK(late.error().code == "expired");
}
