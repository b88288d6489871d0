// test_directory_store.cpp - the user directory: users, identities, groups,
// preferences, unsubscribed addresses, and import/export in JSON Lines and CSV.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mariadb_server.hpp"
#include "store/csv.hpp"
#include "store/directory_records.hpp"
#include "store/directory_store.hpp"
#include "test_speed.hpp"

using namespace notify;
using namespace notify::store;

namespace {

std::unique_ptr<Store> memory_store() {
    auto s = testing::stores_on_mariadb() ? Store::open(testing::fresh_mariadb_database(), {})
                                          : Store::open(":memory:", {});
    REQUIRE(s);
    return std::move(*s);
}

User user(const std::string& id, const std::string& email = {}) {
    User u;
    u.id = id;
    u.email = email;
    return u;
}

ImportOptions format(RecordFormat f, bool skip_bad = false) {
    ImportOptions o;
    o.format = f;
    o.skip_bad = skip_bad;
    return o;
}

ImportReport import_text(DirectoryStore& d, const std::string& text, const ImportOptions& o) {
    auto r = d.import_users(std::string_view(text), o);
    REQUIRE(r);
    return *r;
}

}  // namespace

TEST_CASE("users are checked before they are stored", "[directory]") {
    auto st = memory_store();
    DirectoryStore d(*st);
    User u = user("ann@example.com", "ann@example.com");
    u.phone = "+8613800138000";
    u.locale = "zh-CN";
    u.timezone = "Asia/Shanghai";
    u.attributes_json = R"({"plan":"pro"})";
    u.identities["wecom"] = {"ANN01"};
    REQUIRE(d.put_user(u));

    auto refused = [&](User bad, const std::string& field, const std::string& text) {
        auto s = d.put_user(bad);
        REQUIRE_FALSE(s);
        CHECK(s.error().kind == ErrorKind::invalid);
        CHECK(s.error().field == field);
        CHECK(s.error().message.find(text) != std::string::npos);
    };
    SECTION("id") {
        refused(user(""), "id", "needs an 'id'");
        refused(user("ann smith"), "id", "user id 'ann smith' must be letters");
        refused(user(std::string(129, 'a')), "id", "at most 128 bytes");
    }
    SECTION("addresses") {
        refused(user("a", "ann@"), "email", "invalid email address 'ann@'");
        User p = user("a");
        p.phone = "13800138000";
        refused(p, "phone", "invalid phone number '13800138000'");
        User i = user("a");
        i.identities["wecom"] = {""};
        refused(i, "identities.wecom", "empty address for channel 'wecom'");
    }
    SECTION("locale, zone and attributes") {
        User l = user("a");
        l.locale = "zh CN";
        refused(l, "locale", "invalid locale 'zh CN'");
        User z = user("a");
        z.timezone = "Mars/Olympus";
        refused(z, "timezone", "unknown time zone 'Mars/Olympus'");
        User a = user("a");
        a.attributes_json = "[1,2]";
        refused(a, "attributes", "must be a JSON object");
    }
    SECTION("quiet hours") {
        auto quiet = [](const std::string& window) {
            User q = user("a");
            q.quiet_hours = window;
            return q;
        };
        refused(quiet("25:00-07:00"), "quiet_hours",
                "quiet_hours: '25:00-07:00' is not HH:MM-HH:MM, like \"22:00-07:30\"");
        refused(quiet("22:00"), "quiet_hours", "quiet_hours: '22:00' is not HH:MM-HH:MM");
        refused(quiet("08:00-08:00"), "quiet_hours", "'08:00-08:00' begins where it ends");
        refused(quiet("00:00-24:00"), "quiet_hours", "'00:00-24:00' begins where it ends");
        refused(quiet("never"), "quiet_hours", "'never' is not HH:MM-HH:MM");
        refused(quiet(" "), "quiet_hours", "' ' is not HH:MM-HH:MM");
        auto s = d.put_user(quiet("of"));
        REQUIRE_FALSE(s);
        CHECK(s.error().code == "invalid_quiet_hours");
        CHECK(s.error().message.find("; 'off' for none") != std::string::npos);
    }
    CHECK(d.list_users({}).size() == 1);
}

TEST_CASE("quiet hours are stored in one form", "[directory]") {
    auto st = memory_store();
    DirectoryStore d(*st);
    User u = user("ann");
    u.timezone = "Asia/Shanghai";
    auto stored = [&](const std::string& quiet_hours) {
        u.quiet_hours = quiet_hours;
        REQUIRE(d.put_user(u));
        return d.get_user("ann")->quiet_hours;
    };
    CHECK(stored("22:00-07:30") == "22:00-07:30");  // across midnight
    CHECK(stored(" 9:00 - 18:00") == "09:00-18:00");
    CHECK(stored("23:00:30-6:00:00") == "23:00:30-06:00");
    CHECK(stored("20:00-24:00") == "20:00-24:00");
    CHECK(stored("OFF") == "off");
    CHECK(stored(" Off ") == "off");
    CHECK(stored("") == "");  // back to preferences.quiet_hours

    SECTION("the router's read: the zone and quiet hours as stored") {
        stored("7:00-8:00");
        auto q = d.quiet_hours_of("ann");
        REQUIRE(q);
        CHECK(q->timezone == "Asia/Shanghai");
        CHECK(q->quiet_hours == "07:00-08:00");
        REQUIRE(d.put_user(user("bob")));
        auto none = d.quiet_hours_of("bob");
        REQUIRE(none);
        CHECK(none->timezone.empty());
        CHECK(none->quiet_hours.empty());
        CHECK_FALSE(d.quiet_hours_of("carol"));
        REQUIRE(d.remove_user("ann"));
        CHECK_FALSE(d.quiet_hours_of("ann"));
    }
    SECTION("a bad value leaves the stored one") {
        stored("off");
        u.quiet_hours = "22:00-31:00";
        CHECK_FALSE(d.put_user(u));
        CHECK(d.quiet_hours_of("ann")->quiet_hours == "off");
    }
}

TEST_CASE("a user is replaced whole, keeping its creation and memberships", "[directory]") {
    auto st = memory_store();
    DirectoryStore d(*st);
    User u = user("bob", "bob@example.com");
    u.identities = {{"wecom", {"BOB"}}, {"hook", {"https://127.0.0.1/bob"}}};
    u.groups = {"ops"};
    REQUIRE(d.save_user(u, {Membership::add, false}));
    REQUIRE(d.set_unsubscribed("bob", 1234));
    auto first = d.get_user("bob");
    REQUIRE(first);
    CHECK(first->groups == std::vector<std::string>{"ops"});
    CHECK(first->identities.size() == 2);

    User again = user("bob");
    again.name = "Bob";
    again.identities = {{"sms-cn", {"+8613800138000"}}};
    REQUIRE(d.put_user(again));
    auto second = d.get_user("bob");
    REQUIRE(second);
    CHECK(second->name == "Bob");
    CHECK(second->email.empty());
    CHECK(second->identities == Identities{{"sms-cn", {"+8613800138000"}}});
    CHECK(second->groups == std::vector<std::string>{"ops"});
    CHECK(second->created_at == first->created_at);
    CHECK(second->unsubscribed_at == 1234);

    SECTION("create_only refuses an existing user") {
        auto s = d.save_user(again, {Membership::keep, true});
        REQUIRE_FALSE(s);
        CHECK(s.error().kind == ErrorKind::conflict);
        CHECK(s.error().message == "user 'bob' already exists");
    }
    SECTION("replacing memberships") {
        again.groups = {"billing", "vip"};
        REQUIRE(d.save_user(again, {Membership::replace, false}));
        CHECK(d.get_user("bob")->groups == std::vector<std::string>{"billing", "vip"});
        CHECK(d.count_members("ops") == 0);
        REQUIRE(d.get_group("vip"));
    }
    SECTION("removal takes identities, memberships and preferences along") {
        REQUIRE(d.set_preference({"bob", "marketing", "", true, 0}));
        REQUIRE(d.remove_user("bob"));
        CHECK_FALSE(d.get_user("bob"));
        CHECK(d.count_members("ops") == 0);
        CHECK(d.preferences("bob").empty());
        CHECK_FALSE(d.find_user_by_address("wecom", "BOB"));
        auto again_gone = d.remove_user("bob");
        REQUIRE_FALSE(again_gone);
        CHECK(again_gone.error().kind == ErrorKind::not_found);
        CHECK(again_gone.error().message == "no user 'bob' in the directory");
    }
}

TEST_CASE("users are listed by id with filters and a cursor", "[directory]") {
    auto st = memory_store();
    DirectoryStore d(*st);
    for (const char* id : {"u3", "u1", "u2", "u4"}) {
        User u = user(id);
        u.module = std::string(id) < "u3" ? "billing" : "crm";
        u.groups = {std::string(id) == "u4" ? "vip" : "all"};
        REQUIRE(d.save_user(u, {Membership::add, false}));
    }
    auto ids = [](const std::vector<User>& users) {
        std::vector<std::string> out;
        for (const auto& u : users) out.push_back(u.id);
        return out;
    };
    CHECK(ids(d.list_users({})) == std::vector<std::string>{"u1", "u2", "u3", "u4"});
    CHECK(ids(d.list_users({"all", "", "", 100, ""})) ==
          std::vector<std::string>{"u1", "u2", "u3"});
    CHECK(ids(d.list_users({"", "crm", "", 100, ""})) == std::vector<std::string>{"u3", "u4"});
    CHECK(ids(d.list_users({"all", "crm", "", 100, ""})) == std::vector<std::string>{"u3"});
    CHECK(ids(d.list_users({"", "", "u1", 2, ""})) == std::vector<std::string>{"u2", "u3"});
    CHECK(ids(d.list_users({"", "", "", 0, ""})).size() == 4);
    // Text in the id, name, email or phone, as it is.
    CHECK(ids(d.list_users({"", "", "", 100, "u2"})) == std::vector<std::string>{"u2"});
    CHECK(ids(d.list_users({"", "", "", 100, "U2"})).empty());
    CHECK(ids(d.list_users({"", "", "", 100, "%"})).empty());
    CHECK(ids(d.list_users({"all", "", "", 100, "u"})) ==
          std::vector<std::string>{"u1", "u2", "u3"});
}

TEST_CASE("a raw address leads to its user", "[directory]") {
    auto st = memory_store();
    DirectoryStore d(*st);
    User a = user("ann", "ann@example.com");
    a.phone = "+8613800138000";
    a.identities["wecom"] = {"ANN01"};
    REQUIRE(d.put_user(a));
    REQUIRE(d.put_user(user("bob", "bob@example.com")));
    CHECK(d.find_user_by_address("wecom", "ANN01") == std::optional<std::string>("ann"));
    CHECK(d.find_user_by_address("email", "bob@example.com") == std::optional<std::string>("bob"));
    CHECK(d.find_user_by_address("sms", "+8613800138000") == std::optional<std::string>("ann"));
    CHECK_FALSE(d.find_user_by_address("dingtalk", "ANN01"));
    CHECK_FALSE(d.find_user_by_address("email", "carol@example.com"));
    CHECK_FALSE(d.find_user_by_address("email", ""));
}

TEST_CASE("groups and their members", "[directory]") {
    auto st = memory_store();
    DirectoryStore d(*st);
    for (const char* id : {"a", "b", "c"}) REQUIRE(d.put_user(user(id)));
    REQUIRE(d.put_group({"ops", "the on-call team", false, 0, 0}));
    REQUIRE(d.add_members("ops", {"c", "a"}));
    REQUIRE(d.add_members("ops", {"a"}));  // twice is once
    auto g = d.get_group("ops");
    REQUIRE(g);
    CHECK(g->description == "the on-call team");
    CHECK(g->members == 2);
    CHECK(d.members("ops", "", 10) == std::vector<std::string>{"a", "c"});
    CHECK(d.members("ops", "a", 10) == std::vector<std::string>{"c"});

    SECTION("an unknown user or group changes nothing") {
        auto s = d.add_members("ops", {"b", "zed"});
        REQUIRE_FALSE(s);
        CHECK(s.error().kind == ErrorKind::not_found);
        CHECK(s.error().message == "no user 'zed' in the directory");
        CHECK(d.count_members("ops") == 2);
        auto none = d.add_members("dev", {"a"});
        REQUIRE_FALSE(none);
        CHECK(none.error().message == "no group 'dev' in the directory");
        CHECK_FALSE(d.remove_members("ops", {"a", "zed"}));
        CHECK(d.count_members("ops") == 2);
    }
    SECTION("put_group changes the settings, keeps members and creation") {
        Millis created = g->created_at;
        REQUIRE(d.put_group({"ops", "", true, 0, 0}));
        auto again = d.get_group("ops");
        CHECK(again->requires_approval);
        CHECK(again->members == 2);
        CHECK(again->created_at == created);
        CHECK_FALSE(d.put_group({"o p s", "", false, 0, 0}));
    }
    SECTION("removing members and the group; users stay") {
        REQUIRE(d.remove_members("ops", {"a"}));
        CHECK(d.members("ops", "", 10) == std::vector<std::string>{"c"});
        REQUIRE(d.remove_group("ops"));
        CHECK_FALSE(d.get_group("ops"));
        CHECK(d.get_user("c")->groups.empty());
        CHECK(d.list_groups().empty());
        CHECK(d.remove_group("ops").error().kind == ErrorKind::not_found);
    }
}

TEST_CASE("preferences and unsubscribes", "[directory]") {
    auto st = memory_store();
    DirectoryStore d(*st);
    REQUIRE(d.put_user(user("ann")));
    REQUIRE(d.set_preference({"ann", "marketing", "", true, 0}));
    REQUIRE(d.set_preference({"ann", "marketing", "sms", true, 0}));
    REQUIRE(d.set_preference({"ann", "marketing", "sms", false, 0}));  // opted in again
    auto prefs = d.preferences("ann");
    REQUIRE(prefs.size() == 2);
    CHECK(prefs[0].channel == "");
    CHECK(prefs[0].opted_out);
    CHECK(prefs[1].channel == "sms");
    CHECK_FALSE(prefs[1].opted_out);
    CHECK(d.set_preference({"bob", "", "", true, 0}).error().kind == ErrorKind::not_found);

    REQUIRE(d.set_unsubscribed("ann", 5000));
    CHECK(d.get_user("ann")->unsubscribed_at == 5000);
    REQUIRE(d.set_unsubscribed("ann", 0));
    CHECK(d.get_user("ann")->unsubscribed_at == 0);
    CHECK_FALSE(d.set_unsubscribed("bob", 1));

    REQUIRE(d.unsubscribe_address("email", "x@example.com", "marketing", 100));
    CHECK(d.address_unsubscribed("email", "x@example.com", "marketing"));
    CHECK_FALSE(d.address_unsubscribed("email", "x@example.com", "billing"));
    CHECK_FALSE(d.address_unsubscribed("sms", "x@example.com", "marketing"));
    REQUIRE(d.unsubscribe_address("email", "x@example.com", "", 100));
    CHECK(d.address_unsubscribed("email", "x@example.com", "billing"));
    REQUIRE(d.unsubscribe_address("email", "x@example.com", "", 0));
    CHECK_FALSE(d.address_unsubscribed("email", "x@example.com", "billing"));
    CHECK(d.address_unsubscribed("email", "x@example.com", "marketing"));
}

TEST_CASE("CSV fields as RFC 4180 quotes them", "[directory][csv]") {
    std::string text =
        "\xEF\xBB\xBFid,name\r\n"
        "a,\"Smith, Ann\"\r\n"
        "\r\n"
        "b,\"say \"\"hi\"\"\nand bye\"\n"
        "c,\n"
        "d,\"open";
    CsvReader r(text);
    CsvRow row;
    REQUIRE(r.next(row));
    CHECK(row.fields == std::vector<std::string>{"id", "name"});
    REQUIRE(r.next(row));
    CHECK(row.line == 2);
    CHECK(row.fields == std::vector<std::string>{"a", "Smith, Ann"});
    REQUIRE(r.next(row));
    CHECK(row.line == 4);
    CHECK(row.fields == std::vector<std::string>{"b", "say \"hi\"\nand bye"});
    REQUIRE(r.next(row));
    CHECK(row.line == 6);
    CHECK(row.fields == std::vector<std::string>{"c", ""});
    REQUIRE(r.next(row));
    CHECK(row.line == 7);
    CHECK(row.error == "a quoted field opened on line 7 is never closed");
    CHECK_FALSE(r.next(row));

    CsvReader junk("a,\"b\"x,c\nd,e\n");
    REQUIRE(junk.next(row));
    CHECK(row.error.find("text after the closing quote of field 2") == 0);
    REQUIRE(junk.next(row));
    CHECK(row.line == 2);
    CHECK(row.fields == std::vector<std::string>{"d", "e"});

    std::ostringstream out;
    write_csv_row(out, {"plain", "a,b", "say \"hi\"", "two\nlines", " pad", ""});
    CHECK(out.str() == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" pad\",\r\n");
}

TEST_CASE("import is all or nothing", "[directory][import]") {
    auto st = memory_store();
    DirectoryStore d(*st);
    std::string jsonl = R"({"id":"ann","email":"ann@example.com","groups":["ops"]})"
                        "\n\n"
                        R"({"id":"bob","email":"bob@"})"
                        "\n"
                        R"({"id":"carol","phone":"+8613800138000","identities":{"wecom":"C1"}})"
                        "\n"
                        R"({"id":"dan","emial":"dan@example.com"})"
                        "\n"
                        R"({"id":"erin",)"
                        "\n"
                        R"({"id":"ann"})"
                        "\n";

    SECTION("a bad row: every bad line reported, nothing written") {
        auto r = import_text(d, jsonl, format(RecordFormat::jsonl));
        CHECK(r.imported == 0);
        REQUIRE(r.errors.size() == 4);
        CHECK(r.errors[0].line == 3);
        CHECK(r.errors[0].message.find("invalid email address 'bob@'") == 0);
        CHECK(r.errors[1].line == 5);
        CHECK(r.errors[1].message == "unknown field 'emial', did you mean 'email'?");
        CHECK(r.errors[2].line == 6);
        CHECK(r.errors[2].message.find("malformed JSON") == 0);
        CHECK(r.errors[3].line == 7);
        CHECK(r.errors[3].message == "user 'ann' is on line 1 already");
        CHECK(d.list_users({}).empty());
        CHECK(d.list_groups().empty());
    }
    SECTION("--skip-bad imports the rest") {
        auto r = import_text(d, jsonl, format(RecordFormat::jsonl, true));
        CHECK(r.imported == 2);
        CHECK(r.errors.size() == 4);
        CHECK(d.list_users({}).size() == 2);
        CHECK(d.get_user("ann")->groups == std::vector<std::string>{"ops"});
        CHECK(d.find_user_by_address("wecom", "C1") == std::optional<std::string>("carol"));
    }
    SECTION("a row nested deeper than the JSON limit is a bad row, not a crash") {
        std::string deep = R"({"id":"eve","attributes":{"tree":)" + std::string(100000, '[') +
                           std::string(100000, ']') + "}}\n";
        auto r = import_text(d, deep, format(RecordFormat::jsonl, true));
        CHECK(r.imported == 0);
        REQUIRE(r.errors.size() == 1);
        CHECK(r.errors[0].message ==
              "'attributes.tree' nests arrays and objects deeper than 64 levels");
    }
    SECTION("--group adds every imported user to a group") {
        ImportOptions o = format(RecordFormat::jsonl, true);
        o.group = "newsletter";
        import_text(d, jsonl, o);
        CHECK(d.members("newsletter", "", 10) == std::vector<std::string>{"ann", "carol"});
        o.group = "bad name";
        auto bad = d.import_users(std::string_view(jsonl), o);
        REQUIRE_FALSE(bad);
        CHECK(bad.error().kind == ErrorKind::usage);
    }
    SECTION("a CSV header with unknown columns stops everything") {
        auto r = d.import_users(std::string_view("id,emial,identity.wecom,fone\na,b,c,d\n"),
                                format(RecordFormat::csv));
        REQUIRE_FALSE(r);
        CHECK(r.error().message.find("line 1: unknown columns 'emial', 'fone'") == 0);
        auto one = d.import_users(std::string_view("id,emial\na,b\n"), format(RecordFormat::csv));
        REQUIRE_FALSE(one);
        CHECK(one.error().message.find("line 1: unknown column 'emial', did you mean 'email'?") ==
              0);
        auto no_id = d.import_users(std::string_view("name\nAnn\n"), format(RecordFormat::csv));
        REQUIRE_FALSE(no_id);
        CHECK(no_id.error().message == "line 1: the header has no 'id' column");
    }
}

TEST_CASE("CSV import reads identities, attributes and groups", "[directory][import]") {
    auto st = memory_store();
    DirectoryStore d(*st);
    std::string csv =
        "id,name,email,groups,identity.wecom,attr.plan,attr.note\r\n"
        "ann,\"Smith, Ann\",ann@example.com,ops;vip,ANN01,pro,\"said \"\"hi\"\"\ntwice\"\r\n"
        "bob,Bob,,,,,\r\n"
        "carol,Carol,carol@example.com,ops\r\n"
        "dan,Dan,dan@,,,,\r\n";
    auto r = import_text(d, csv, format(RecordFormat::csv));
    CHECK(r.imported == 0);
    REQUIRE(r.errors.size() == 2);
    CHECK(r.errors[0].line == 5);
    CHECK(r.errors[0].message == "4 fields where the header has 7");
    CHECK(r.errors[1].line == 6);
    CHECK(r.errors[1].message.find("invalid email address 'dan@'") == 0);

    r = import_text(d, csv, format(RecordFormat::csv, true));
    CHECK(r.imported == 2);
    auto ann = d.get_user("ann");
    REQUIRE(ann);
    CHECK(ann->name == "Smith, Ann");
    CHECK(ann->groups == std::vector<std::string>{"ops", "vip"});
    CHECK(ann->identities.at("wecom") == std::vector<std::string>{"ANN01"});
    CHECK(nlohmann::json::parse(ann->attributes_json) ==
          nlohmann::json{{"plan", "pro"}, {"note", "said \"hi\"\ntwice"}});
    auto bob = d.get_user("bob");
    REQUIRE(bob);
    CHECK(bob->identities.empty());
    CHECK(bob->attributes_json.empty());
}

TEST_CASE("imports read quiet hours, and files from before them", "[directory][import]") {
    auto st = memory_store();
    DirectoryStore d(*st);
    SECTION("CSV") {
        std::string csv =
            "id,timezone,quiet_hours\n"
            "ann,Asia/Shanghai, 9:00 - 18:00\n"
            "bob,,OFF\n"
            "carol,,\n"
            "dan,,25:00-07:00\n";
        auto r = import_text(d, csv, format(RecordFormat::csv, true));
        CHECK(r.imported == 3);
        REQUIRE(r.errors.size() == 1);
        CHECK(r.errors[0].line == 5);
        CHECK(r.errors[0].message.find("quiet_hours: '25:00-07:00' is not HH:MM-HH:MM") == 0);
        CHECK(d.get_user("ann")->quiet_hours == "09:00-18:00");
        CHECK(d.get_user("bob")->quiet_hours == "off");
        CHECK(d.get_user("carol")->quiet_hours == "");
    }
    SECTION("JSON Lines") {
        std::string jsonl = R"({"id":"ann","quiet_hours":"22:00-7:30"})"
                            "\n"
                            R"({"id":"bob","quiet_hours":null})"
                            "\n"
                            R"({"id":"carol","quiet_hours":2200})"
                            "\n"
                            R"({"id":"dan","quiet_hours":"always"})"
                            "\n";
        auto r = import_text(d, jsonl, format(RecordFormat::jsonl, true));
        CHECK(r.imported == 2);
        REQUIRE(r.errors.size() == 2);
        CHECK(r.errors[0].message == "'quiet_hours' must be a string");
        CHECK(r.errors[1].message.find("quiet_hours: 'always' is not HH:MM-HH:MM") == 0);
        CHECK(d.get_user("ann")->quiet_hours == "22:00-07:30");
        CHECK(d.get_user("bob")->quiet_hours == "");
    }
    SECTION("a CSV export from before quiet hours") {
        std::string old =
            "id,name,email,phone,locale,timezone,module,groups\r\n"
            "ann,Ann,ann@example.com,,zh-CN,Asia/Shanghai,billing,ops\r\n";
        auto r = import_text(d, old, format(RecordFormat::csv));
        CHECK(r.errors.empty());
        CHECK(r.imported == 1);
        auto ann = d.get_user("ann");
        REQUIRE(ann);
        CHECK(ann->timezone == "Asia/Shanghai");
        CHECK(ann->module == "billing");
        CHECK(ann->quiet_hours.empty());
    }
}

TEST_CASE("export gives back what import reads", "[directory][export]") {
    auto st = memory_store();
    DirectoryStore d(*st);
    User a = user("ann", "ann@example.com");
    a.name = "Smith, \"Ann\"";
    a.phone = "+8613800138000";
    a.locale = "zh-CN";
    a.timezone = "Asia/Shanghai";
    a.quiet_hours = "22:00-07:30";
    a.module = "billing";
    a.groups = {"ops", "vip"};
    a.identities = {{"wecom", {"ANN01"}},
                    {"hook", {"https://127.0.0.1/ann", "https://127.0.0.1/ann2"}}};
    a.attributes_json = R"({"note":"two\nlines","plan":"pro"})";
    REQUIRE(d.save_user(a, {Membership::add, false}));
    User b = user("bob");
    b.name = "Bob";
    b.quiet_hours = "off";
    b.identities = {{"wecom", {"BOB"}}};
    REQUIRE(d.put_user(b));
    REQUIRE(d.put_user(user("carol")));

    for (RecordFormat f : {RecordFormat::jsonl, RecordFormat::csv}) {
        INFO((f == RecordFormat::csv ? "csv" : "jsonl"));
        std::ostringstream out;
        REQUIRE(d.export_users(out, f, {"", "", "", 0, ""}));
        auto fresh = memory_store();
        DirectoryStore e(*fresh);
        auto r = import_text(e, out.str(), format(f));
        CHECK(r.errors.empty());
        CHECK(r.imported == 3);
        auto before = d.list_users({});
        auto after = e.list_users({});
        REQUIRE(after.size() == before.size());
        for (size_t i = 0; i < before.size(); ++i)
            CHECK(user_record(before[i]) == user_record(after[i]));
        CHECK(after[0].quiet_hours == "22:00-07:30");
        CHECK(after[1].quiet_hours == "off");
    }
    std::ostringstream jsonl;
    REQUIRE(d.export_users(jsonl, RecordFormat::jsonl, {"vip", "", "", 0, ""}));
    std::string vip = jsonl.str();
    CHECK(vip.rfind(R"({"id":"ann","name":"Smith, \"Ann\"","email":"ann@example.com")", 0) == 0);
    CHECK(
        vip.find(R"("timezone":"Asia/Shanghai","quiet_hours":"22:00-07:30","module":"billing")") !=
        std::string::npos);
    CHECK(std::count(vip.begin(), vip.end(), '\n') == 1);
    std::ostringstream csv;
    REQUIRE(d.export_users(csv, RecordFormat::csv, {"", "", "", 2, ""}));
    CHECK(csv.str().rfind("id,name,email,phone,locale,timezone,quiet_hours,module,groups,"
                          "identity.hook,identity.wecom,attr.note,attr.plan\r\n",
                          0) == 0);
    CHECK(csv.str().find("bob,Bob,,,,,off,,,,BOB,,\r\n") != std::string::npos);
    CHECK(csv.str().find("carol") == std::string::npos);
}

TEST_CASE("100,000 users import in one go", "[directory][import][timing]") {
    std::string path = std::filesystem::temp_directory_path() /
                       ("notify-directory-" + std::to_string(::getpid()) + ".db");
    auto opened = Store::open(path, {});
    REQUIRE(opened);
    auto st = std::move(*opened);
    auto d = std::make_unique<DirectoryStore>(*st);
    std::string text;
    text.reserve(100000 * 160);
    for (int i = 0; i < 100000; ++i) {
        std::string n = std::to_string(i);
        text += R"({"id":"user)" + n + R"(","name":"User )" + n + R"(","email":"user)" + n +
                R"(@example.com","phone":"+86138)" + std::string(8 - n.size(), '0') + n +
                R"(","locale":"zh-CN","groups":["g)" + std::to_string(i % 10) +
                R"("],"identities":{"wecom":"W)" + n + R"("},"attributes":{"n":)" + n + "}}\n";
    }
    auto start = std::chrono::steady_clock::now();
    auto r = d->import_users(std::string_view(text), format(RecordFormat::jsonl));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    std::cout << "directory import: 100000 users in " << ms << " ms\n";
    REQUIRE(r);
    CHECK(r->errors.empty());
    CHECK(r->imported == 100000);
    CHECK(d->count_members("g3") == 10000);
    CHECK(d->find_user_by_address("wecom", "W99999") == std::optional<std::string>("user99999"));
    // the target is well under 5 s; this only catches a pathology
    CHECK(ms < 30000 * test::kSlowdown);
    d.reset();  // its statements first, then the store: the files are closed for good
    st.reset();
    for (const char* ext : {"", "-wal", "-shm"}) std::remove((path + ext).c_str());
}

TEST_CASE("a user keeps several addresses on a channel, one device each", "[directory]") {
    auto st = memory_store();
    DirectoryStore d(*st);
    User u = user("ann");
    u.identities["push"] = {"tok-a", "tok-b"};
    REQUIRE(d.put_user(u));
    CHECK(d.get_user("ann")->identities.at("push") == std::vector<std::string>{"tok-a", "tok-b"});
    CHECK(d.find_user_by_address("push", "tok-b") == std::optional<std::string>("ann"));

    SECTION("the record shows the last added as identities, every one as addresses") {
        auto record = user_record(*d.get_user("ann"));
        CHECK(record["identities"]["push"] == "tok-b");
        CHECK(record["addresses"]["push"] == nlohmann::json::array({"tok-a", "tok-b"}));
        auto back = user_from_record(record);
        REQUIRE(back);
        CHECK(back->identities == d.get_user("ann")->identities);
        auto parse = [](const char* text) { return user_from_record(nlohmann::json::parse(text)); };
        auto one = parse(R"({"id":"x","identities":{"w":"A"}})");
        REQUIRE(one);
        CHECK(user_record(*one)["identities"]["w"] == "A");
        CHECK(user_record(*one)["addresses"]["w"] == nlohmann::json::array({"A"}));
        CHECK(parse(R"({"id":"x","identities":{"w":["A","B"]}})")->identities.at("w").size() == 2);
        auto bad = parse(R"({"id":"x","identities":{"w":[1]}})");
        REQUIRE_FALSE(bad);
        CHECK(bad.error().field == "identities.w");
        auto twice = parse(R"({"id":"x","addresses":{"w":["A","A"]}})");
        REQUIRE_FALSE(twice);
        CHECK(twice.error().message.find("given twice") != std::string::npos);
        auto apart = parse(R"({"id":"x","identities":{"w":"Z"},"addresses":{"w":["A"]}})");
        REQUIRE_FALSE(apart);
        CHECK(apart.error().field == "identities.w");
    }
    SECTION("a rewrite of the user keeps when each address was added") {
        REQUIRE(d.add_identity("ann", "push", "tok-c"));
        User again = *d.get_user("ann");
        again.name = "Ann";
        REQUIRE(d.put_user(again));
        CHECK(d.get_user("ann")->identities.at("push") ==
              std::vector<std::string>{"tok-a", "tok-b", "tok-c"});
        for (int i = 0; i < 17; ++i)
            REQUIRE(d.add_identity("ann", "push", "z" + std::to_string(i)));
        REQUIRE(d.add_identity("ann", "push", "0-newest"));  // sorts first, added last
        auto kept = d.get_user("ann")->identities.at("push");
        CHECK(kept.size() == kMaxAddressesPerChannel);
        CHECK(kept.front() == "tok-b");  // tok-a, the oldest, went
        CHECK(kept.back() == "0-newest");
    }
    SECTION("one is added and removed without touching the others") {
        auto n = d.add_identity("ann", "push", "tok-c");
        REQUIRE(n);
        CHECK(*n == 3);
        CHECK(*d.add_identity("ann", "push", "tok-c") == 3);  // already there
        REQUIRE(d.remove_identity("ann", "push", "tok-a"));
        CHECK(d.get_user("ann")->identities.at("push") ==
              std::vector<std::string>{"tok-b", "tok-c"});
        auto gone = d.remove_identity("ann", "push", "tok-a");
        REQUIRE_FALSE(gone);
        CHECK(gone.error().kind == ErrorKind::not_found);
        CHECK(d.add_identity("nobody", "push", "t").error().kind == ErrorKind::not_found);
        CHECK(d.add_identity("ann", "push", "").error().kind == ErrorKind::invalid);
    }
    SECTION("past the limit the oldest added goes") {
        for (std::size_t i = 0; i < kMaxAddressesPerChannel; ++i) {
            REQUIRE(d.add_identity("ann", "push", "new-" + std::to_string(i)));
        }
        auto kept = d.get_user("ann")->identities.at("push");
        CHECK(kept.size() == kMaxAddressesPerChannel);
        CHECK(std::find(kept.begin(), kept.end(), "tok-a") == kept.end());
        CHECK(std::find(kept.begin(), kept.end(), "new-0") != kept.end());
        u.identities["push"].assign(kMaxAddressesPerChannel + 1, "x");
        CHECK(d.put_user(u).error().code == "too_many_addresses");
    }
}
