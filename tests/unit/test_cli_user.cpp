// test_cli_user.cpp - notifyctl user ... and group ... against a scratch store.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "test_cli_helpers.hpp"
#include "util/strings.hpp"

using namespace notify;
using namespace notify::cli::test;
using nlohmann::json;

namespace {

struct Setup {
    ScratchDir dir;
    std::string config =
        dir.write("notify.toml", "runtime_dir = \"" + dir.path() + "\"\n[store]\npath = \"" +
                                     dir.path() + "/notify.db\"\n");
    Outcome run(std::vector<std::string> args, const std::string& input = "") const {
        args.insert(args.begin(), {"--config", config});
        return notifyctl(args, input);
    }
};

size_t lines(const std::string& s) {
    return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

TEST_CASE("user add, set, show, ls and rm", "[cli][directory]") {
    Setup s;
    auto empty = s.run({"user", "ls"});
    CHECK(empty.rc == 0);
    CHECK(empty.out.find("no users") == 0);
    CHECK(s.run({"user", "show", "ann"}).err ==
          "notifyctl: error: no user 'ann' in the directory\n");

    auto add = s.run({"user",
                      "add",
                      "ann",
                      "--name",
                      "Ann",
                      "--email",
                      "ann@example.com",
                      "--phone",
                      "+8613800138000",
                      "--locale",
                      "zh-CN",
                      "--tz",
                      "Asia/Shanghai",
                      "--identity",
                      "wecom=ANN01",
                      "--identity",
                      "hook=https://127.0.0.1/a",
                      "--attr",
                      "plan=pro",
                      "--group",
                      "ops"});
    REQUIRE(add.rc == 0);
    CHECK(add.out == "added user ann\n");
    auto twice = s.run({"user", "add", "ann"});
    CHECK(twice.rc == 65);
    CHECK(twice.err ==
          "notifyctl: error: user 'ann' already exists (change it with 'notifyctl "
          "user set ann')\n");
    auto bad = s.run({"user", "add", "bob", "--phone", "138"});
    CHECK(bad.rc == 65);
    CHECK(bad.err.find("invalid phone number '138'") != std::string::npos);
    CHECK(s.run({"user", "add", "bob", "--identity", "wecom"}).rc == 64);

    // set changes only what it is given; CH= and K= remove.
    auto set = s.run({"--json", "user", "set", "ann", "--name", "Ann Smith", "--identity",
                      "hook=", "--attr", "plan=", "--attr", "tier=gold", "--group", "vip"});
    REQUIRE(set.rc == 0);
    json u = json::parse(set.out);
    CHECK(u["name"] == "Ann Smith");
    CHECK(u["email"] == "ann@example.com");
    CHECK(u["identities"] == json{{"wecom", "ANN01"}});
    CHECK(u["attributes"] == json{{"tier", "gold"}});
    CHECK(u["groups"] == json::array({"ops", "vip"}));
    CHECK(s.run({"user", "set", "zed", "--name", "Z"}).rc == 65);

    auto show = s.run({"user", "show", "ann"});
    CHECK(show.rc == 0);
    CHECK(show.out.find("identities:  wecom=ANN01\n") != std::string::npos);

    // Devices: several addresses on one channel, one added or removed at a time.
    REQUIRE(s.run({"user", "set", "ann", "--identity", "push=t1", "--identity", "push=t2"}).rc ==
            0);
    REQUIRE(s.run({"user", "set", "ann", "--add-identity", "push=t3"}).rc == 0);
    REQUIRE(s.run({"user", "set", "ann", "--remove-identity", "push=t1"}).rc == 0);
    auto devices = s.run({"--json", "user", "show", "ann"});
    CHECK(json::parse(devices.out)["identities"] == json{{"wecom", "ANN01"}, {"push", "t3"}});
    CHECK(json::parse(devices.out)["addresses"]["push"] == json::array({"t2", "t3"}));
    CHECK(s.run({"user", "set", "ann", "--remove-identity", "push=t9"}).rc == 65);
    REQUIRE(s.run({"user", "set", "ann", "--identity", "push="}).rc == 0);
    CHECK(json::parse(s.run({"--json", "user", "show", "ann"}).out)["identities"] ==
          json{{"wecom", "ANN01"}});
    CHECK(s.run({"user", "set", "ann", "--add-identity", "push"}).rc == 64);
    CHECK(show.out.find("groups:      ops, vip\n") != std::string::npos);

    REQUIRE(s.run({"user", "add", "bob", "--module", "crm"}).rc == 0);
    auto ls = s.run({"user", "ls"});
    CHECK(ls.out.rfind("ID   NAME       EMAIL            PHONE           MODULE  GROUPS\n", 0) ==
          0);
    CHECK(lines(ls.out) == 3);
    auto by_module = s.run({"--json", "user", "ls", "--module", "crm"});
    CHECK(lines(by_module.out) == 1);
    CHECK(json::parse(by_module.out)["id"] == "bob");
    auto limited = s.run({"user", "ls", "--limit", "1"});
    CHECK(lines(limited.out) == 2);
    CHECK(limited.err.find("showing the first 1 users") != std::string::npos);
    CHECK(s.run({"user", "ls", "--group", "nope"}).rc == 65);

    CHECK(s.run({"user", "rm", "bob"}).out == "removed user bob\n");
    CHECK(s.run({"user", "rm", "bob"}).rc == 65);
}

TEST_CASE("user quiet hours: set, shown, cleared and refused", "[cli][directory]") {
    Setup s;
    auto shown = [&] {
        std::string out = s.run({"user", "show", "ann"}).out;
        auto at = out.find("quiet hours: ");
        return at == std::string::npos ? out : out.substr(at, out.find('\n', at) - at);
    };
    auto stored = [&] {
        return json::parse(s.run({"--json", "user", "show", "ann"}).out)["quiet_hours"];
    };
    REQUIRE(s.run({"user", "add", "ann", "--tz", "Asia/Shanghai", "--quiet-hours", " 22:00 - 7:30"})
                .rc == 0);
    CHECK(shown() == "quiet hours: 22:00-07:30");
    CHECK(stored() == "22:00-07:30");
    CHECK(json::parse(s.run({"--json", "user", "ls"}).out)["quiet_hours"] == "22:00-07:30");
    // beside the timezone line
    CHECK(s.run({"user", "show", "ann"})
              .out.find("timezone:    Asia/Shanghai\n"
                        "quiet hours: 22:00-07:30\n") != std::string::npos);

    REQUIRE(s.run({"user", "set", "ann", "--quiet-hours", "OFF"}).rc == 0);
    CHECK(shown() == "quiet hours: off");
    REQUIRE(s.run({"user", "set", "ann", "--quiet-hours", ""}).rc == 0);
    CHECK(shown() == "quiet hours: - (default)");
    CHECK(stored() == "");

    REQUIRE(s.run({"user", "set", "ann", "--quiet-hours", "23:00-06:00"}).rc == 0);
    auto bad = s.run({"user", "set", "ann", "--quiet-hours", "25:00-07:00"});
    CHECK(bad.rc == 65);
    CHECK(bad.err ==
          "notifyctl: error: quiet_hours: '25:00-07:00' is not HH:MM-HH:MM, like "
          "\"22:00-07:30\" (seconds too: \"22:00:00-07:30:30\"); 'off' for none\n");
    CHECK(stored() == "23:00-06:00");
    auto empty_window = s.run({"user", "add", "bob", "--quiet-hours", "08:00-8:00"});
    CHECK(empty_window.rc == 65);
    CHECK(empty_window.err.find("quiet_hours: '08:00-8:00' begins where it ends") !=
          std::string::npos);
    CHECK(s.run({"user", "show", "bob"}).rc == 65);

    // The global -q/--quiet still works after the command.
    auto quiet = s.run({"user", "set", "ann", "--name", "Ann", "--quiet"});
    CHECK(quiet.rc == 0);
    CHECK(quiet.out == "");
    CHECK(stored() == "23:00-06:00");

    // `user pref set ID --quiet WINDOW` sets the same field.
    auto pref = s.run({"user", "pref", "set", "ann", "--quiet", " 22:00 - 8:00"});
    CHECK(pref.rc == 0);
    CHECK(pref.out == "ann keeps quiet hours 22:00-08:00\n");
    CHECK(stored() == "22:00-08:00");
    CHECK(s.run({"user", "pref", "set", "ann", "--quiet", "8:00-8:00"}).rc == 65);
    CHECK(s.run({"user", "pref", "set", "ann", "--quiet", "22:00-08:00", "--opt-out"}).rc == 64);
    CHECK(s.run({"user", "pref", "set", "nobody", "--quiet", "22:00-08:00"}).rc == 65);
    CHECK(json::parse(s.run({"--json", "user", "pref", "set", "ann", "--quiet", "off"}).out) ==
          json{{"user", "ann"}, {"quiet_hours", "off"}});
    CHECK(stored() == "off");
}

TEST_CASE("user import and export", "[cli][directory]") {
    Setup s;
    std::string good = s.dir.write("good.csv",
                                   "id,name,email,groups,identity.wecom\n"
                                   "ann,\"Smith, Ann\",ann@example.com,ops;staff,A1\n"
                                   "bob,Bob,bob@example.com,staff,\n");
    std::string bad = s.dir.write("bad.jsonl",
                                  "{\"id\":\"c1\"}\n"
                                  "{\"id\":\"c2\",\"email\":\"c2@\"}\n"
                                  "{\"id\":\"c3\",\"fone\":\"x\"}\n");

    auto refused = s.run({"user", "import", bad});
    CHECK(refused.rc == 65);
    CHECK(refused.err.find("notifyctl: error: line 2: invalid email address 'c2@'") == 0);
    CHECK(refused.err.find("notifyctl: error: line 3: unknown field 'fone', did you mean "
                           "'phone'?\n") != std::string::npos);
    CHECK(refused.err.find("2 bad lines in '" + bad + "'; nothing imported") != std::string::npos);
    CHECK(s.run({"user", "ls"}).out.find("no users") == 0);

    auto skipped = s.run({"--json", "user", "import", bad, "--skip-bad"});
    CHECK(skipped.rc == 0);
    json report = json::parse(skipped.out);
    CHECK(report["imported"] == 1);
    CHECK(report["errors"].size() == 2);

    auto csv = s.run({"user", "import", good, "--group", "imported"});
    CHECK(csv.rc == 0);
    CHECK(csv.out == "imported 2 users\n");
    auto in = s.run({"user", "import", "-", "--format", "jsonl"}, "{\"id\":\"dan\"}\n");
    CHECK(in.out == "imported 1 user\n");
    CHECK(s.run({"user", "import", "-"}, "").rc == 64);
    CHECK(s.run({"user", "import", s.dir.path() + "/missing.csv"}).rc == 66);
    CHECK(s.run({"user", "import", s.dir.write("x.txt", "")}).rc == 64);

    auto exported = s.run({"user", "export", "--group", "staff", "--format", "csv"});
    CHECK(exported.rc == 0);
    CHECK(exported.out ==
          "id,name,email,phone,locale,timezone,quiet_hours,module,groups,identity.wecom\r\n"
          "ann,\"Smith, Ann\",ann@example.com,,,,,,imported;ops;staff,A1\r\n"
          "bob,Bob,bob@example.com,,,,,,imported;staff,\r\n");
    std::string file = s.dir.path() + "/all.jsonl";
    REQUIRE(s.run({"user", "export", "-o", file}).rc == 0);
    std::string text;
    REQUIRE(util::read_file(file, text));
    CHECK(lines(text) == 4);
    CHECK(text.find(R"({"id":"ann","name":"Smith, Ann","email":"ann@example.com")") == 0);

    // The export imports into an empty store as the same users.
    Setup other;
    REQUIRE(other.run({"user", "import", file}).rc == 0);
    CHECK(other.run({"--json", "user", "show", "ann"})
              .out.find(R"("groups":["imported","ops","staff"])") != std::string::npos);
}

TEST_CASE("user preferences and unsubscribes", "[cli][directory]") {
    Setup s;
    REQUIRE(s.run({"user", "add", "ann"}).rc == 0);
    CHECK(s.run({"user", "pref", "ann"}).out ==
          "no preferences: ann gets every category on every channel\n");
    auto out = s.run({"user", "pref", "set", "ann", "--category", "marketing", "--opt-out"});
    CHECK(out.rc == 0);
    CHECK(out.out == "ann opted out of category 'marketing' on every channel\n");
    CHECK(s.run({"user", "pref", "set", "ann", "--channel", "outbox", "--opt-in"}).rc == 0);
    auto unknown = s.run({"user", "pref", "set", "ann", "--channel", "outbx", "--opt-in"});
    CHECK(unknown.rc == 65);
    CHECK(unknown.err.find("unknown channel 'outbx', did you mean 'outbox'?") != std::string::npos);
    CHECK(s.run({"user", "pref", "set", "ann"}).rc == 64);
    CHECK(s.run({"user", "pref", "set", "bob", "--opt-out"}).rc == 65);
    auto list = s.run({"--json", "user", "pref", "ann"});
    REQUIRE(lines(list.out) == 2);
    json first = json::parse(list.out.substr(0, list.out.find('\n')));
    CHECK(first["user"] == "ann");
    CHECK(first["category"] == "");
    CHECK(first["channel"] == "outbox");
    CHECK(first["opted_out"] == false);
    CHECK(first["updated_at"].is_string());

    CHECK(s.run({"user", "unsubscribe", "ann"}).out == "unsubscribed ann\n");
    CHECK(s.run({"user", "pref", "ann"}).out.find("ann is unsubscribed from everything since") ==
          0);
    CHECK(json::parse(s.run({"--json", "user", "show", "ann"}).out)["unsubscribed_at"].is_string());
    CHECK(s.run({"user", "resubscribe", "ann"}).rc == 0);
    CHECK(json::parse(s.run({"--json", "user", "show", "ann"}).out)["unsubscribed_at"].is_null());
    CHECK(s.run({"user", "unsubscribe", "bob"}).rc == 65);
}

TEST_CASE("group add, set, show, ls, rm and members", "[cli][directory]") {
    Setup s;
    CHECK(s.run({"group", "ls"}).out.find("no groups") == 0);
    for (const char* id : {"ann", "bob"}) REQUIRE(s.run({"user", "add", id}).rc == 0);
    CHECK(s.run({"group", "add", "ops", "--description", "on call"}).out == "added group ops\n");
    CHECK(s.run({"group", "add", "ops"}).rc == 65);
    CHECK(s.run({"group", "add", "o p s"}).rc == 65);
    CHECK(s.run({"group", "set", "dev", "--requires-approval"}).rc == 65);
    CHECK(s.run({"group", "set", "ops", "--requires-approval", "--no-requires-approval"}).rc == 64);
    REQUIRE(s.run({"group", "set", "ops", "--requires-approval"}).rc == 0);

    auto add = s.run({"group", "add-member", "ops", "ann", "bob"});
    CHECK(add.out == "ops has 2 members\n");
    auto unknown = s.run({"group", "add-member", "ops", "zed"});
    CHECK(unknown.rc == 65);
    CHECK(unknown.err == "notifyctl: error: no user 'zed' in the directory\n");

    auto show = s.run({"group", "show", "ops"});
    CHECK(show.out ==
          "name:        ops\n"
          "description: on call\n"
          "approval:    required for every send\n"
          "created:     " +
              json::parse(s.run({"--json", "group", "show", "ops"}).out)["created_at"]
                  .get<std::string>() +
              "\n"
              "members:     2\n"
              "  ann\n"
              "  bob\n");
    auto ls = s.run({"group", "ls"});
    CHECK(ls.out ==
          "NAME  MEMBERS  APPROVAL  DESCRIPTION\n"
          "ops   2        required  on call\n");

    CHECK(s.run({"group", "rm-member", "ops", "ann"}).out == "ops has 1 member\n");
    auto j = json::parse(s.run({"--json", "group", "show", "ops"}).out);
    CHECK(j["first_members"] == json::array({"bob"}));
    CHECK(j["description"] == "on call");  // set without --description kept it
    CHECK(s.run({"group", "rm", "ops"}).out == "removed group ops (its users stay)\n");
    CHECK(s.run({"group", "rm", "ops"}).rc == 65);
    CHECK(s.run({"user", "show", "bob"}).rc == 0);
}

TEST_CASE("user add and set are audited with the fields they set", "[cli][directory]") {
    Setup s;
    REQUIRE(s.run({"user", "add", "ann", "--email", "ann@example.com", "--name", "Ann", "--group",
                   "ops"})
                .rc == 0);
    REQUIRE(s.run({"user", "set", "ann", "--tz", "Asia/Shanghai", "--quiet-hours", "off"}).rc == 0);
    auto audit = s.run({"--json", "audit"});
    REQUIRE(audit.rc == 0);
    std::vector<json> entries;
    for (const auto& line : util::split(audit.out, '\n'))
        if (!line.empty()) entries.push_back(json::parse(line));
    REQUIRE(entries.size() == 2);
    CHECK(entries[0]["action"] == "user.add");
    CHECK(entries[0]["target"] == "ann");
    CHECK(entries[0]["detail"] == "fields: email, groups, name");
    CHECK(entries[1]["action"] == "user.update");
    CHECK(entries[1]["detail"] == "fields: quiet_hours, timezone");
    // A summary only: the address itself is not kept.
    CHECK(audit.out.find("ann@example.com") == std::string::npos);
}
