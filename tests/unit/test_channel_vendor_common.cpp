// Tests for what the vendor adapters share: URL encoding, fitting texts to a
// vendor's limit, the access-token cache and the token flow (one fetch at a
// time, a refused token refreshed once), and vendor template mappings.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "channels/message_limits.hpp"
#include "channels/token_adapter.hpp"
#include "channels/vendor_codes.hpp"
#include "channels/vendor_http.hpp"
#include "test_vendor_mock.hpp"
#include "util/time.hpp"
#include "vendor_templates.hpp"

using namespace notify;
using namespace notify::channels;

namespace {

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += p;
    return out;
}

ProviderConfig provider_from(const std::string& type, const std::string& json) {
    ProviderConfig p;
    p.name = "p";
    p.type = type;
    p.settings_json = json;
    return p;
}

}  // namespace

TEST_CASE("percent-encoding as RFC 3986 with upper-case hex", "[vendor]") {
    // The Aliyun signature document's check value.
    CHECK(percent_encode("\xE4\xB8\xAD \xE6\x96\x87+~*") == "%E4%B8%AD%20%E6%96%87%2B~%2A");
    CHECK(percent_encode("AZaz09-_.~") == "AZaz09-_.~");
    CHECK(percent_encode("a=b&c/d") == "a%3Db%26c%2Fd");
    // Decoding a path segment: '+' is itself, a broken escape is refused.
    CHECK(util::percent_decode("ana%40example.com+1") == "ana@example.com+1");
    CHECK(util::percent_decode("%E4%B8%AD") == "\xE4\xB8\xAD");
    CHECK_FALSE(util::percent_decode("50%"));
    CHECK_FALSE(util::percent_decode("%4G"));
    CHECK(form_encode({{"To", "+15550100"}, {"Body", "hi there"}}) ==
          "To=%2B15550100&Body=hi%20there");
    CHECK(join_url("https://oapi.dingtalk.com/", "/robot/send") ==
          "https://oapi.dingtalk.com/robot/send");
    CHECK(join_url("http://127.0.0.1:9", "gettoken") == "http://127.0.0.1:9/gettoken");
}

TEST_CASE("vendor codes are classified by table", "[vendor]") {
    const VendorCode table[] = {{"130101", CodeClass::retryable}, {"42001", CodeClass::token}};
    CHECK(classify_code(table, "130101", CodeClass::permanent) == CodeClass::retryable);
    CHECK(classify_code(table, "42001", CodeClass::permanent) == CodeClass::token);
    CHECK(classify_code(table, "1", CodeClass::permanent) == CodeClass::permanent);
    CHECK(vendor_failure(CodeClass::token, "42001", "expired").outcome == wire::Outcome::retryable);
    CHECK(vendor_failure(CodeClass::permanent, "x", "y").outcome == wire::Outcome::permanent);
    CHECK(vendor_message("a\nb\tc  ") == "a b c");
    std::string long_text(299, 'x');
    long_text += "\xE4\xB8\xAD";  // a three-byte character across the 300-byte cut
    CHECK(vendor_message(long_text) == std::string(299, 'x'));
}

TEST_CASE("texts over a vendor's limit are split or cut visibly", "[vendor]") {
    SECTION("a text within the limit is left alone") {
        auto f = fit_text("hello", TextLimit{5, LengthUnit::bytes, Overflow::split});
        REQUIRE(f);
        CHECK(f->parts == std::vector<std::string>{"hello"});
        CHECK(f->detail.empty());
    }
    SECTION("split cuts at line ends and loses nothing") {
        std::string text = "first line\nsecond line\nthird line\n";
        auto f = fit_text(text, TextLimit{24, LengthUnit::bytes, Overflow::split});
        REQUIRE(f);
        CHECK(f->parts == std::vector<std::string>{"first line\nsecond line\n", "third line\n"});
        CHECK(f->detail == "parts=2");
        CHECK(joined(f->parts) == text);
    }
    SECTION("split never cuts a character in two") {
        std::string text;
        for (int i = 0; i < 10; ++i) text += "\xE4\xB8\xAD";  // 10 x U+4E2D, 30 bytes
        auto f = fit_text(text, TextLimit{10, LengthUnit::bytes, Overflow::split});
        REQUIRE(f);
        REQUIRE(f->parts.size() == 4);
        for (const auto& p : f->parts) CHECK(p.size() % 3 == 0);
        CHECK(joined(f->parts) == text);
    }
    SECTION("characters are counted as code points") {
        std::string text;
        for (int i = 0; i < 6; ++i) text += "\xC3\xA9";  // 6 x e-acute, 12 bytes
        auto f = fit_text(text, TextLimit{6, LengthUnit::characters, Overflow::split});
        REQUIRE(f);
        CHECK(f->parts.size() == 1);
        auto g = fit_text(text, TextLimit{4, LengthUnit::characters, Overflow::split});
        REQUIRE(g);
        CHECK(g->parts.size() == 2);
        CHECK(text_length(g->parts[0], LengthUnit::characters) == 4);
    }
    SECTION("truncate ends with an ellipsis and records the sizes") {
        auto f = fit_text("abcdefghij", TextLimit{8, LengthUnit::bytes, Overflow::truncate});
        REQUIRE(f);
        CHECK(f->parts == std::vector<std::string>{"abcde\xE2\x80\xA6"});
        CHECK(f->parts[0].size() <= 8);
        CHECK(f->detail == "truncated=10/8");
        auto c = fit_text("abcdefghij", TextLimit{8, LengthUnit::characters, Overflow::truncate});
        REQUIRE(c);
        CHECK(c->parts == std::vector<std::string>{"abcdefg\xE2\x80\xA6"});
    }
    SECTION("reject fails the delivery with the sizes") {
        auto f = fit_text("abcdefghij", TextLimit{8, LengthUnit::bytes, Overflow::reject});
        REQUIRE_FALSE(f);
        CHECK(f.error().code == "too_long");
        CHECK(f.error().message ==
              "the message is 10 bytes, over the provider's limit of 8 (overflow = \"reject\")");
    }
}

TEST_CASE("a title is the first line, cut on a character boundary", "[vendor]") {
    CHECK(first_line("  Disk full  \nsecond line", 100) == "Disk full");
    CHECK(first_line("\xe7\xa3\x81\xe7\x9b\x98 full", 4) == "\xe7\xa3\x81");  // "磁盘 full"
    CHECK(first_line("abc", 3) == "abc");
}

TEST_CASE("the overflow key", "[vendor]") {
    const ProviderKeys keys = {{"overflow"}};
    auto s = Settings::parse(provider_from("x", R"({"overflow":"truncate"})"), keys);
    REQUIRE(s);
    CHECK(*read_overflow(*s) == Overflow::truncate);
    auto d = Settings::parse(provider_from("x", "{}"), keys);
    CHECK(*read_overflow(*d) == Overflow::split);
    auto bad = Settings::parse(provider_from("x", R"({"overflow":"chop"})"), keys);
    auto r = read_overflow(*bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().message ==
          "provider 'p': 'overflow' must be \"split\", \"truncate\" or \"reject\", not 'chop'");
}

TEST_CASE("the token cache refreshes before expiry, one fetch at a time", "[vendor]") {
    TokenCache c;
    CHECK(c.usable(0).empty());
    CHECK(c.should_fetch(0));
    c.begin_fetch();
    CHECK_FALSE(c.should_fetch(0));  // one fetch at a time
    c.store("t1", 7200000, 1000);
    CHECK(c.usable(1000) == "t1");
    CHECK_FALSE(c.should_fetch(1000));
    // Five minutes before expiry it is due for a refresh, and still usable meanwhile.
    const Millis due = 1000 + 7200000 - 300000;
    CHECK_FALSE(c.should_fetch(due - 1));
    CHECK(c.should_fetch(due));
    CHECK(c.usable(due) == "t1");
    CHECK(c.usable(1000 + 7200000).empty());
    // A short-lived token is refreshed when a tenth of its life is left.
    c.store("t2", 100000, 0);
    CHECK_FALSE(c.should_fetch(89999));
    CHECK(c.should_fetch(90000));
    // A refused token is dropped; an older one being refused changes nothing.
    c.invalidate("t1");
    CHECK(c.usable(1) == "t2");
    c.invalidate("t2");
    CHECK(c.usable(1).empty());
    // A failed fetch is remembered for a few seconds.
    c.begin_fetch();
    c.fetch_failed(Attempt::permanent("40001", "invalid credential"), 5000);
    CHECK_FALSE(c.fetching());
    REQUIRE(c.recent_failure(5000 + TokenCache::kFailureHold - 1));
    CHECK(c.recent_failure(5000)->code == "40001");
    CHECK_FALSE(c.recent_failure(5000 + TokenCache::kFailureHold));
}

namespace {

// A vendor with tokens: GET /token gives "tN" (N counting fetches), POST /send
// answers errcode 42001 while the mock says the token is expired.
class TestTokenAdapter : public TokenAdapter {
  public:
    explicit TestTokenAdapter(std::string base) : TokenAdapter(5000), base_(std::move(base)) {}

  protected:
    HttpRequest token_request() const override {
        return HttpRequest{"GET", base_ + "/token", {}, {}};
    }
    FetchedToken read_token(const HttpReply& reply) const override {
        auto j = nlohmann::json::parse(reply.body, nullptr, false);
        FetchedToken t;
        if (reply.status != 200 || j.is_discarded() || !j.contains("access_token")) {
            t.failure = Attempt::permanent("40001", "invalid credential");
            return t;
        }
        t.token = j["access_token"].get<std::string>();
        t.lifetime = j.value("lifetime_ms", 7200000);
        return t;
    }
    Started send(const wire::Job& job, const std::string& token, bool may_refresh) override {
        HttpRequest r{"POST",
                      base_ + "/send?access_token=" + token,
                      {"Content-Type: application/json"},
                      "{\"to\":\"" + job.to + "\"}"};
        return http_call(
            5000, r, [this, job, token, may_refresh](const HttpReply& reply) -> Started {
                auto j = nlohmann::json::parse(reply.body);
                int code = j["errcode"].get<int>();
                if (code == 0) return Attempt::sent(std::to_string(j["msgid"].get<int>()), "0");
                Attempt failed = Attempt::retryable(std::to_string(code), "access_token expired");
                return refused(job, token, failed, may_refresh);
            });
    }

  private:
    std::string base_;
};

struct TokenVendor {
    std::atomic<int> fetches{0};
    std::atomic<int> sends{0};
    std::atomic<bool> expired{false};
    std::atomic<bool> always_expired{false};
    std::atomic<bool> credentials_ok{true};
    std::atomic<long> lifetime_ms{7200000};
    test::VendorMock mock{[this](const test::MockRequest& r) {
        if (r.path() == "/token") {
            if (!credentials_ok) return test::MockReply{403, "{}"};
            int n = ++fetches;
            expired = false;
            return test::MockReply{
                200, "{\"access_token\":\"t" + std::to_string(n) +
                         "\",\"lifetime_ms\":" + std::to_string(lifetime_ms.load()) + "}"};
        }
        int n = ++sends;
        if (expired || always_expired)
            return test::MockReply{200, R"({"errcode":42001,"errmsg":"access_token expired"})"};
        return test::MockReply{200, "{\"errcode\":0,\"msgid\":" + std::to_string(n) + "}"};
    }};
};

wire::Job job_to(const std::string& to) {
    wire::Job j;
    j.delivery_id = "d-" + to;
    j.to = to;
    return j;
}

}  // namespace

TEST_CASE("an access token is fetched once and shared", "[vendor]") {
    TokenVendor v;
    TestTokenAdapter a(v.mock.base());
    Attempt first = test::run_attempt(a, job_to("ann"));
    CHECK(first.outcome == wire::Outcome::sent);
    Attempt second = test::run_attempt(a, job_to("bob"));
    CHECK(second.outcome == wire::Outcome::sent);
    CHECK(v.fetches == 1);
    auto requests = v.mock.requests();
    REQUIRE(requests.size() == 3);
    CHECK(requests[1].query("access_token") == "t1");
    CHECK(requests[2].query("access_token") == "t1");
}

TEST_CASE("jobs wait while the token is being fetched", "[vendor]") {
    TokenVendor v;
    TestTokenAdapter a(v.mock.base());
    Started first = a.start(job_to("ann"));
    REQUIRE(std::holds_alternative<std::unique_ptr<Transfer>>(first));
    // A second job while the fetch runs waits instead of fetching too.
    CHECK(std::holds_alternative<Wait>(a.start(job_to("bob"))));
    auto fetch = std::move(std::get<std::unique_ptr<Transfer>>(first));
    Started next = fetch->finish(curl_easy_perform(fetch->handle()));
    REQUIRE(std::holds_alternative<std::unique_ptr<Transfer>>(next));
    // The token is there now: the waiting job goes out with it.
    CHECK(test::run_attempt(a, job_to("bob")).outcome == wire::Outcome::sent);
    auto send = std::move(std::get<std::unique_ptr<Transfer>>(next));
    Started done = send->finish(curl_easy_perform(send->handle()));
    CHECK(std::get<Attempt>(done).outcome == wire::Outcome::sent);
    CHECK(v.fetches == 1);
}

TEST_CASE("a refused token is refreshed and the send made once more", "[vendor]") {
    TokenVendor v;
    TestTokenAdapter a(v.mock.base());
    REQUIRE(test::run_attempt(a, job_to("ann")).outcome == wire::Outcome::sent);
    v.expired = true;  // the vendor expires t1 early
    Attempt again = test::run_attempt(a, job_to("bob"));
    CHECK(again.outcome == wire::Outcome::sent);
    CHECK(v.fetches == 2);
    auto requests = v.mock.requests();
    REQUIRE(requests.size() == 5);
    CHECK(requests[2].query("access_token") == "t1");
    CHECK(requests[4].query("access_token") == "t2");

    SECTION("only once: a second refusal is a retryable failure") {
        v.always_expired = true;
        Attempt failed = test::run_attempt(a, job_to("cy"));
        CHECK(failed.outcome == wire::Outcome::retryable);
        CHECK(failed.code == "42001");
        CHECK(v.fetches == 3);
    }
}

TEST_CASE("a failed token fetch fails the jobs that wait for it", "[vendor]") {
    TokenVendor v;
    v.credentials_ok = false;
    TestTokenAdapter a(v.mock.base());
    Attempt first = test::run_attempt(a, job_to("ann"));
    CHECK(first.outcome == wire::Outcome::permanent);
    CHECK(first.code == "40001");
    // Within the hold the next job gets the same answer without another fetch.
    Attempt second = test::run_attempt(a, job_to("bob"));
    CHECK(second.code == "40001");
    CHECK(v.mock.requests().size() == 1);
}

TEST_CASE("a token fetch that cannot connect does not leave jobs waiting", "[vendor]") {
    TestTokenAdapter a("http://127.0.0.1:1");
    Attempt first = test::run_attempt(a, job_to("ann"));
    CHECK(first.outcome == wire::Outcome::retryable);
    CHECK(first.code == "curl:7");
    CHECK(test::run_attempt(a, job_to("bob")).code == "curl:7");
}

TEST_CASE("vendor template mappings", "[vendor]") {
    ProviderConfig p = provider_from("aliyun-sms", R"({
        "templates": {
            "login-code": {"code": "SMS_1", "params": {"code": "code", "who": "user.name"}},
            "alert": {"code": "7", "params": ["host", "load"], "url": "https://x"}
        }})");
    auto t = read_vendor_templates(p);
    REQUIRE(t);
    REQUIRE(t->size() == 2);
    const VendorTemplate& login = t->at("login-code");
    CHECK(login.code == "SMS_1");
    CHECK_FALSE(login.positional);
    auto values = vendor_params(login, R"({"code":"4321","user":{"name":"Ann"}})");
    REQUIRE(values);
    CHECK(*values ==
          std::vector<std::pair<std::string, std::string>>{{"code", "4321"}, {"who", "Ann"}});
    const VendorTemplate& alert = t->at("alert");
    CHECK(alert.positional);
    CHECK(alert.options.at("url") == "https://x");
    auto positional = vendor_params(alert, R"({"host":"db1","load":0.5})");
    REQUIRE(positional);
    CHECK(*positional ==
          std::vector<std::pair<std::string, std::string>>{{"1", "db1"}, {"2", "0.5"}});
    auto missing = vendor_params(alert, R"({"host":"db1"})");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message == "data has no 'load' for the vendor template's parameter '2'");

    auto bad = read_vendor_templates(provider_from("aliyun-sms", R"({"templates":{"x":{}}})"));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message == "provider 'p': 'templates.x.code' is missing");
    auto bad_param = read_vendor_templates(
        provider_from("aliyun-sms", R"({"templates":{"x":{"code":"1","params":{"a":1}}}})"));
    REQUIRE_FALSE(bad_param);
    CHECK(bad_param.error().message ==
          "provider 'p': 'templates.x.params.a' must name a data variable");
}

TEST_CASE("the door refuses what a template-only provider cannot send", "[vendor]") {
    auto config = parse_config(R"(
[providers.ali]
type = "aliyun-sms"
access_key_id = "id"
access_key_secret = "secret"
sign_name = "Notify"
[providers.ali.templates.login-code]
code = "SMS_1"
params = { code = "code" }
[providers.tw]
type = "twilio"
account_sid = "AC1"
auth_token = "t"
from = "+15550100"
[channels.sms]
providers = ["tw", "ali"]
[channels.text]
providers = ["tw"]
)",
                               "t.toml");
    REQUIRE(config);
    CHECK(check_vendor_template(*config, "sms", "login-code", "template"));
    CHECK(check_vendor_template(*config, "text", "", "template"));
    auto raw = check_vendor_template(*config, "sms", "", "template");
    REQUIRE_FALSE(raw);
    CHECK(raw.error().code == "no_vendor_template");
    CHECK(raw.error().message ==
          "channel 'sms' sends only from templates: provider 'ali' (aliyun-sms) needs a "
          "template ('--template NAME', or \"template\" over HTTP) mapped in its 'templates' "
          "table");
    auto unmapped = check_vendor_template(*config, "sms", "login-cod", "template");
    REQUIRE_FALSE(unmapped);
    CHECK(unmapped.error().message ==
          "provider 'ali' (aliyun-sms) has no vendor template code for template 'login-cod', "
          "did you mean 'login-code'? (add [providers.ali.templates.login-cod] with 'code')");
}

TEST_CASE("an early refresh that fails leaves the valid token in use", "[vendor]") {
    TokenVendor v;
    v.lifetime_ms = 300;  // due for a refresh after 270 ms
    TestTokenAdapter a(v.mock.base());
    REQUIRE(test::run_attempt(a, job_to("ann")).outcome == wire::Outcome::sent);
    const Millis due = util::steady_ms() + 280;
    while (util::steady_ms() < due) usleep(10'000);
    v.credentials_ok = false;
    // This job tries the refresh, which fails; it still goes out with t1.
    Attempt second = test::run_attempt(a, job_to("bob"));
    CHECK(second.outcome == wire::Outcome::sent);
    // Within the failure's hold nobody fetches again: t1 serves while valid.
    Attempt third = test::run_attempt(a, job_to("cy"));
    CHECK(third.outcome == wire::Outcome::sent);
    auto requests = v.mock.requests();
    REQUIRE(requests.size() == 5);  // fetch, send, failed fetch, send, send
    CHECK(requests[3].query("access_token") == "t1");
    CHECK(requests[4].query("access_token") == "t1");
}

TEST_CASE("a job waiting for a refresh it asked for does not refresh again", "[vendor]") {
    TokenVendor v;
    TestTokenAdapter a(v.mock.base());
    REQUIRE(test::run_attempt(a, job_to("ann")).outcome == wire::Outcome::sent);
    v.always_expired = true;  // the vendor refuses every token from now on
    auto perform = [](Started s) {
        auto t = std::move(std::get<std::unique_ptr<Transfer>>(s));
        return t->finish(curl_easy_perform(t->handle()));
    };
    Started first = a.start(job_to("bob"));
    Started second = a.start(job_to("cy"));
    // bob's send is refused: bob fetches a new token (not yet run).
    Started bob_fetch = perform(std::move(first));
    REQUIRE(std::holds_alternative<std::unique_ptr<Transfer>>(bob_fetch));
    // cy's send is refused too: cy waits for bob's fetch.
    CHECK(std::holds_alternative<Wait>(perform(std::move(second))));
    // bob's fetch gives t2, bob's send with it is refused again: retryable, no more fetches.
    Started bob_send = perform(std::move(bob_fetch));
    Started bob_end = perform(std::move(bob_send));
    CHECK(std::get<Attempt>(bob_end).code == "42001");
    CHECK(v.fetches == 2);
    // cy starts again (as the worker does): t2 was refused meanwhile, so cy fetches
    // t3 and sends once; refused again, it ends without a further refresh.
    const int sends_before = v.sends;
    Attempt cy = test::run_attempt(a, job_to("cy"));
    CHECK(cy.outcome == wire::Outcome::retryable);
    CHECK(cy.code == "42001");
    CHECK(v.fetches == 3);
    CHECK(v.sends == sends_before + 1);
}

TEST_CASE("a fetch the worker drops does not hold other jobs back", "[vendor]") {
    TokenVendor v;
    TestTokenAdapter a(v.mock.base());
    Started fetch = a.start(job_to("ann"));
    REQUIRE(std::holds_alternative<std::unique_ptr<Transfer>>(fetch));
    CHECK(std::holds_alternative<Wait>(a.start(job_to("bob"))));
    // The worker drops the fetch before running it (its lease ran out).
    auto t = std::move(std::get<std::unique_ptr<Transfer>>(fetch));
    (void)t->finish(CURLE_ABORTED_BY_CALLBACK);
    // The next job fetches for itself instead of failing or waiting forever.
    CHECK(test::run_attempt(a, job_to("bob")).outcome == wire::Outcome::sent);
    CHECK(v.fetches == 1);
}

TEST_CASE("texts counted in UTF-16 code units", "[vendor]") {
    const std::string grin = "\xF0\x9F\x98\x80";  // U+1F600, outside the BMP: a surrogate pair
    const std::string text = "ok " + grin + grin + " \xD0\x96";  // "ok 😀😀 Ж"
    CHECK(text_length(text, LengthUnit::utf16) == 9);
    CHECK(text_length(text, LengthUnit::characters) == 7);
    CHECK(text_length(text, LengthUnit::bytes) == 14);
    CHECK(text_length("a\xFF", LengthUnit::utf16) == 2);  // an invalid byte counts one

    SECTION("fits as it is") {
        auto f = fit_text(text, TextLimit{9, LengthUnit::utf16, Overflow::split});
        REQUIRE(f);
        CHECK(f->parts == std::vector<std::string>{text});
        CHECK(f->detail.empty());
    }
    SECTION("split never cuts a pair") {
        std::string emoji;
        for (int i = 0; i < 5; ++i) emoji += grin;  // 10 code units
        auto f = fit_text(emoji, TextLimit{3, LengthUnit::utf16, Overflow::split});
        REQUIRE(f);
        REQUIRE(f->parts.size() == 5);
        for (const auto& p : f->parts) CHECK(p == grin);
        CHECK(f->detail == "parts=5");
        // A limit smaller than one pair: each emoji alone, nothing lost, no endless loop.
        auto g = fit_text(emoji, TextLimit{1, LengthUnit::utf16, Overflow::split});
        REQUIRE(g);
        CHECK(g->parts.size() == 5);
        CHECK(joined(g->parts) == emoji);
    }
    SECTION("truncate: the ellipsis counts one") {
        auto f = fit_text(text, TextLimit{6, LengthUnit::utf16, Overflow::truncate});
        REQUIRE(f);
        REQUIRE(f->parts.size() == 1);
        CHECK(f->parts[0] == "ok " + grin + "\xE2\x80\xA6");  // 3 + 2 + 1
        CHECK(text_length(f->parts[0], LengthUnit::utf16) == 6);
        CHECK(f->detail == "truncated=9/6");
        // Room for half a pair only: the pair is left out whole.
        auto g = fit_text(text, TextLimit{5, LengthUnit::utf16, Overflow::truncate});
        REQUIRE(g);
        CHECK(g->parts[0] == "ok \xE2\x80\xA6");
    }
    SECTION("reject says the unit") {
        auto f = fit_text(text, TextLimit{8, LengthUnit::utf16, Overflow::reject});
        REQUIRE_FALSE(f);
        CHECK(f.error().code == "too_long");
        CHECK(f.error().message ==
              "the message is 9 UTF-16 code units, over the provider's limit of 8 (overflow = "
              "\"reject\")");
    }
}
