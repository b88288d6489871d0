// notifyctl schedule add|ls|show|pause|resume|history|rm: what add refuses
// before anything is sent, the requests each subcommand makes of
// /v1/schedules, and what they print. An in-test ZeroMQ ROUTER stands in for
// notify-ingest.
#include <catch2/catch.hpp>

#include <atomic>
#include <nlohmann/json.hpp>
#include <sstream>

#include "schedule/zone.hpp"
#include "test_cli_fake_ingest.hpp"
#include "test_cli_helpers.hpp"

using nlohmann::json;
using notify::cli::test::FakeIngest;
using notify::cli::test::notifyctl;
using Setup = notify::cli::test::IngestSetup;

namespace {

json view(const std::string& name, bool paused, const json& next_at) {
    return {{"name", name},
            {"describe", "cron 0 9 * * MON Asia/Shanghai"},
            {"cron", "0 9 * * MON"},
            {"timezone", "Asia/Shanghai"},
            {"until", nullptr},
            {"misfire", "once"},
            {"paused", paused},
            {"next_at", next_at},
            {"last_at", nullptr},
            {"created_at", "2030-01-01T10:00:00+08:00"},
            {"updated_at", "2030-01-01T10:00:00+08:00"},
            {"notification",
             {{"channel", "email"}, {"to", {"group:managers"}}, {"template", "weekly-report"}}}};
}

json reply(int status, json body) {
    return {{"status", status}, {"body", std::move(body)}};
}

const std::string kNext = "2030-01-07T09:00:00+08:00";

}  // namespace

TEST_CASE("schedule add checks its name, times and misfire policy before sending", "[cli]") {
    Setup s;
    FakeIngest ingest(s.endpoint, [](const json&) { return reply(500, json::object()); });
    auto add = [&](std::vector<std::string> args) {
        std::vector<std::string> all = {"--config", s.config, "schedule", "add"};
        all.insert(all.end(), args.begin(), args.end());
        for (const char* a : {"--channel", "email", "--to", "a@example.com", "hi"})
            all.push_back(a);
        return notifyctl(all);
    };
    SECTION("a cron expression") {
        auto r = add({"x", "--cron", "60 * * * *"});
        CHECK(r.rc == 65);
        CHECK(r.err == "notifyctl: error: --cron: minute: 60 is out of range 0-59\n");
    }
    SECTION("one of --cron, --every and --at") {
        CHECK(add({"x"}).rc == 65);
        auto r = add({"x", "--cron", "@daily", "--every", "1h"});
        CHECK(r.rc == 65);
        CHECK(r.err.find("only one of --cron, --every and --at") != std::string::npos);
    }
    SECTION("a period, a time in the past, a zone, an end") {
        CHECK(add({"x", "--every", "500ms"}).err.rfind("notifyctl: error: --every: ", 0) == 0);
        CHECK(add({"x", "--at", "2020-01-01T00:00:00Z"}).err.rfind("notifyctl: error: --at: ", 0) ==
              0);
        CHECK(add({"x", "--cron", "@daily", "--tz", "Mars/Olympus"})
                  .err.rfind("notifyctl: error: --tz: ", 0) == 0);
        auto r = add({"x", "--cron", "@daily", "--until", "2020-01-01"});
        CHECK(r.rc == 65);
        CHECK(r.err.rfind("notifyctl: error: --until: ", 0) == 0);
    }
    SECTION("the misfire policy") {
        auto r = add({"x", "--cron", "@daily", "--misfire", "onse"});
        CHECK(r.rc == 65);
        CHECK(r.err ==
              "notifyctl: error: --misfire: the misfire policy is once, all or skip, not 'onse', "
              "did you mean 'once'?\n");
    }
    SECTION("the name") {
        for (const auto& bad :
             std::vector<std::string>{"bad name", ".x", std::string(65, 'a'), "caf\xc3\xa9"}) {
            auto r = add({bad, "--cron", "@daily"});
            CHECK(r.rc == 65);
            CHECK(r.err.rfind("notifyctl: error: NAME: '", 0) == 0);
        }
    }
    SECTION("the notification, as send checks it") {
        auto r = notifyctl({"--config", s.config, "schedule", "add", "x", "--cron", "@daily",
                            "--channel", "email", "--to", "a@example.com", "-"},
                           "caf\xe9");
        CHECK(r.rc == 65);
        CHECK(r.err ==
              "notifyctl: error: schedule add: body is not valid UTF-8 (byte 0xe9 at offset 3)\n");
        r = notifyctl({"--config", s.config, "schedule", "add", "x", "--cron", "@daily",
                       "--channel", "email"});
        CHECK(r.rc == 64);
        CHECK(r.err.find("nothing to send") != std::string::npos);
    }
    CHECK(ingest.requests().empty());
}

TEST_CASE("schedule add sends the schedule as written and prints its next firing", "[cli]") {
    Setup s;
    FakeIngest ingest(s.endpoint, [](const json& q) -> json {
        const json& b = q["body"];
        if (q["method"] == "POST" && b["name"] == "taken")
            return reply(409, {{"error",
                                {{"code", "schedule_exists"},
                                 {"message", "schedule 'taken' exists"},
                                 {"field", "name"}}}});
        return reply(q["method"] == "PUT" ? 200 : 201,
                     view(b["name"], b.value("paused", false), kNext));
    });
    SECTION("POST with the send options as its notification") {
        auto r = notifyctl({"--config",      s.config,         "schedule",
                            "add",           "weekly-report",  "--cron",
                            "0 9 * * MON",   "--tz",           "Asia/Shanghai",
                            "--until",       "2099-01-01",     "--misfire",
                            "skip",          "--channel",      "email",
                            "--to",          "group:managers", "--template",
                            "weekly-report", "--data",         "{\"team\":\"ops\"}",
                            "--priority",    "high",           "--expires-in",
                            "90m",           "--category",     "reports"});
        CHECK(r.rc == 0);
        CHECK(r.out == "weekly-report\nnext: " + kNext + "\n");
        auto q = ingest.requests().at(0);
        CHECK(q["method"] == "POST");
        CHECK(q["path"] == "/v1/schedules");
        CHECK(q["body"] == json{{"name", "weekly-report"},
                                {"cron", "0 9 * * MON"},
                                {"timezone", "Asia/Shanghai"},
                                {"until", "2099-01-01"},
                                {"misfire", "skip"},
                                {"notification",
                                 {{"channel", "email"},
                                  {"to", {"group:managers"}},
                                  {"template", "weekly-report"},
                                  {"data", {{"team", "ops"}}},
                                  {"priority", "high"},
                                  {"expires_in", "1h30m"},
                                  {"category", "reports"}}}});
    }
    SECTION("--every and --at go as written; --paused") {
        auto r = notifyctl({"--config", s.config, "schedule", "add", "beat", "--every", "15m",
                            "--paused", "--channel", "sms", "--to", "+8613800138000", "-"},
                           "still alive");
        CHECK(r.rc == 0);
        CHECK(r.out == "beat\npaused\n");
        CHECK(ingest.requests().at(0)["body"] ==
              json{{"name", "beat"},
                   {"every", "15m"},
                   {"paused", true},
                   {"timezone", notify::schedule::Zone::local().name()},
                   {"notification",
                    {{"channel", "sms"}, {"to", {"+8613800138000"}}, {"body", "still alive"}}}});
        r = notifyctl({"--config", s.config, "schedule", "add", "once", "--at", "now+1h",
                       "--channel", "sms", "--subject", "s"});
        CHECK(r.rc == 0);
        CHECK(ingest.requests().at(1)["body"]["at"] == "now+1h");
        // Without --tz, the zone the times were read in here.
        CHECK(ingest.requests().at(1)["body"]["timezone"] ==
              notify::schedule::Zone::local().name());
    }
    SECTION("--replace PUTs it under its name") {
        auto r = notifyctl({"--config", s.config, "schedule", "add", "taken", "--replace", "--cron",
                            "@daily", "--channel", "email", "x"});
        CHECK(r.rc == 0);
        CHECK(ingest.requests().at(0)["method"] == "PUT");
        CHECK(ingest.requests().at(0)["path"] == "/v1/schedules/taken");
        r = notifyctl({"--config", s.config, "--json", "schedule", "add", "taken", "--replace",
                       "--cron", "@daily", "--channel", "email", "x"});
        CHECK(json::parse(r.out) == view("taken", false, kNext));
    }
    SECTION("a name that is taken hints at --replace") {
        auto r = notifyctl({"--config", s.config, "schedule", "add", "taken", "--cron", "@daily",
                            "--channel", "email", "x"});
        CHECK(r.rc == 65);
        CHECK(r.err ==
              "notifyctl: error: schedule add: field 'name': schedule 'taken' exists (use "
              "--replace to change it)\n");
    }
}

TEST_CASE("schedule ls, show, pause, resume, history and rm", "[cli]") {
    Setup s;
    std::atomic<bool> none{false};
    FakeIngest ingest(s.endpoint, [&none](const json& q) -> json {
        const std::string method = q["method"], path = q["path"];
        if (path == "/v1/schedules") {
            if (none) return reply(200, {{"schedules", json::array()}});
            json ended = view("old", false, nullptr);
            ended["describe"] = "at 2030-01-01T00:00:00Z";
            ended["last_at"] = "2030-01-01T00:00:00Z";
            return reply(200, {{"schedules",
                                {view("a.b", false, kNext), view("held", true, nullptr), ended}}});
        }
        if (path == "/v1/schedules/a.b") {
            if (method == "DELETE") return reply(200, {{"name", "a.b"}, {"deleted", true}});
            json v = view("a.b", false, kNext);
            v["next_firings"] = {kNext, "2030-01-14T09:00:00+08:00"};
            return reply(200, v);
        }
        if (path == "/v1/schedules/a.b/pause") return reply(200, view("a.b", true, nullptr));
        if (path == "/v1/schedules/a.b/resume") return reply(200, view("a.b", false, kNext));
        if (path == "/v1/schedules/a.b/history")
            return reply(200, {{"name", "a.b"},
                               {"history",
                                {{{"at", "2030-01-07T09:00:00+08:00"},
                                  {"handled_at", "2030-01-07T09:00:01+08:00"},
                                  {"outcome", "made"},
                                  {"firings", 1},
                                  {"notification_id", "N1"},
                                  {"detail", ""}},
                                 {{"at", "2029-12-24T09:00:00+08:00"},
                                  {"handled_at", "2030-01-01T09:00:00+08:00"},
                                  {"outcome", "missed"},
                                  {"firings", 2},
                                  {"notification_id", nullptr},
                                  {"detail", "2 firings missed (misfire skip)"}}}}});
        if (path == "/v1/notifications") return reply(200, {{"notifications", json::array()}});
        return reply(404, {{"error", {{"code", "not_found"}, {"message", "no schedule"}}}});
    });
    auto run = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"--config", s.config});
        return notifyctl(args);
    };
    SECTION("ls: a table; JSON Lines; none") {
        auto r = run({"schedule", "ls"});
        CHECK(r.rc == 0);
        CHECK(
            r.out ==
            "NAME  WHEN                            STATE   NEXT                       LAST        "
            "          CHANNEL\n"
            "a.b   cron 0 9 * * MON Asia/Shanghai  active  2030-01-07T09:00:00+08:00  -           "
            "          email\n"
            "held  cron 0 9 * * MON Asia/Shanghai  paused  -                          -           "
            "          email\n"
            "old   at 2030-01-01T00:00:00Z         ended   -                          "
            "2030-01-01T00:00:00Z  email\n");
        CHECK(ingest.requests().back()["method"] == "GET");
        r = run({"schedule", "ls", "--json"});
        std::istringstream lines(r.out);
        std::string line;
        std::vector<std::string> names;
        while (std::getline(lines, line)) names.push_back(json::parse(line)["name"]);
        CHECK(names == std::vector<std::string>{"a.b", "held", "old"});
        none = true;
        r = run({"schedule", "ls"});
        CHECK(r.out == "no schedules (add one with 'notifyctl schedule add')\n");
        CHECK(run({"schedule", "ls", "--json"}).out.empty());
    }
    SECTION("show") {
        auto r = run({"schedule", "show", "a.b"});
        CHECK(r.rc == 0);
        CHECK(r.out ==
              "name:      a.b\n"
              "when:      cron 0 9 * * MON Asia/Shanghai\n"
              "timezone:  Asia/Shanghai\n"
              "misfire:   once\n"
              "state:     active\n"
              "next:      2030-01-07T09:00:00+08:00\n"
              "last:      never\n"
              "created:   2030-01-01T10:00:00+08:00\n"
              "updated:   2030-01-01T10:00:00+08:00\n"
              "channel:   email\n"
              "to:        group:managers\n"
              "template:  weekly-report\n"
              "priority:  medium\n"
              "next firings:\n"
              "  2030-01-07T09:00:00+08:00\n"
              "  2030-01-14T09:00:00+08:00\n");
        r = run({"schedule", "show", "nope", "--json"});
        CHECK(r.rc == 65);
        CHECK(r.err == "notifyctl: error: schedule show 'nope': no schedule\n");
        CHECK(r.out.empty());
    }
    SECTION("names are escaped in paths") {
        run({"schedule", "show", "a/b c"});
        CHECK(ingest.requests().back()["path"] == "/v1/schedules/a%2Fb%20c");
    }
    SECTION("pause and resume") {
        auto r = run({"schedule", "pause", "a.b"});
        CHECK(r.out == "a.b paused\n");
        CHECK(ingest.requests().back()["method"] == "POST");
        CHECK(ingest.requests().back()["body"].is_null());
        r = run({"schedule", "resume", "a.b"});
        CHECK(r.out == "a.b resumed, next: " + kNext + "\n");
        CHECK(run({"-q", "schedule", "pause", "a.b"}).out.empty());
    }
    SECTION("history") {
        auto r = run({"schedule", "history", "a.b", "--limit", "5"});
        CHECK(r.rc == 0);
        CHECK(ingest.requests().back()["query"] == json{{"limit", "5"}});
        CHECK(r.out ==
              "AT                         OUTCOME  FIRINGS  NOTIFICATION  DETAIL\n"
              "2030-01-07T09:00:00+08:00  made     1        N1            -\n"
              "2029-12-24T09:00:00+08:00  missed   2        -             2 firings missed "
              "(misfire skip)\n");
        run({"schedule", "history", "a.b"});
        CHECK(ingest.requests().back()["query"] == json{{"limit", "20"}});
        CHECK(run({"schedule", "history", "a.b", "--limit", "1001"}).rc == 64);
    }
    SECTION("rm") {
        auto r = run({"schedule", "rm", "a.b"});
        CHECK(r.rc == 0);
        CHECK(r.out == "removed schedule a.b\n");
        CHECK(ingest.requests().back()["method"] == "DELETE");
        r = run({"schedule", "rm", "a.b", "--json"});
        CHECK(json::parse(r.out) == json{{"name", "a.b"}, {"deleted", true}});
    }
    SECTION("ls --schedule asks for what a schedule made") {
        run({"ls", "--schedule", "a.b"});
        CHECK(ingest.requests().back()["query"] == json{{"schedule", "a.b"}});
    }
}
