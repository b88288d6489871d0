// /v1/templates through the API core: list, show, history, add (PUT) with the
// checks of `notifyctl template add`, remove, restore, the author of each
// version, the preview of a template not yet stored, and the errors; against
// an in-memory store, no sockets.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <optional>

#include "api.hpp"
#include "store/template_store.hpp"
#include "test_ingest_harness.hpp"

using namespace notify;
using namespace notify::ingest;
using nlohmann::json;

namespace {

struct Templates : notify::ingest::test::ApiHarness {
    std::string key;  // an admin key named "ops"

    Templates() : ApiHarness("require_api_key = true\n", 0) {
        auto k = store->create_api_key("ops", "admin");
        REQUIRE(k);
        key = *k;
    }

    Response call(const std::string& method, const std::string& path, const std::string& body = {},
                  std::map<std::string, std::string> query = {}, std::string auth = {}) {
        if (auth.empty()) auth = "Bearer " + key;
        return handle({method, path, std::move(query), body, auth, false, {}});
    }

    json put(const std::string& name, const json& body, int status = 201) {
        Response r = call("PUT", "/v1/templates/" + name, body.dump());
        INFO(r.body);
        REQUIRE(r.status == status);
        return json::parse(r.body);
    }
};

json error_of(const Response& r) {
    INFO(r.body);
    return json::parse(r.body)["error"];
}

std::string header(const Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers)
        if (n == name) return v;
    return {};
}

}  // namespace

TEST_CASE("templates API: add, list, show and history") {
    Templates h;
    CHECK(json::parse(h.call("GET", "/v1/templates").body) == json{{"templates", json::array()}});

    json a = h.put("welcome", {{"subject", "Hi {{name}}"}, {"text", "Welcome, {{name}}."}});
    CHECK(a == json{{"name", "welcome"}, {"channel", ""}, {"locale", ""}, {"version", 1}});
    json b = h.put("welcome", {{"locale", "zh-CN"},
                               {"subject", "你好 {{name}}"},
                               {"text", "欢迎"},
                               {"params", {{"sign", "ACME"}}}});
    CHECK(b["version"] == 1);
    CHECK(b["locale"] == "zh-CN");
    json c = h.put("welcome", {{"subject", "Hello {{name}}"}, {"text", "Welcome back."}});
    CHECK(c["version"] == 2);  // a new version each time, per variant

    SECTION("the list holds the current variants, with their author") {
        Response r = h.call("GET", "/v1/templates");
        REQUIRE(r.status == 200);
        json list = json::parse(r.body)["templates"];
        REQUIRE(list.size() == 2);
        CHECK(list[0]["name"] == "welcome");
        CHECK(list[0]["locale"] == "");
        CHECK(list[0]["version"] == 2);
        CHECK(list[0]["author"] == "ops");
        CHECK(list[0]["created_at"].get<std::string>().back() == 'Z');
        CHECK_FALSE(list[0].contains("text"));
        CHECK(list[1]["locale"] == "zh-CN");
    }
    SECTION("show gives every current variant with its content") {
        Response r = h.call("GET", "/v1/templates/welcome");
        REQUIRE(r.status == 200);
        json j = json::parse(r.body);
        CHECK(j["name"] == "welcome");
        REQUIRE(j["variants"].size() == 2);
        CHECK(j["variants"][0]["subject"] == "Hello {{name}}");
        CHECK(j["variants"][0]["params"] == json::object());
        CHECK(j["variants"][1]["subject"] == "你好 {{name}}");
        CHECK(j["variants"][1]["params"] == json{{"sign", "ACME"}});
    }
    SECTION("channel and locale pick one, with the fallbacks of a send") {
        auto one = [&](std::map<std::string, std::string> q) {
            Response r = h.call("GET", "/v1/templates/welcome", {}, std::move(q));
            INFO(r.body);
            REQUIRE(r.status == 200);
            return json::parse(r.body);
        };
        CHECK(one({{"locale", "zh-CN"}})["text"] == "欢迎");
        CHECK(one({{"locale", "zh-CN"}})["deleted"] == false);
        CHECK(one({{"channel", "email"}, {"locale", "fr"}})["text"] == "Welcome back.");
        CHECK(one({{"locale", ""}, {"version", "1"}})["subject"] == "Hi {{name}}");
        Response missing =
            h.call("GET", "/v1/templates/welcome", {}, {{"locale", ""}, {"version", "9"}});
        CHECK(missing.status == 404);
        CHECK(error_of(missing)["message"] == "no template 'welcome' at version 9");
        Response bad = h.call("GET", "/v1/templates/welcome", {}, {{"version", "x"}});
        CHECK(bad.status == 400);
        CHECK(error_of(bad)["field"] == "version");
    }
    SECTION("history lists every version with its state") {
        Response r = h.call("GET", "/v1/templates/welcome/history");
        REQUIRE(r.status == 200);
        json v = json::parse(r.body)["versions"];
        REQUIRE(v.size() == 3);
        CHECK(v[0]["version"] == 1);
        CHECK(v[0]["state"] == "old");
        CHECK(v[1]["version"] == 2);
        CHECK(v[1]["state"] == "current");
        CHECK(v[2]["locale"] == "zh-CN");
        CHECK(v[2]["state"] == "current");
        CHECK(v[2]["author"] == "ops");
    }
    SECTION("unknown templates are 404") {
        CHECK(h.call("GET", "/v1/templates/nope").status == 404);
        CHECK(h.call("GET", "/v1/templates/nope/history").status == 404);
        Response r =
            h.call("GET", "/v1/templates/welcome", {}, {{"channel", "sms"}, {"locale", "de"}});
        CHECK(r.status == 200);  // falls back to the default variant
        Response none = h.call("GET", "/v1/templates/nope", {}, {{"locale", "de"}});
        CHECK(none.status == 404);
        CHECK(error_of(none)["message"] == "no template 'nope' in locale 'de'");
    }
}

TEST_CASE("templates API: PUT checks what `notifyctl template add` checks") {
    Templates h;
    SECTION("syntax errors are 422 with the part and its line and column") {
        Response r = h.call("PUT", "/v1/templates/t", R"({"text":"ok\n{{#open}} never closed"})");
        CHECK(r.status == 422);
        json e = error_of(r);
        CHECK(e["code"] == "template_syntax");
        CHECK(e["field"] == "text");
        CHECK(e["message"].get<std::string>().rfind("text: line 2, column ", 0) == 0);
        CHECK(json::parse(h.call("GET", "/v1/templates").body)["templates"].empty());
    }
    SECTION("a partial's syntax error shows through the part that reaches it") {
        h.put("footer", {{"text", "{{#x}}unclosed"}}, 422);
        store::TemplateStore direct(*h.store);
        store::TemplateVersion broken;
        broken.name = "footer";
        broken.text = "{{#x}}unclosed";
        REQUIRE(direct.add(broken));  // as if written before the checks existed
        Response r = h.call("PUT", "/v1/templates/mail", R"({"html":"<p>{{> footer}}</p>"})");
        CHECK(r.status == 422);
        CHECK(error_of(r)["field"] == "html");
    }
    SECTION("the webhook payload parameter is a template too") {
        Response r = h.call("PUT", "/v1/templates/hook",
                            R"({"text":"t","params":{"payload":"{\"a\":\"{{#a}}\"}"}})");
        CHECK(r.status == 422);
        CHECK(error_of(r)["field"] == "params.payload");
        Response s = h.call("PUT", "/v1/templates/hook", R"({"text":"t","params":{"payload":3}})");
        CHECK(s.status == 400);
        CHECK(error_of(s)["code"] == "invalid_params");
        json ok = h.put("hook", {{"channel", "hook"},
                                 {"text", "t"},
                                 {"params", {{"payload", R"({"msg":"{{text}}"})"}}}});
        CHECK(ok["channel"] == "hook");
    }
    SECTION("names, locales, channels and fields") {
        Response name = h.call("PUT", "/v1/templates/.hidden", R"({"text":"t"})");
        CHECK(name.status == 400);
        CHECK(error_of(name)["message"].get<std::string>().find("template name '.hidden'") == 0);
        CHECK(error_of(name)["code"] == "invalid_name");
        Response locale = h.call("PUT", "/v1/templates/t", R"({"text":"t","locale":"zh CN"})");
        CHECK(locale.status == 400);
        CHECK(error_of(locale)["field"] == "locale");
        CHECK(error_of(locale)["code"] == "invalid_locale");
        Response channel = h.call("PUT", "/v1/templates/t", R"({"text":"t","channel":"emial"})");
        CHECK(channel.status == 400);
        CHECK(error_of(channel)["code"] == "unknown_channel");
        CHECK(error_of(channel)["message"].get<std::string>().find("did you mean 'email'?") !=
              std::string::npos);
        Response unknown = h.call("PUT", "/v1/templates/t", R"({"text":"t","subjet":"s"})");
        CHECK(unknown.status == 400);
        CHECK(error_of(unknown)["code"] == "unknown_field");
        CHECK(error_of(unknown)["field"] == "subjet");
        Response empty = h.call("PUT", "/v1/templates/t", R"({"locale":"en"})");
        CHECK(empty.status == 400);
        CHECK(error_of(empty)["code"] == "missing_field");
        Response type = h.call("PUT", "/v1/templates/t", R"({"text":["t"]})");
        CHECK(type.status == 400);
        CHECK(error_of(type)["field"] == "text");
        Response params = h.call("PUT", "/v1/templates/t", R"({"text":"t","params":"x"})");
        CHECK(params.status == 400);
        CHECK(error_of(params)["field"] == "params");
        CHECK(h.call("PUT", "/v1/templates/t", "{nope").status == 400);
        CHECK(h.call("PUT", "/v1/templates/t", R"(["t"])").status == 400);
        CHECK(h.call("PUT", "/v1/templates/t", json{{"text", std::string(4000, 'x')}}.dump())
                  .status == 413);
        CHECK(json::parse(h.call("GET", "/v1/templates").body)["templates"].empty());
    }
}

TEST_CASE("templates API: remove and restore") {
    Templates h;
    h.put("alert", {{"text", "v1"}});
    h.put("alert", {{"text", "v2"}});
    h.put("alert", {{"locale", "de"}, {"text", "de1"}});

    SECTION("DELETE removes one variant as a new version") {
        Response r = h.call("DELETE", "/v1/templates/alert", {}, {{"locale", "de"}});
        REQUIRE(r.status == 200);
        CHECK(json::parse(r.body) == json{{"name", "alert"},
                                          {"channel", ""},
                                          {"locale", "de"},
                                          {"version", 2},
                                          {"deleted", true}});
        json list = json::parse(h.call("GET", "/v1/templates").body)["templates"];
        REQUIRE(list.size() == 1);
        CHECK(list[0]["locale"] == "");
        json hist = json::parse(h.call("GET", "/v1/templates/alert/history").body)["versions"];
        CHECK(hist.back()["state"] == "deleted");
        CHECK(hist.back()["author"] == "ops");
        Response again = h.call("DELETE", "/v1/templates/alert", {}, {{"locale", "de"}});
        CHECK(again.status == 404);
        CHECK(error_of(again)["message"] ==
              "no template 'alert' in locale 'de' (it has the default variant)");
        CHECK(h.call("DELETE", "/v1/templates/none").status == 404);
    }
    SECTION("restore writes an old version again as the newest") {
        Response r = h.call("POST", "/v1/templates/alert/restore", R"({"version":1})");
        REQUIRE(r.status == 200);
        CHECK(json::parse(r.body) == json{{"name", "alert"},
                                          {"channel", ""},
                                          {"locale", ""},
                                          {"restored", 1},
                                          {"version", 3}});
        json cur = json::parse(h.call("GET", "/v1/templates/alert", {}, {{"locale", ""}}).body);
        CHECK(cur["text"] == "v1");
        CHECK(cur["version"] == 3);
        CHECK(h.call("POST", "/v1/templates/alert/restore", R"({"version":7})").status == 404);
        CHECK(h.call("POST", "/v1/templates/alert/restore", R"({"version":1,"locale":"fr"})")
                  .status == 404);
        Response missing = h.call("POST", "/v1/templates/alert/restore", R"({"locale":"de"})");
        CHECK(missing.status == 400);
        CHECK(error_of(missing)["code"] == "missing_field");
        CHECK(h.call("POST", "/v1/templates/alert/restore", R"({"version":"1"})").status == 400);
        CHECK(h.call("POST", "/v1/templates/alert/restore", R"({"version":0})").status == 400);
        Response unknown = h.call("POST", "/v1/templates/alert/restore", R"({"versoin":1})");
        CHECK(error_of(unknown)["code"] == "unknown_field");
    }
}

TEST_CASE("templates API: methods, routes and scopes") {
    Templates h;
    Response post = h.call("POST", "/v1/templates", R"({"text":"t"})");
    CHECK(post.status == 405);
    CHECK(header(post, "Allow") == "GET");
    Response patch = h.call("PATCH", "/v1/templates/x", "{}");
    CHECK(patch.status == 405);
    CHECK(header(patch, "Allow") == "GET, PUT, DELETE");
    CHECK(h.call("GET", "/v1/templates/x/restore").status == 405);
    CHECK(h.call("GET", "/v1/templates/x/versions").status == 404);
    CHECK(h.call("GET", "/v1/templates/x/history/1").status == 404);
    Response query = h.call("GET", "/v1/templates", {}, {{"limit", "3"}});
    CHECK(query.status == 400);
    CHECK(error_of(query)["code"] == "unknown_field");

    auto read = h.store->create_api_key("dash", "read");
    REQUIRE(read);
    std::string bearer = "Bearer " + *read;
    CHECK(h.call("GET", "/v1/templates", {}, {}, bearer).status == 200);
    CHECK(h.call("PUT", "/v1/templates/t", R"({"text":"t"})", {}, bearer).status == 403);
    CHECK(h.call("DELETE", "/v1/templates/t", {}, {}, bearer).status == 403);
}

TEST_CASE("templates API: preview renders a draft as a send would") {
    Templates h;
    h.put("footer", {{"text", "-- {{team}}"}});
    h.put("footer", {{"locale", "zh-CN"}, {"text", "—— {{team}}"}});
    auto preview = [&](const json& body, int status = 200) {
        Response r = h.call("POST", "/v1/templates/preview", body.dump());
        INFO(r.body);
        REQUIRE(r.status == status);
        return json::parse(r.body);
    };

    SECTION("each part rendered with its escaping, unfilled variables listed") {
        json r = preview({{"subject", "Hi {{name}} & co"},
                          {"text", "Dear {{name}},\n{{body}}"},
                          {"html", "<p>{{name}}</p><p>{{{raw}}}</p>"},
                          {"data", {{"name", "<Ada>"}, {"raw", "<b>x</b>"}}}});
        CHECK(r["subject"] == "Hi <Ada> & co");
        CHECK(r["text"] == "Dear <Ada>,\n");
        CHECK(r["html"] == "<p>&lt;Ada&gt;</p><p><b>x</b></p>");
        CHECK(r["missing"] == json{"body"});
    }
    SECTION("partials come from the store for the draft's channel and locale") {
        json body = {{"text", "Hello\n{{> footer}}"}, {"data", {{"team", "ops"}}}};
        CHECK(preview(body)["text"] == "Hello\n-- ops");
        body["locale"] = "zh-CN";
        CHECK(preview(body)["text"] == "Hello\n—— ops");
        body["channel"] = "email";
        CHECK(preview(body)["text"] == "Hello\n—— ops");
    }
    SECTION("the same text renders the same as a stored template at a send") {
        const std::string text =
            "{{#items}}- {{name}}: {{qty}}\n{{/items}}{{^items}}none{{/items}}";
        json data = {{"items", {{{"name", "a"}, {"qty", 1}}, {{"name", "b"}, {"qty", 2.5}}}}};
        h.put("order", {{"channel", "hook"}, {"text", text}});
        Response sent =
            h.call("POST", "/v1/notifications",
                   json{{"channel", "hook"}, {"template", "order"}, {"data", data}}.dump());
        INFO(sent.body);
        REQUIRE(sent.status == 202);
        const std::string id = json::parse(sent.body)["id"];
        json stored = json::parse(h.call("GET", "/v1/notifications/" + id).body);
        CHECK(preview({{"channel", "hook"}, {"text", text}, {"data", data}})["text"] ==
              stored["body"]);
    }
    SECTION("no data is empty data, and nothing is stored") {
        json r = preview({{"subject", "{{a.b}} {{c}}"}});
        CHECK(r["subject"] == " ");
        CHECK(r["text"] == "");
        CHECK(r["missing"] == json{"a.b", "c"});
        CHECK(h.call("GET", "/v1/templates/preview").status == 404);
        CHECK(json::parse(h.call("GET", "/v1/templates").body)["templates"].size() == 2);
    }
    SECTION("syntax errors are 422 with the part, as for PUT") {
        json e = preview({{"subject", "ok"}, {"html", "<p>{{#open}}</p>"}}, 422)["error"];
        CHECK(e["code"] == "template_syntax");
        CHECK(e["field"] == "html");
        CHECK(e["message"].get<std::string>().rfind("html: line 1, column ", 0) == 0);
    }
    SECTION("a draft whose sections multiply over its data is refused, not rendered") {
        Response r =
            h.call("POST", "/v1/templates/preview",
                   json{{"text", "{{#a}}{{#a}}{{#a}}{{#a}}{{#a}}x{{/a}}{{/a}}{{/a}}{{/a}}{{/a}}"},
                        {"data", {{"a", std::vector<int>(100, 1)}}}}
                       .dump());
        CHECK(r.status == 413);
        CHECK(error_of(r)["code"] == "render_too_large");
    }
    SECTION("bad input is refused by name") {
        CHECK(preview({{"text", "t"}, {"data", "x"}}, 400)["error"]["field"] == "data");
        CHECK(preview({{"text", "t"}, {"data", json::array()}}, 400)["error"]["field"] == "data");
        CHECK(preview({{"text", 3}}, 400)["error"]["field"] == "text");
        CHECK(preview({{"text", "t"}, {"params", json::object()}}, 400)["error"]["code"] ==
              "unknown_field");
        CHECK(preview({{"text", "t"}, {"channel", "emial"}}, 400)["error"]["code"] ==
              "unknown_channel");
        CHECK(preview({{"text", "t"}, {"locale", "zh CN"}}, 400)["error"]["code"] ==
              "invalid_locale");
        Response large =
            h.call("POST", "/v1/templates/preview", json{{"text", std::string(4000, 'x')}}.dump());
        CHECK(large.status == 413);
        CHECK(h.call("POST", "/v1/templates/preview", "{nope").status == 400);
        CHECK(h.call("POST", "/v1/templates/preview", R"({"text":"t"})", {{"x", "1"}}).status ==
              400);
    }
    SECTION("a read key may preview; a send key may not; no audit entry") {
        auto read = h.store->create_api_key("dash", "read");
        REQUIRE(read);
        Response r =
            h.call("POST", "/v1/templates/preview", R"({"text":"{{a}}"})", {}, "Bearer " + *read);
        CHECK(r.status == 200);
        auto send = h.store->create_api_key("app", "send");
        REQUIRE(send);
        CHECK(h.call("POST", "/v1/templates/preview", R"({"text":"t"})", {}, "Bearer " + *send)
                  .status == 403);
        Response audit = h.call("GET", "/v1/audit");
        REQUIRE(audit.status == 200);
        const json entries = json::parse(audit.body)["entries"];
        for (const auto& e : entries) CHECK(e["action"] != "template.preview");
    }
    SECTION("only POST previews; a template may still be named preview") {
        Response get = h.call("DELETE", "/v1/templates/x/preview");
        CHECK(get.status == 404);
        h.put("preview", {{"text", "a template named preview"}});
        json shown = json::parse(h.call("GET", "/v1/templates/preview").body);
        CHECK(shown["variants"][0]["text"] == "a template named preview");
        Response patch = h.call("PATCH", "/v1/templates/preview", "{}");
        CHECK(header(patch, "Allow") == "GET, PUT, DELETE, POST");
    }
}
