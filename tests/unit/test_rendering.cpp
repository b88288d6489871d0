#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "rendering/stored_templates.hpp"
#include "store/directory_store.hpp"
#include "store/template_store.hpp"

using namespace notify;
using nlohmann::json;
using rendering::TemplateRef;

namespace {

store::TemplateVersion version(const std::string& locale, const std::string& subject,
                               const std::string& text, Millis at) {
    store::TemplateVersion t;
    t.name = "welcome";
    t.locale = locale;
    t.subject = subject;
    t.text = text;
    t.html = "<p>{{text}}</p>";
    t.created_at = at;
    return t;
}

}  // namespace

TEST_CASE("templates render at the door into the notification") {
    auto st = store::Store::open(":memory:", {});
    REQUIRE(st);
    store::TemplateStore templates(**st);
    REQUIRE(templates.add(version("", "Hi {{name}}", "{{text}}", 0)));
    rendering::StoredTemplates r(**st, "en");

    SECTION("subject, text and escaped HTML") {
        Notification n;
        n.template_name = "welcome";
        n.channel = "email";
        REQUIRE(r.render(n, json{{"name", "Ann"}, {"text", "a < b"}}, ""));
        CHECK(n.subject == "Hi Ann");
        CHECK(n.body == "a < b");
        CHECK(n.html == "<p>a &lt; b</p>");
        CHECK(n.payload.empty());
    }
    SECTION("errors name the field, with the prefix of a batch item") {
        Notification n;
        n.template_name = "welcome";
        n.channel = "email";
        auto missing = r.render(n, json::object(), "notifications[1].");
        REQUIRE_FALSE(missing);
        CHECK(missing.error().code == "missing_variables");
        CHECK(missing.error().field == "notifications[1].data");
        CHECK(missing.error().message == "template 'welcome': missing variables: name, text");
        n.template_name = "nope";
        n.locale = "fr";
        auto unknown = r.render(n, json::object(), "");
        REQUIRE_FALSE(unknown);
        CHECK(unknown.error().code == "unknown_template");
        CHECK(unknown.error().message == "no template 'nope' for channel 'email' in locale 'fr'");
        CHECK(unknown.error().field == "template");
    }
}

TEST_CASE("a webhook payload template renders with JSON escaping and must be JSON") {
    auto st = store::Store::open(":memory:", {});
    REQUIRE(st);
    store::TemplateStore templates(**st);
    store::TemplateVersion t;
    t.name = "alert";
    t.text = "{{msg}}";
    t.params_json = R"({"payload":"{\"text\":\"{{msg}}\",\"count\":{{count}}}"})";
    REQUIRE(templates.add(t));
    t.name = "broken";
    t.params_json = R"({"payload":"{\"text\": {{msg}}"})";
    REQUIRE(templates.add(t));
    rendering::StoredTemplates r(**st, "");

    auto out = r.render(TemplateRef{"alert", "hook", "", 0},
                        json{{"msg", "disk \"full\"\n"}, {"count", 3}});
    REQUIRE(out);
    auto body = json::parse(out->payload);
    CHECK(body["text"] == "disk \"full\"\n");
    CHECK(body["count"] == 3);
    CHECK(out->body == "disk \"full\"\n");

    auto bad = r.render(TemplateRef{"broken", "hook", "", 0}, json{{"msg", "x"}});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == "template_syntax");
    CHECK(bad.error().message ==
          "template 'broken' payload: the rendered payload is not valid JSON");
}

TEST_CASE("templates render as of a time, in the locale asked for") {
    auto st = store::Store::open(":memory:", {});
    REQUIRE(st);
    store::TemplateStore templates(**st);
    REQUIRE(templates.add(version("", "v1", "{{text}}", 1000)));
    REQUIRE(templates.add(version("zh", "v1 zh", "{{text}}", 1000)));
    REQUIRE(templates.add(version("", "v2", "{{text}}", 2000)));
    store::TemplateVersion footer;
    footer.name = "footer";
    footer.text = "old footer";
    footer.created_at = 1000;
    REQUIRE(templates.add(footer));
    footer.text = "new footer";
    footer.created_at = 2000;
    REQUIRE(templates.add(footer));
    store::TemplateVersion with_partial = version("", "p", "{{> footer}}", 1000);
    with_partial.name = "with-footer";
    REQUIRE(templates.add(with_partial));
    REQUIRE(templates.remove("welcome", "", "zh", "ops"));  // now, after every as_of below

    rendering::StoredTemplates r(**st, "");
    const json data{{"text", "t"}};
    CHECK(r.render(TemplateRef{"welcome", "email", "", 1500}, data)->subject == "v1");
    CHECK(r.render(TemplateRef{"welcome", "email", "", 2500}, data)->subject == "v2");
    CHECK(r.render(TemplateRef{"welcome", "email", "", 0}, data)->subject == "v2");
    CHECK(r.render(TemplateRef{"welcome", "email", "zh-CN", 1500}, data)->subject == "v1 zh");
    CHECK(r.render(TemplateRef{"welcome", "email", "zh-CN", 0}, data)->subject == "v2");
    CHECK_FALSE(r.render(TemplateRef{"welcome", "email", "", 500}, data));
    CHECK(r.render(TemplateRef{"with-footer", "email", "", 1500}, data)->body == "old footer");
    CHECK(r.render(TemplateRef{"with-footer", "email", "", 0}, data)->body == "new footer");
    // Asked again: the same answers from the cache.
    CHECK(r.render(TemplateRef{"welcome", "email", "", 1500}, data)->subject == "v1");
    CHECK(r.render(TemplateRef{"with-footer", "email", "", 1500}, data)->body == "old footer");
}

TEST_CASE("the user object holds the record and its attributes") {
    store::User u;
    u.id = "ann";
    u.name = "Ann";
    u.email = "ann@example.com";
    u.locale = "en";
    u.attributes_json = R"({"team":"ops","name":"ignored","level":3})";
    json o = rendering::user_object(u);
    CHECK(o["id"] == "ann");
    CHECK(o["name"] == "Ann");
    CHECK(o["team"] == "ops");
    CHECK(o["level"] == 3);
    CHECK_FALSE(o.contains("phone"));
    CHECK_FALSE(o.contains("timezone"));
}
