// test_cli_template_manage.cpp - notifyctl template add|ls|show|history|rm|
// restore|import|export against a scratch store, and the starter templates.
#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "store/template_store.hpp"
#include "test_cli_helpers.hpp"

using namespace notify;
using namespace notify::cli::test;

namespace {

struct Setup {
    Setup() {
        unsetenv("SUDO_USER");
        setenv("USER", "ana", 1);
    }
    ScratchDir dir;
    std::string config =
        dir.write("notify.toml", "runtime_dir = \"" + dir.path() + "\"\n[store]\npath = \"" +
                                     dir.path() + "/notify.db\"\n");
    Outcome run(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--config", config, "template"});
        return notifyctl(args);
    }
};

const std::string starter = std::string(NOTIFY_SOURCE_DIR) + "/templates";

size_t lines(const std::string& s) {
    return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

}  // namespace

TEST_CASE("template add, show, ls, history, rm and restore", "[cli]") {
    Setup s;
    auto a1 = s.run({"add", "welcome", "--locale", "en", "--subject", "Hi {{name}}", "--text",
                     "Welcome, {{name}}.", "--params", R"({"sms_code":"SMS_1"})"});
    REQUIRE(a1.rc == 0);
    CHECK(a1.out == "added welcome version 1\n");
    std::string html = s.dir.write("welcome.html", "<p>Welcome, {{name}}.</p>\n");
    auto a2 = s.run({"--json", "add", "welcome", "--locale", "en", "--subject", "Hello {{name}}",
                     "--html", "@" + html});
    REQUIRE(a2.rc == 0);
    CHECK(nlohmann::json::parse(a2.out) ==
          nlohmann::json{{"name", "welcome"}, {"channel", ""}, {"locale", "en"}, {"version", 2}});

    auto show = s.run({"show", "welcome", "--locale", "en"});
    CHECK(show.rc == 0);
    CHECK(show.out.find("subject:  Hello {{name}}\n") != std::string::npos);
    CHECK(show.out.find("--- html ---\n<p>Welcome, {{name}}.</p>\n") != std::string::npos);
    auto old = s.run({"--json", "show", "welcome", "--locale", "en", "--version", "1"});
    CHECK(old.rc == 0);
    auto j = nlohmann::json::parse(old.out);
    CHECK(j["subject"] == "Hi {{name}}");
    CHECK(j["params"]["sms_code"] == "SMS_1");
    CHECK(j["author"] == "ana");
    // No locale, or one without a variant, falls back to the default locale (en).
    auto fallback = s.run({"--json", "show", "welcome", "--locale", "fr"});
    CHECK(fallback.rc == 0);
    CHECK(nlohmann::json::parse(fallback.out)["locale"] == "en");
    // A template only in zh-CN has nothing to fall back to, and the error says so.
    REQUIRE(s.run({"add", "greet", "--locale", "zh-CN", "--subject", "你好"}).rc == 0);
    auto none = s.run({"show", "greet"});
    CHECK(none.rc == 65);
    CHECK(none.err == "notifyctl: error: no template 'greet' (it has --locale zh-CN)\n");
    REQUIRE(s.run({"rm", "greet", "--locale", "zh-CN"}).rc == 0);

    auto ls = s.run({"ls"});
    CHECK(ls.rc == 0);
    CHECK(ls.out.rfind("NAME     CHANNEL  LOCALE  VERSION  UPDATED\nwelcome  -        en      2",
                       0) == 0);

    auto rm = s.run({"rm", "welcome", "--locale", "en"});
    CHECK(rm.rc == 0);
    CHECK(rm.out == "removed welcome\n");
    CHECK(s.run({"ls"}).out.find("no templates") == 0);
    CHECK(s.run({"rm", "welcome", "--locale", "en"}).rc == 65);
    CHECK(s.run({"rm", "nope"}).err == "notifyctl: error: no template 'nope'\n");

    auto res = s.run({"restore", "welcome", "--locale", "en", "--version", "1"});
    CHECK(res.rc == 0);
    CHECK(res.out == "restored welcome version 1 as version 4\n");
    CHECK(s.run({"restore", "welcome", "--locale", "en", "--version", "3"}).rc == 65);  // deleted
    CHECK(s.run({"restore", "welcome", "--locale", "en"}).rc == 64);  // --version is required
    auto back = s.run({"--json", "show", "welcome", "--locale", "en"});
    CHECK(nlohmann::json::parse(back.out)["subject"] == "Hi {{name}}");
    CHECK(nlohmann::json::parse(back.out)["version"] == 4);

    auto hist = s.run({"history", "welcome"});
    CHECK(hist.rc == 0);
    CHECK(lines(hist.out) == 5);
    CHECK(hist.out.find("VERSION  CHANNEL  LOCALE  UPDATED") == 0);
    auto hj = s.run({"--json", "history", "welcome"});
    std::vector<std::string> states;
    std::istringstream in(hj.out);
    for (std::string line; std::getline(in, line);) {
        auto v = nlohmann::json::parse(line);
        CHECK(v["author"] == "ana");
        states.push_back(v["state"]);
    }
    CHECK(states == std::vector<std::string>{"old", "old", "deleted", "current"});
    CHECK(s.run({"history", "nope"}).rc == 65);
}

TEST_CASE("template add refuses what would not render, and stores nothing", "[cli]") {
    Setup s;
    auto bad = s.run({"add", "x", "--subject", "ok", "--text", "line one\n  {{#items}}\n"});
    CHECK(bad.rc == 65);
    CHECK(bad.err.rfind("notifyctl: error: template add: text: line 2, column 3: ", 0) == 0);
    CHECK(s.run({"add", "x"}).rc == 64);  // nothing to store
    CHECK(s.run({"add", "x", "--text", "t", "--params", "[1]"}).rc == 65);
    CHECK(s.run({"add", "a/b", "--text", "t"}).rc == 64);
    CHECK(s.run({"add", "x", "--text", "@" + s.dir.path() + "/missing"}).rc == 66);
    // a partial with a syntax error is found through --partials
    s.dir.write("footer.mustache", "{{/oops}}");
    auto part = s.run({"add", "x", "--html", "<p>{{> footer}}</p>", "--partials", s.dir.path()});
    CHECK(part.rc == 65);
    CHECK(part.err.find("template add: html: ") != std::string::npos);
    CHECK(s.run({"ls"}).out.find("no templates") == 0);
    CHECK(s.run({"history", "x"}).rc == 65);
}

TEST_CASE("template import loads the starter templates, and renders them", "[cli]") {
    Setup s;
    auto dry = s.run({"import", starter, "--dry-run"});
    REQUIRE(dry.rc == 0);
    CHECK(dry.out.find("would import 11 variants, 0 unchanged\n") != std::string::npos);
    CHECK(!std::filesystem::exists(s.dir.path() + "/notify.db"));

    auto im = s.run({"import", starter});
    INFO(im.err);
    REQUIRE(im.rc == 0);
    CHECK(lines(im.out) == 12);
    CHECK(im.out.find("added password-reset version 1 (locale zh-CN)\n") != std::string::npos);
    CHECK(im.out.find("imported 11 variants, 0 unchanged\n") != std::string::npos);
    CHECK(lines(s.run({"ls"}).out) == 12);

    const std::string data = R"({"code":"493021","minutes":10,"user":{"name":"Ana"},
        "ip":"203.0.113.7","city":"Shanghai","time":"2025-03-01 09:30","service":"Acme",
        "start":"03-02 01:00","end":"03-02 03:00","severity":"P1","summary":"db1 is down",
        "url":"https://status.example.com/1","sender":"Acme Ops"})";
    for (const char* name :
         {"one-time-code", "password-reset", "login-alert", "maintenance-notice", "incident-alert"})
        for (const char* locale : {"en", "zh-CN"}) {
            // The footer partial was imported as a template of its own: no --partials.
            auto r = s.run({"--json", "render", name, "--locale", locale, "--data", data});
            INFO(name << " " << locale << ": " << r.err);
            CHECK(r.rc == 0);
            auto j = nlohmann::json::parse(r.out);
            CHECK(!j["subject"].get<std::string>().empty());
            CHECK(j["text"].get<std::string>().find("Acme") != std::string::npos);
            CHECK(j["html"].get<std::string>().find("Acme Ops") != std::string::npos);  // footer
        }

    auto again = s.run({"import", starter});
    CHECK(again.rc == 0);
    CHECK(again.out == "imported 0 variants, 11 unchanged\n");
}

TEST_CASE("template import is all or nothing and names the broken file", "[cli]") {
    Setup s;
    std::filesystem::create_directories(s.dir.path() + "/in/good");
    std::filesystem::create_directories(s.dir.path() + "/in/zbad");
    s.dir.write("in/good/default.toml", "subject = \"fine {{x}}\"\n");
    SECTION("a TOML error") {
        std::string bad = s.dir.write("in/zbad/en.toml", "subject = \"ok\"\ntext = 'unclosed\n");
        auto r = s.run({"import", s.dir.path() + "/in"});
        CHECK(r.rc == 65);
        CHECK(r.err.rfind("notifyctl: error: template import: " + bad + ": line 2, column ", 0) ==
              0);
    }
    SECTION("a template syntax error") {
        std::string bad = s.dir.write("in/zbad/en.toml", "text = \"\"\"\nA\n{{#a}}\n\"\"\"\n");
        auto r = s.run({"import", s.dir.path() + "/in"});
        CHECK(r.rc == 65);
        CHECK(r.err.rfind("notifyctl: error: template import: " + bad + ": text: line 2, column 1",
                          0) == 0);
    }
    SECTION("an unknown key, with a hint") {
        std::string bad = s.dir.write("in/zbad/en.toml", "subjet = \"x\"\n");
        auto r = s.run({"import", s.dir.path() + "/in"});
        CHECK(r.rc == 65);
        CHECK(r.err.find(bad + ": line 1, column 1: unknown key 'subjet'") != std::string::npos);
        CHECK(r.err.find("subject") != std::string::npos);
    }
    SECTION("a wrong type") {
        std::string bad = s.dir.write("in/zbad/en.toml", "subject = 3\n");
        CHECK(s.run({"import", s.dir.path() + "/in"}).err.find(bad + ": line 1") !=
              std::string::npos);
    }
    CHECK(s.run({"ls"}).out.find("no templates") == 0);
    CHECK(s.run({"import", s.dir.path() + "/nothing"}).rc == 66);
}

TEST_CASE("template export then import into an empty store round-trips", "[cli]") {
    Setup s;
    REQUIRE(s.run({"import", starter}).rc == 0);
    REQUIRE(s.run({"add", "odd", "--channel", "sms", "--subject", "q\"\"\"q \\ {{x}}", "--text",
                   "tab\there \"quoted\"\nend\"", "--params",
                   R"({"code":"SMS_1","map":{"a":[1,2.5,true]}})"})
                .rc == 0);
    REQUIRE(s.run({"add", "odd", "--text", "any channel"}).rc == 0);
    auto ex = s.run({"export", s.dir.path() + "/out"});
    REQUIRE(ex.rc == 0);
    CHECK(ex.out == "exported 13 variants to " + s.dir.path() + "/out\n");
    CHECK(std::filesystem::exists(s.dir.path() + "/out/odd/default.sms.toml"));
    CHECK(std::filesystem::exists(s.dir.path() + "/out/odd/default.toml"));
    CHECK(std::filesystem::exists(s.dir.path() + "/out/login-alert/zh-CN.toml"));

    ScratchDir other;
    std::string config2 =
        other.write("notify.toml", "runtime_dir = \"" + other.path() + "\"\n[store]\npath = \"" +
                                       other.path() + "/notify.db\"\n");
    auto im = notifyctl({"--config", config2, "template", "import", s.dir.path() + "/out"});
    INFO(im.err);
    REQUIRE(im.rc == 0);
    CHECK(im.out.find("imported 13 variants") != std::string::npos);

    auto a = store::Store::open(s.dir.path() + "/notify.db", {});
    auto b = store::Store::open(other.path() + "/notify.db", {});
    REQUIRE(a);
    REQUIRE(b);
    auto la = store::TemplateStore(**a).list();
    auto lb = store::TemplateStore(**b).list();
    REQUIRE(la.size() == lb.size());
    for (size_t i = 0; i < la.size(); ++i) {
        INFO(la[i].name << " " << la[i].channel << " " << la[i].locale);
        CHECK(la[i].name == lb[i].name);
        CHECK(la[i].channel == lb[i].channel);
        CHECK(la[i].locale == lb[i].locale);
        CHECK(la[i].subject == lb[i].subject);
        CHECK(la[i].text == lb[i].text);
        CHECK(la[i].html == lb[i].html);
        CHECK(nlohmann::json::parse(la[i].params_json.empty() ? "{}" : la[i].params_json) ==
              nlohmann::json::parse(lb[i].params_json.empty() ? "{}" : lb[i].params_json));
    }
    // the exported folder, imported back where it came from, changes nothing
    CHECK(s.run({"import", s.dir.path() + "/out"}).out == "imported 0 variants, 13 unchanged\n");
}
