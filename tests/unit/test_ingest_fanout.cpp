// Sends to users and groups at the door: existence checks, counting, the
// approval decision, the template check with a "user" object, the 202 answer
// and the fan-out in reads; approve and reject forwarded to the router; and the
// one-click unsubscribe pages.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "api.hpp"
#include "door.hpp"
#include "render.hpp"
#include "store/audit.hpp"
#include "store/directory_store.hpp"
#include "store/fanout_store.hpp"
#include "store/template_store.hpp"
#include "test_ingest_fixture.hpp"
#include "unsubscribe_link.hpp"

using namespace notify;
using namespace notify::ingest;
using nlohmann::json;

namespace {

constexpr Millis kNow = 1'800'000'000'000;

class ScriptedControl : public RouterControl {
  public:
    std::vector<json> requests;
    std::string reply;  // "": the router is down
    void call(const std::string& request,
              std::function<void(Expected<std::string>)> done) override {
        requests.push_back(json::parse(request));
        if (reply.empty())
            done(make_error(ErrorKind::unavailable, "router_unavailable", "no answer"));
        else
            done(Expected<std::string>(reply));
    }
};

// An in-memory store with alice (email, de locale, a team attribute), bob (a
// phone only), group ops {alice, bob}, group board {alice} that requires
// approval, and group empty.
struct Directory {
    Config config;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<store::DirectoryStore> dir;

    explicit Directory(const std::string& extra = "require_api_key = false\n")
        : config(ingest_test_config(extra)) {
        config.store.path = ":memory:";
        auto s = store::Store::open(":memory:", {});
        REQUIRE(s);
        store = std::move(*s);
        dir = std::make_unique<store::DirectoryStore>(*store);
        store::User alice;
        alice.id = "alice";
        alice.name = "Alice";
        alice.email = "alice@example.com";
        alice.locale = "de";
        alice.attributes_json = R"({"team":"core"})";
        REQUIRE(dir->put_user(alice));
        store::User bob;
        bob.id = "bob";
        bob.name = "Bob";
        bob.phone = "+8613800138000";
        REQUIRE(dir->put_user(bob));
        REQUIRE(dir->put_group({"ops", "on call", false, 0, 0}));
        REQUIRE(dir->put_group({"board", "", true, 0, 0}));
        REQUIRE(dir->put_group({"empty", "", false, 0, 0}));
        REQUIRE(dir->add_members("ops", {"alice", "bob"}));
        REQUIRE(dir->add_members("board", {"alice"}));
    }
};

Expected<store::Accepted> build(Directory& d, const std::string& text,
                                TemplateRenderer* templates = nullptr) {
    RequestContext ctx{&d.config, kNow, "tester", templates, d.dir.get()};
    auto body = parse_body(text);
    REQUIRE(body);
    return build_notification(*body, ctx);
}

struct ApiHarness : Directory {
    std::unique_ptr<SyncCommitter> committer;
    ScriptedControl control;
    Metrics metrics;
    std::unique_ptr<Api> api;

    explicit ApiHarness(const std::string& extra = "require_api_key = false\n") : Directory(extra) {
        committer = std::make_unique<SyncCommitter>(*store);
        api = std::make_unique<Api>(config, *store, *committer, control, metrics);
    }

    Response call(const std::string& method, const std::string& path, const std::string& body = {},
                  std::map<std::string, std::string> query = {}, bool trusted = false) {
        Request r{method, path, std::move(query), body, {}, trusted, {}};
        std::optional<Response> out;
        api->handle(r, [&](Response resp) { out = std::move(resp); });
        REQUIRE(out);
        return *out;
    }
};

json body_of(const Response& r) {
    return json::parse(r.body);
}

std::string error_code(const Response& r) {
    return body_of(r)["error"]["code"];
}

}  // namespace

TEST_CASE("users and groups must exist and are counted at the door", "[ingest][fanout]") {
    Directory d;
    SECTION("a send to users and groups is a fan-out without deliveries") {
        auto a = build(d, R"({"channel":"email","to":["user:alice","group:ops","x@example.com"],
                              "subject":"s","body":"b"})");
        REQUIRE(a);
        CHECK(a->deliveries.empty());
        REQUIRE(a->fanout);
        CHECK(a->fanout->notification_id == a->notification.id);
        CHECK(a->fanout->targets ==
              std::vector<std::string>{"user:alice", "group:ops", "x@example.com"});
        CHECK(a->fanout->state == store::FanoutState::expanding);
        CHECK(a->fanout->total == 4);  // alice, ops' two members, one address
        CHECK(a->fanout->expanded == 0);
        CHECK(a->fanout->created_at == kNow);
        CHECK(a->notification.to == a->fanout->targets);
    }
    SECTION("unknown users and groups are refused, naming them") {
        auto u = build(d, R"({"channel":"email","to":["user:alice","user:carol"],"body":"b"})");
        REQUIRE_FALSE(u);
        CHECK(u.error().code == "unknown_recipient");
        CHECK(u.error().message == "no user 'carol' in the directory");
        CHECK(u.error().field == "to");
        CHECK(http_status(u.error().kind) == 422);
        auto g = build(d, R"({"channel":"email","to":"group:nops","body":"b"})");
        REQUIRE_FALSE(g);
        CHECK(g.error().code == "unknown_recipient");
        CHECK(g.error().message == "no group 'nops' in the directory");
        CHECK(g.error().field == "to");
    }
    SECTION("an empty name and a bad raw address beside users are refused") {
        auto e = build(d, R"({"channel":"email","to":["user:"],"body":"b"})");
        REQUIRE_FALSE(e);
        CHECK(e.error().code == "invalid_address");
        auto raw = build(d, R"({"channel":"email","to":["group:ops","not-mail"],"body":"b"})");
        REQUIRE_FALSE(raw);
        CHECK(raw.error().code == "invalid_address");
        CHECK(raw.error().field == "to[1]");
    }
    SECTION("without a directory, users and groups cannot be sent to") {
        RequestContext ctx{&d.config, kNow, "tester"};
        auto a = build_notification(
            json::parse(R"({"channel":"hook","to":"user:alice","body":"b"})"), ctx);
        REQUIRE_FALSE(a);
        CHECK(a.error().code == "directory_unavailable");
    }
    SECTION("raw addresses alone stay an ordinary send") {
        auto a = build(d, R"({"channel":"email","to":["a@example.com"],"body":"b"})");
        REQUIRE(a);
        CHECK_FALSE(a->fanout);
        CHECK(a->deliveries.size() == 1);
    }
    SECTION("names_directory sees user: and group: entries only") {
        CHECK(names_directory(json::parse(R"({"to":"user:a"})")));
        CHECK(names_directory(json::parse(R"({"to":["x@y.z","group:g"]})")));
        CHECK_FALSE(names_directory(json::parse(R"({"to":["x@y.z"]})")));
        CHECK_FALSE(names_directory(json::parse(R"({"to":[1]})")));
        CHECK_FALSE(names_directory(json::parse(R"([])")));
    }
}

TEST_CASE("a send waits for approval above the threshold or for a group that says so",
          "[ingest][fanout]") {
    SECTION("a group that requires approval") {
        Directory d;
        auto a = build(d, R"({"channel":"email","to":"group:board","body":"b"})");
        REQUIRE(a);
        REQUIRE(a->fanout);
        CHECK(a->fanout->state == store::FanoutState::pending_approval);
        CHECK(a->fanout->total == 1);
    }
    SECTION("more recipients than bulk.approval_threshold") {
        Directory d("require_api_key = false\n[bulk]\napproval_threshold = 2\n");
        auto two = build(d, R"({"channel":"email","to":"group:ops","body":"b"})");
        REQUIRE(two);
        CHECK(two->fanout->state == store::FanoutState::expanding);
        auto three = build(d, R"({"channel":"email","to":["group:ops","user:alice"],"body":"b"})");
        REQUIRE(three);
        CHECK(three->fanout->state == store::FanoutState::pending_approval);
        CHECK(three->fanout->total == 3);
        // Raw addresses count too: three of them are held without any directory entry.
        auto raw =
            build(d, R"({"channel":"email","to":["a@x.org","b@x.org","c@x.org"],"body":"b"})");
        REQUIRE(raw);
        REQUIRE(raw->fanout);
        CHECK(raw->deliveries.empty());
        CHECK(raw->fanout->state == store::FanoutState::pending_approval);
        CHECK(raw->fanout->total == 3);
    }
    SECTION("a threshold of 0 never holds") {
        Directory d("require_api_key = false\n[bulk]\napproval_threshold = 0\n");
        auto a = build(d, R"({"channel":"email","to":["a@x.org","b@x.org","c@x.org"],"body":"b"})");
        REQUIRE(a);
        CHECK_FALSE(a->fanout);
    }
}

TEST_CASE("a fan-out's template is checked with a user at the door", "[ingest][fanout]") {
    ApiHarness h;
    store::TemplateStore templates(*h.store);
    store::TemplateVersion t;
    t.name = "welcome";
    t.subject = "Hello {{user.name}} of {{user.team}}";
    t.text = "{{greeting}}, {{user.name}}";
    REQUIRE(templates.add(t));
    StoredTemplates renderer(*h.store, "en");

    SECTION("the first user fills user.*; the stored content leaves them empty") {
        auto a = build(h, R"({"channel":"email","to":["user:alice","x@example.com"],
                              "template":"welcome","data":{"greeting":"Hi"}})",
                       &renderer);
        REQUIRE(a);
        CHECK(a->notification.subject == "Hello  of ");
        CHECK(a->notification.body == "Hi, ");
    }
    SECTION("names the first user lacks are reported") {
        auto a = build(h, R"({"channel":"sms","to":["user:bob"],"template":"welcome",
                              "data":{"greeting":"Hi"}})",
                       &renderer);
        REQUIRE_FALSE(a);
        CHECK(a.error().code == "missing_variables");
        CHECK(a.error().message.find("user.team") != std::string::npos);
    }
    SECTION("groups only: user.* may stay unfilled, other names may not") {
        auto a = build(h, R"({"channel":"email","to":"group:ops","template":"welcome",
                              "data":{"greeting":"Hi"}})",
                       &renderer);
        REQUIRE(a);
        CHECK(a->notification.body == "Hi, ");
        auto b =
            build(h, R"({"channel":"email","to":"group:ops","template":"welcome"})", &renderer);
        REQUIRE_FALSE(b);
        CHECK(b.error().code == "missing_variables");
        CHECK(b.error().message == "template 'welcome': missing variables: greeting");
        CHECK(b.error().field == "data");
    }
    SECTION("an unknown template is refused before anything is stored") {
        Response r = h.call("POST", "/v1/notifications",
                            R"({"channel":"email","to":"group:ops","template":"nope"})");
        CHECK(r.status == 422);
        CHECK(error_code(r) == "unknown_template");
    }
}

TEST_CASE("API: a fan-out answers 202 with its state and shows it in reads", "[ingest][fanout]") {
    ApiHarness h;
    Response r = h.call("POST", "/v1/notifications",
                        R"({"channel":"email","to":["user:alice","group:ops"],"body":"b",
                            "idempotency_key":"k1"})");
    REQUIRE(r.status == 202);
    json j = body_of(r);
    CHECK(r.body == j.dump());  // members in name order, as a document's dump has them
    std::string id = j["id"];
    CHECK(
        j ==
        json{{"id", id}, {"deliveries", json::array()}, {"state", "expanding"}, {"recipients", 3}});

    json n = body_of(h.call("GET", "/v1/notifications/" + id));
    CHECK(n["to"] == json::array({"user:alice", "group:ops"}));
    CHECK(n["fanout"] == json{{"state", "expanding"},
                              {"total", 3},
                              {"expanded", 0},
                              {"decided_by", nullptr},
                              {"decided_at", nullptr},
                              {"reason", nullptr}});

    SECTION("a replay answers the same way") {
        Response again = h.call("POST", "/v1/notifications",
                                R"({"channel":"email","to":["user:alice","group:ops"],"body":"b",
                                    "idempotency_key":"k1"})");
        REQUIRE(again.status == 202);
        CHECK(again.body == r.body);
        CHECK(body_of(again)["id"] == id);
        CHECK(body_of(again)["state"] == "expanding");
        CHECK(body_of(again)["recipients"] == 3);
    }
    SECTION("pending approval is a status to list by") {
        std::string held =
            body_of(h.call("POST", "/v1/notifications",
                           R"({"channel":"email","to":"group:board","body":"b"})"))["id"];
        json page =
            body_of(h.call("GET", "/v1/notifications", {}, {{"status", "pending-approval"}}));
        REQUIRE(page["notifications"].size() == 1);
        CHECK(page["notifications"][0]["id"] == held);
        CHECK(page["notifications"][0]["fanout"]["state"] == "pending-approval");
        Response bad = h.call("GET", "/v1/notifications", {}, {{"status", "pending-aproval"}});
        CHECK(bad.status == 400);
        CHECK(body_of(bad)["error"]["message"].get<std::string>().find(
                  "did you mean 'pending-approval'?") != std::string::npos);
    }
    SECTION("canceled lists canceled fan-outs and sends with a canceled delivery") {
        std::string held =
            body_of(h.call("POST", "/v1/notifications",
                           R"({"channel":"email","to":"group:board","body":"b"})"))["id"];
        json plain =
            body_of(h.call("POST", "/v1/notifications", R"({"channel":"hook","body":"b"})"));
        store::FanoutStore fanouts(*h.store);
        auto c = fanouts.cancel(held, "ann", kNow);
        REQUIRE(c);
        REQUIRE(*c);
        store::Transition t;
        t.delivery_id = plain["deliveries"][0]["id"];
        t.state = DeliveryState::canceled;
        t.at = kNow;
        t.event_type = "canceled";
        REQUIRE(h.store->apply({t}));

        json page = body_of(h.call("GET", "/v1/notifications", {}, {{"status", "canceled"}}));
        REQUIRE(page["notifications"].size() == 2);
        std::set<std::string> listed;
        for (const json& item : page["notifications"]) {
            listed.insert(item["id"].get<std::string>());
            if (item["id"] == held) {
                CHECK(item["fanout"]["state"] == "canceled");
                CHECK(item["deliveries"].empty());
            }
        }
        CHECK(listed == std::set<std::string>{held, plain["id"].get<std::string>()});
        CHECK(body_of(h.call("GET", "/v1/notifications", {},
                             {{"status", "pending-approval"}}))["notifications"]
                  .empty());

        json shown = body_of(h.call("GET", "/v1/notifications/" + held));
        CHECK(shown["fanout"]["state"] == "canceled");
        CHECK(shown["events"].back()["type"] == "canceled");
        CHECK(shown["events"].back()["detail"] == "by ann");

        Response approve = h.call("POST", "/v1/notifications/" + held + "/approve");
        CHECK(approve.status == 409);
        CHECK(body_of(approve)["error"]["code"] == "not_pending_approval");
        CHECK(h.control.requests.empty());
    }
    SECTION("batches answer each fan-out item with its state") {
        Response b = h.call("POST", "/v1/notifications/batch",
                            R"({"notifications":[{"channel":"email","to":"group:board","body":"b"},
                                                 {"channel":"email","to":"user:nobody","body":"b"},
                                                 {"channel":"hook","body":"b"}]})");
        REQUIRE(b.status == 202);
        CHECK(b.body == body_of(b).dump());
        json items = body_of(b)["notifications"];
        CHECK(items[0]["state"] == "pending-approval");
        CHECK(items[0]["recipients"] == 1);
        CHECK(items[1]["error"]["code"] == "unknown_recipient");
        CHECK(items[1]["error"]["field"] == "notifications[1].to");
        CHECK_FALSE(items[2].contains("state"));
        CHECK(items[2]["deliveries"].size() == 1);
    }
}

TEST_CASE("API: approve and reject go to the router", "[ingest][fanout]") {
    ApiHarness h;
    std::string held = body_of(h.call(
        "POST", "/v1/notifications", R"({"channel":"email","to":"group:board","body":"b"})"))["id"];
    std::string plain =
        body_of(h.call("POST", "/v1/notifications", R"({"channel":"hook","body":"b"})"))["id"];
    const std::string base = "/v1/notifications/" + held;

    SECTION("approve forwards who decided and answers the new state") {
        h.control.reply = R"({"ok":true,"state":"expanding"})";
        Response r = h.call("POST", base + "/approve");
        REQUIRE(r.status == 200);
        CHECK(body_of(r) == json{{"id", held}, {"state", "expanding"}});
        REQUIRE(h.control.requests.size() == 1);
        CHECK(h.control.requests[0] == json{{"op", "approve"}, {"id", held}, {"by", "http"}});
        auto audit = store::read_audit(*h.store, 0, 10);
        REQUIRE(audit);
        REQUIRE(audit->size() == 1);
        CHECK((*audit)[0].action == "approve");
        CHECK((*audit)[0].target == held);
        CHECK((*audit)[0].actor == "http");
    }
    SECTION("reject carries the reason; notifyctl over ipc names the operator") {
        h.control.reply = R"({"ok":true,"state":"rejected"})";
        Response r = h.call("POST", base + "/reject",
                            R"({"reason":" wrong audience ","by":"alice"})", {}, true);
        REQUIRE(r.status == 200);
        CHECK(body_of(r)["state"] == "rejected");
        CHECK(h.control.requests.at(0) ==
              json{{"op", "reject"}, {"id", held}, {"by", "alice"}, {"reason", "wrong audience"}});
    }
    SECTION("an API key cannot claim another name") {
        h.control.reply = R"({"ok":true,"state":"expanding"})";
        REQUIRE(h.call("POST", base + "/approve", R"({"by":"mallory"})").status == 200);
        CHECK(h.control.requests.at(0)["by"] == "http");
    }
    SECTION("reject needs a reason; bodies are checked") {
        for (const char* body : {"", "{}", R"({"reason":"  "})"}) {
            Response r = h.call("POST", base + "/reject", body);
            CHECK(r.status == 400);
            CHECK(error_code(r) == "missing_field");
            CHECK(body_of(r)["error"]["field"] == "reason");
        }
        CHECK(error_code(h.call("POST", base + "/approve", "{")) == "malformed_json");
        CHECK(error_code(h.call("POST", base + "/approve", R"({"resaon":"x"})")) ==
              "unknown_field");
        CHECK(h.control.requests.empty());
    }
    SECTION("the router's refusals map to 404 and 409") {
        h.control.reply =
            R"({"error":{"code":"not_pending_approval","message":"already decided"}})";
        Response r = h.call("POST", base + "/approve");
        CHECK(r.status == 409);
        CHECK(error_code(r) == "not_pending_approval");
        h.control.reply = R"({"error":{"code":"not_found","message":"gone"}})";
        CHECK(h.call("POST", base + "/approve").status == 404);
        h.control.reply.clear();
        Response down = h.call("POST", base + "/approve");
        CHECK(down.status == 503);
        CHECK(error_code(down) == "router_unavailable");
        // What did not happen is not in the audit log.
        CHECK(store::read_audit(*h.store, 0, 10)->empty());
    }
    SECTION("what cannot be pending is refused without asking the router") {
        Response r = h.call("POST", "/v1/notifications/" + plain + "/approve");
        CHECK(r.status == 409);
        CHECK(error_code(r) == "not_pending_approval");
        CHECK(h.call("POST", "/v1/notifications/NOPE/reject", R"({"reason":"x"})").status == 404);
        CHECK(h.control.requests.empty());
    }
    SECTION("approvals need the admin scope") {
        ApiHarness keyed("require_api_key = true\n");
        auto key = keyed.store->create_api_key("sender", "send");
        REQUIRE(key);
        Request req{"POST", base + "/approve", {}, {}, "Bearer " + *key, false, {}};
        std::optional<Response> out;
        keyed.api->handle(req, [&](Response resp) { out = std::move(resp); });
        REQUIRE(out);
        CHECK(out->status == 403);
    }
}

TEST_CASE("API: one-click unsubscribe pages", "[ingest][unsubscribe]") {
    ApiHarness h;
    auto secret = unsubscribe_secret(h.config, *h.store);
    REQUIRE(secret);
    auto path = [&](const UnsubscribeTarget& t) {
        return "/v1/unsubscribe/" + unsubscribe_token(*secret, t);
    };

    SECTION("GET shows a form that posts back and changes nothing") {
        std::string p = path({"alice", "", "", "marketing"});
        Response r = h.call("GET", p);
        REQUIRE(r.status == 200);
        CHECK(r.content_type == "text/html; charset=utf-8");
        CHECK(r.body.rfind("<!DOCTYPE html>", 0) == 0);
        CHECK(r.body.find("<form method=\"post\" action=\"" + p + "\">") != std::string::npos);
        CHECK(r.body.find("&quot;marketing&quot;") != std::string::npos);
        CHECK(h.dir->preferences("alice").empty());
    }
    SECTION("POST of a user and a category records an opt-out on every channel") {
        Response r =
            h.call("POST", path({"alice", "", "", "marketing"}), "List-Unsubscribe=One-Click");
        REQUIRE(r.status == 200);
        CHECK(r.content_type == "text/html; charset=utf-8");
        auto prefs = h.dir->preferences("alice");
        REQUIRE(prefs.size() == 1);
        CHECK(prefs[0].category == "marketing");
        CHECK(prefs[0].channel.empty());
        CHECK(prefs[0].opted_out);
        CHECK(h.dir->get_user("alice")->unsubscribed_at == 0);
        // Twice is as good as once.
        CHECK(h.call("POST", path({"alice", "", "", "marketing"})).status == 200);
    }
    SECTION("POST of a user without a category unsubscribes them from everything") {
        REQUIRE(h.call("POST", path({"bob", "", "", ""})).status == 200);
        CHECK(h.dir->get_user("bob")->unsubscribed_at > 0);
    }
    SECTION("POST of a raw address records the address") {
        REQUIRE(h.call("POST", path({"", "email", "x@example.com", "news"})).status == 200);
        CHECK(h.dir->address_unsubscribed("email", "x@example.com", "news"));
        CHECK_FALSE(h.dir->address_unsubscribed("email", "x@example.com", "alerts"));
    }
    SECTION("a link used again is audited once: only a change is recorded") {
        auto audited = [&] { return store::read_audit(*h.store, 0, 100)->size(); };
        for (const UnsubscribeTarget& t :
             std::vector<UnsubscribeTarget>{{"alice", "", "", "marketing"},
                                            {"bob", "", "", ""},
                                            {"", "email", "x@example.com", "news"}}) {
            size_t before = audited();
            REQUIRE(h.call("POST", path(t)).status == 200);
            CHECK(audited() == before + 1);
            for (int i = 0; i < 3; ++i) REQUIRE(h.call("POST", path(t)).status == 200);
            CHECK(audited() == before + 1);
        }
    }
    SECTION("a user removed since is success with nothing to record") {
        REQUIRE(h.dir->remove_user("bob"));
        CHECK(h.call("POST", path({"bob", "", "", ""})).status == 200);
    }
    SECTION("altered, foreign or missing tokens are 404 and record nothing") {
        std::string good = unsubscribe_token(*secret, {"alice", "", "", ""});
        std::string other = unsubscribe_token("another-secret", {"alice", "", "", ""});
        std::string altered = unsubscribe_token(*secret, {"bob", "", "", ""});
        altered = altered.substr(0, altered.find('.')) + good.substr(good.find('.'));
        for (const std::string& p :
             {"/v1/unsubscribe/" + other, "/v1/unsubscribe/" + altered,
              std::string("/v1/unsubscribe"), "/v1/unsubscribe/" + good + "/x",
              std::string("/v1/unsubscribe/junk")}) {
            for (const char* method : {"GET", "POST"}) {
                Response r = h.call(method, p);
                CHECK(r.status == 404);
                CHECK(r.content_type == "text/html; charset=utf-8");
            }
        }
        CHECK(h.dir->get_user("alice")->unsubscribed_at == 0);
        CHECK(h.dir->get_user("bob")->unsubscribed_at == 0);
    }
}

TEST_CASE("a delivery made for a user names the user and locale", "[ingest][fanout]") {
    Delivery d;
    d.id = "N.1";
    d.user_id = "alice";
    d.locale = "de";
    json j = render_delivery(d);
    CHECK(j["user_id"] == "alice");
    CHECK(j["locale"] == "de");
    d.user_id.clear();
    d.locale.clear();
    CHECK_FALSE(render_delivery(d).contains("user_id"));
    CHECK_FALSE(render_delivery(d).contains("locale"));

    store::Fanout f;
    f.state = store::FanoutState::rejected;
    f.total = 7;
    f.decided_by = "bob";
    f.decided_at = kNow;
    f.reason = "wrong audience";
    CHECK(render_fanout(f) == json{{"state", "rejected"},
                                   {"total", 7},
                                   {"expanded", 0},
                                   {"decided_by", "bob"},
                                   {"decided_at", util::format_rfc3339(kNow)},
                                   {"reason", "wrong audience"}});
}
