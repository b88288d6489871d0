#include <catch2/catch.hpp>

#include "store/template_store.hpp"
#include "test_cli_helpers.hpp"

using namespace notify;
using namespace notify::cli::test;

namespace {
struct Setup {
    ScratchDir dir;
    std::string config =
        dir.write("notify.toml", "runtime_dir = \"" + dir.path() + "\"\n[store]\npath = \"" +
                                     dir.path() + "/notify.db\"\n");
};
}  // namespace

TEST_CASE("template render previews a local file with partials", "[cli]") {
    Setup s;
    s.dir.write("footer.mustache", "-- {{team}}\n");
    std::string file = s.dir.write("reset.txt", "Code {{code}} for {{user.name}}\n{{> footer}}\n");
    SECTION("all variables filled") {
        auto r = notifyctl({"--config", s.config, "template", "render", "--file", file, "--data",
                            R"({"code":"<493021>","user":{"name":"Ana"},"team":"ops"})",
                            "--partials", s.dir.path()});
        CHECK(r.rc == 0);
        CHECK(r.out == "Code <493021> for Ana\n-- ops\n");  // plain text: nothing escaped
    }
    SECTION("HTML files escape; missing variables are named with exit 65") {
        std::string html = s.dir.write("reset.html", "<p>{{code}} {{user.name}}</p>");
        auto r = notifyctl({"--config", s.config, "template", "render", "--file", html, "--data",
                            R"({"code":"a&b"})"});
        CHECK(r.rc == 65);
        CHECK(r.out == "<p>a&amp;b </p>");
        CHECK(r.err == "notifyctl: error: template render: missing variables: user.name\n");
    }
    SECTION("a syntax error gives the line and column") {
        std::string bad = s.dir.write("bad.txt", "ok\n{{#items}}\n{{name}}\n");
        auto r = notifyctl({"--config", s.config, "template", "render", "--file", bad});
        CHECK(r.rc == 65);
        CHECK(r.err.find("template render: " + bad + ": line 2, column") != std::string::npos);
    }
    SECTION("bad arguments") {
        CHECK(notifyctl({"--config", s.config, "template", "render"}).rc == 64);
        CHECK(
            notifyctl({"--config", s.config, "template", "render", "--file", s.dir.path() + "/no"})
                .rc == 66);
        CHECK(notifyctl(
                  {"--config", s.config, "template", "render", "--file", file, "--escape", "htlm"})
                  .rc == 64);
    }
}

TEST_CASE("template render finds a stored template with locale fallback", "[cli]") {
    Setup s;
    {
        auto st = store::Store::open(s.dir.path() + "/notify.db", {});
        REQUIRE(st);
        store::TemplateStore templates(**st);
        store::TemplateVersion t;
        t.name = "login-alert";
        t.locale = "zh";
        t.subject = "新的登录：{{city}}";
        t.text = "{{user}} 在 {{city}} 登录";
        t.html = "<b>{{user}}</b>";
        REQUIRE(templates.add(t));
    }
    auto r = notifyctl({"--config", s.config, "template", "render", "login-alert", "--locale",
                        "zh-CN", "--data", R"({"user":"<ana>","city":"上海"})"});
    CHECK(r.rc == 0);
    CHECK(r.out ==
          "--- subject ---\n新的登录：上海\n--- text ---\n<ana> 在 上海 登录\n--- html ---\n"
          "<b>&lt;ana&gt;</b>\n");
    auto missing = notifyctl({"--config", s.config, "template", "render", "nope"});
    CHECK(missing.rc == 65);
    CHECK(missing.err == "notifyctl: error: no template 'nope'\n");
}
