#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>

#include "personalize.hpp"
#include "store/directory_store.hpp"
#include "store/template_store.hpp"
#include "test_router_fixture.hpp"
#include "unsubscribe_link.hpp"

using namespace notify;
using notify::testing::TempStore;

namespace {

void welcome_templates(store::Store& s, Millis at) {
    store::TemplateStore templates(s);
    store::TemplateVersion t;
    t.name = "welcome";
    t.subject = "Welcome, {{user.name}}";
    t.text = "Hello {{user.name}} of team {{user.team}}: {{event}}";
    t.html = "<p>Hello {{user.name}}</p><p>{{event}}</p>";
    t.created_at = at;
    REQUIRE(templates.add(t));
    t.locale = "zh";
    t.subject = "欢迎 {{user.name}}";
    REQUIRE(templates.add(t));
}

wire::Job job_for(const std::string& nid, const std::string& user, const std::string& locale) {
    wire::Job j;
    j.delivery_id = nid + ".1";
    j.notification_id = nid;
    j.channel = "email";
    j.to = user + "@example.com";
    j.user_id = user;
    j.locale = locale;
    j.template_name = "welcome";
    j.data_json = R"({"event":"launch"})";
    j.subject = "stored subject";
    j.body = "stored body";
    j.category = "news";
    return j;
}

}  // namespace

TEST_CASE("jobs for users are rendered for them, with their unsubscribe link") {
    TempStore s;
    Config config = testing::router_config();
    store::DirectoryStore directory(*s);
    const Millis accepted = util::now_ms() - 1000;
    welcome_templates(*s, accepted - 1000);
    s.user("ann", "ann@example.com", "", "zh-CN", "Ann", R"({"team":"ops"})");
    s.user("bob", "bob@example.com", "", "", "", R"({"team":"dev"})");
    rendering::StoredTemplates cache(*s, config.templates.default_locale);
    router::Personalizer p(config, *s, directory, cache);
    const std::string nid = util::new_ulid(accepted);
    auto secret = unsubscribe_secret(config, *s);
    REQUIRE(secret);

    SECTION("the user's locale and record") {
        wire::Job j = job_for(nid, "ann", "zh-CN");
        REQUIRE(p.personalize(j, util::now_ms()));
        CHECK(j.subject == "欢迎 Ann");
        CHECK(j.body == "Hello Ann of team ops: launch");
        CHECK(j.html == "<p>Hello Ann</p><p>launch</p>");
        REQUIRE_FALSE(j.unsubscribe_url.empty());
        const std::string token = j.unsubscribe_url.substr(j.unsubscribe_url.rfind('/') + 1);
        auto target = verify_unsubscribe_token(*secret, token);
        REQUIRE(target);
        CHECK(target->user_id == "ann");
        CHECK(target->category == "news");
    }
    SECTION("a variable the user lacks fails the delivery, naming it") {
        wire::Job j = job_for(nid, "bob", "");
        auto st = p.personalize(j, util::now_ms());
        REQUIRE_FALSE(st);
        CHECK(st.error().message == "template 'welcome': missing variables: user.name");
    }
    SECTION("a template written after the notification is not used") {
        store::TemplateStore templates(*s);
        store::TemplateVersion t = *templates.current("welcome", "", "zh");
        t.subject = "changed";
        t.created_at = 0;
        REQUIRE(templates.add(t));
        wire::Job j = job_for(nid, "ann", "zh-CN");
        REQUIRE(p.personalize(j, util::now_ms()));
        CHECK(j.subject == "欢迎 Ann");
    }
    SECTION("a user removed from the directory") {
        wire::Job j = job_for(nid, "carol", "");
        auto st = p.personalize(j, util::now_ms());
        REQUIRE_FALSE(st);
        CHECK(st.error().message == "user 'carol' is no longer in the directory");
    }
    SECTION("raw addresses keep the stored content; mandatory categories get no link") {
        wire::Job j = job_for(nid, "", "");
        j.to = "x@example.com";
        REQUIRE(p.personalize(j, util::now_ms()));
        CHECK(j.subject == "stored subject");
        auto target = verify_unsubscribe_token(
            *secret, j.unsubscribe_url.substr(j.unsubscribe_url.rfind('/') + 1));
        REQUIRE(target);
        CHECK(target->channel == "email");
        CHECK(target->address == "x@example.com");
        wire::Job code = job_for(nid, "ann", "zh-CN");
        code.category = "security";
        REQUIRE(p.personalize(code, util::now_ms()));
        CHECK(code.unsubscribe_url.empty());
    }
}

TEST_CASE("rendering for 10,000 users") {
    TempStore s;
    Config config = testing::router_config();
    store::DirectoryStore directory(*s);
    const Millis accepted = util::now_ms() - 1000;
    welcome_templates(*s, accepted - 1000);
    s.exec("BEGIN");
    for (int i = 0; i < 10000; ++i) {
        const std::string id = "user" + std::to_string(i);
        s.user(id, id + "@example.com", "", i % 3 ? "" : "zh-CN", "Name " + id,
               R"({"team":"t)" + std::to_string(i % 7) + "\"}");
    }
    s.exec("COMMIT");
    rendering::StoredTemplates cache(*s, config.templates.default_locale);
    router::Personalizer p(config, *s, directory, cache);
    const std::string nid = util::new_ulid(accepted);
    int rendered = 0;
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    for (int i = 0; i < 10000; ++i) {
        wire::Job j = job_for(nid, "user" + std::to_string(i), i % 3 ? "" : "zh-CN");
        if (p.personalize(j, util::now_ms()) && j.body.find("Name user") != std::string::npos)
            ++rendered;
    }
    const double us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
            .count() /
        10000;
    const double cpu_us =
        static_cast<double>(std::clock() - cpu_start) * 1e6 / CLOCKS_PER_SEC / 10000;
    std::printf(
        "per-user rendering: %.1f us per delivery, cpu %.1f us (user read, render, "
        "unsubscribe link)\n",
        us, cpu_us);
    CHECK(rendered == 10000);
}
