// Tests for the push adapters that speak HTTP/1.1 to a local mock (fcm, jpush,
// webpush: requests, token grant, outcomes, the address gone), the settings
// of all four (apns included; its HTTP/2 sends are tests/integration/test_push.py),
// and their recipients' forms at the door.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "address.hpp"
#include "crypto/jwt.hpp"
#include "crypto/p256_key.hpp"
#include "crypto/web_push.hpp"
#include "test_channel_support.hpp"
#include "test_crypto_keys.hpp"
#include "util/crypto.hpp"

using namespace notify;
using namespace notify::test;
using json = nlohmann::json;

namespace {

json service_account(const std::string& token_uri) {
    return {{"type", "service_account"},
            {"project_id", "notify-test"},
            {"private_key_id", "kid-1"},
            {"private_key", crypto_test_keys::kRsaPkcs8Pem},
            {"client_email", "notify@notify-test.iam.gserviceaccount.com"},
            {"token_uri", token_uri}};
}

json decoded_part(const std::string& jwt, int index) {
    auto parts = util::split(jwt, '.');
    REQUIRE(parts.size() == 3);
    auto bytes = util::base64url_decode(parts[static_cast<size_t>(index)]);
    REQUIRE(bytes);
    return json::parse(*bytes);
}

wire::Job push_job(const std::string& to, Priority priority = Priority::medium) {
    wire::Job job = job_to(to, "Build 7", "green");
    job.priority = priority;
    return job;
}

const std::string kFcmToken = "fcm-token-0001-abcdefghijklmnopqrstuvwxyz";

}  // namespace

TEST_CASE("fcm grants an access token with an RS256 JWT, then sends with it", "[fcm]") {
    int grants = 0;
    VendorMock mock([&](const MockRequest& r) {
        if (r.path() == "/token") {
            ++grants;
            return MockReply(200, json{{"access_token", "ya29.t" + std::to_string(grants)},
                                       {"expires_in", 3599},
                                       {"token_type", "Bearer"}}
                                      .dump());
        }
        return MockReply(200, R"({"name":"projects/notify-test/messages/0:1500415314455276"})");
    });
    json settings = {{"type", "fcm"},
                     {"endpoint", mock.base()},
                     {"credentials", service_account(mock.base() + "/token").dump()}};
    auto adapter = adapter_of("android", settings);
    wire::Job job = push_job(kFcmToken, Priority::high);
    job.expires_at = util::now_ms() + 600'000;
    job.data_json = R"({"order":17,"collapse_id":"o17","from":"x","google.c":"y"})";
    auto a = run_attempt(*adapter, job);
    CHECK(a.outcome == wire::Outcome::sent);
    CHECK(a.provider_message_id == "projects/notify-test/messages/0:1500415314455276");
    auto rs = mock.requests();
    REQUIRE(rs.size() == 2);
    CHECK(rs[0].header("Content-Type") == "application/x-www-form-urlencoded");
    auto grant = form(rs[0].body);
    CHECK(grant["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer");
    json header = decoded_part(grant["assertion"], 0);
    CHECK(header == json{{"alg", "RS256"}, {"kid", "kid-1"}, {"typ", "JWT"}});
    json claims = decoded_part(grant["assertion"], 1);
    CHECK(claims["iss"] == "notify@notify-test.iam.gserviceaccount.com");
    CHECK(claims["aud"] == mock.base() + "/token");
    CHECK(claims["scope"] == "https://www.googleapis.com/auth/firebase.messaging");
    CHECK(claims["exp"].get<long long>() - claims["iat"].get<long long>() == 3600);
    CHECK(rs[1].path() == "/v1/projects/notify-test/messages:send");
    CHECK(rs[1].header("Authorization") == "Bearer ya29.t1");
    json message = body_of(rs[1])["message"];
    CHECK(message["token"] == kFcmToken);
    CHECK(message["notification"] == json{{"title", "Build 7"}, {"body", "green"}});
    CHECK(message["android"]["priority"] == "HIGH");
    CHECK(message["android"]["collapse_key"] == "o17");
    // Keys FCM refuses in data (and collapse_id, the collapse key) are left out.
    CHECK(message["data"] == json{{"order", "17"}});
    std::string ttl = message["android"]["ttl"];
    CHECK((ttl == "599s" || ttl == "600s"));

    SECTION("the token serves the next send without a new grant") {
        auto b = run_attempt(*adapter, push_job(kFcmToken));
        CHECK(b.outcome == wire::Outcome::sent);
        CHECK(grants == 1);
        CHECK(body_of(mock.requests().back())["message"]["android"]["priority"] == "NORMAL");
    }
}

TEST_CASE("fcm outcomes", "[fcm]") {
    json error;
    int status = 200;
    std::vector<std::string> extra;
    VendorMock mock([&](const MockRequest& r) {
        if (r.path() == "/token")
            return MockReply(200, R"({"access_token":"ya29.x","expires_in":3599})");
        MockReply reply(status, error.dump());
        reply.headers = extra;
        return reply;
    });
    json settings = {{"type", "fcm"},
                     {"endpoint", mock.base()},
                     {"credentials", service_account(mock.base() + "/token").dump()}};
    auto adapter = adapter_of("android", settings);
    auto fcm_error = [](int code, const std::string& status_word, const std::string& error_code,
                        const std::string& message) {
        return json{{"error",
                     {{"code", code},
                      {"message", message},
                      {"status", status_word},
                      {"details",
                       {{{"@type", "type.googleapis.com/google.firebase.fcm.v1.FcmError"},
                         {"errorCode", error_code}}}}}}};
    };
    SECTION("UNREGISTERED: permanent, the address is gone") {
        status = 404;
        error = fcm_error(404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.");
        auto a = run_attempt(*adapter, push_job(kFcmToken));
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.code == "UNREGISTERED");
        CHECK(a.address_gone);
    }
    SECTION("INVALID_ARGUMENT about the token is gone; about anything else is not") {
        status = 400;
        error = fcm_error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT",
                          "The registration token is not a valid FCM registration token");
        auto a = run_attempt(*adapter, push_job(kFcmToken));
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.address_gone);
        error = fcm_error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Invalid value at 'ttl'");
        auto b = run_attempt(*adapter, push_job(kFcmToken));
        CHECK(b.outcome == wire::Outcome::permanent);
        CHECK_FALSE(b.address_gone);
    }
    SECTION("QUOTA_EXCEEDED waits as Retry-After says") {
        status = 429;
        error = fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded");
        extra = {"Retry-After: 30"};
        auto a = run_attempt(*adapter, push_job(kFcmToken));
        CHECK(a.outcome == wire::Outcome::retryable);
        CHECK(a.code == "QUOTA_EXCEEDED");
        CHECK(a.retry_after == 30'000);
        CHECK_FALSE(a.address_gone);
    }
    SECTION("THIRD_PARTY_AUTH_ERROR is the provider's") {
        status = 401;
        error = fcm_error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR", "APNs auth");
        auto a = run_attempt(*adapter, push_job(kFcmToken));
        CHECK(a.outcome == wire::Outcome::permanent);
        CHECK(a.provider_fault);
    }
}

TEST_CASE("jpush posts with Basic auth and classifies its error codes", "[jpush]") {
    int status = 200;
    std::string body = R"({"sendno":"0","msg_id":"18100000000000001"})";
    std::vector<std::string> extra;
    VendorMock mock([&](const MockRequest&) {
        MockReply reply(status, body);
        reply.headers = extra;
        return reply;
    });
    json settings = {{"type", "jpush"},
                     {"endpoint", mock.base()},
                     {"app_key", "7d431e42dfa6a6d693ac2d04"},
                     {"master_secret", "5e987ac6d2e04d95a9d8f0d1"},
                     {"apns_production", false}};
    auto adapter = adapter_of("jg", settings);
    wire::Job job = push_job("1a0018970af7b1dd6c6");
    job.expires_at = util::now_ms() + 3'600'000;
    job.data_json = R"({"order":"A17"})";
    auto a = run_attempt(*adapter, job);
    CHECK(a.outcome == wire::Outcome::sent);
    CHECK(a.provider_message_id == "18100000000000001");
    auto rs = mock.requests();
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].path() == "/v3/push");
    CHECK(rs[0].header("Authorization") ==
          "Basic " + util::base64("7d431e42dfa6a6d693ac2d04:5e987ac6d2e04d95a9d8f0d1"));
    json push = body_of(rs[0]);
    CHECK(push["platform"] == "all");
    CHECK(push["audience"] == json{{"registration_id", {"1a0018970af7b1dd6c6"}}});
    CHECK(push["notification"]["android"] ==
          json{{"alert", "green"}, {"title", "Build 7"}, {"extras", {{"order", "A17"}}}});
    CHECK(push["notification"]["ios"]["alert"] == json{{"title", "Build 7"}, {"body", "green"}});
    CHECK(push["options"]["apns_production"] == false);
    CHECK(push["options"]["time_to_live"].get<long long>() >= 3599);

    SECTION("1011: no device has the registration id") {
        status = 400;
        body = R"({"error":{"code":1011,"message":"cannot find user by this audience"}})";
        auto b = run_attempt(*adapter, job);
        CHECK(b.outcome == wire::Outcome::permanent);
        CHECK(b.code == "1011");
        CHECK(b.address_gone);
    }
    SECTION("2002: the rate limit, until X-Rate-Limit-Reset") {
        status = 429;
        body = R"({"error":{"code":2002,"message":"Rate limit exceeded"}})";
        extra = {"X-Rate-Limit-Reset: 42"};
        auto b = run_attempt(*adapter, job);
        CHECK(b.outcome == wire::Outcome::retryable);
        CHECK(b.code == "2002");
        CHECK(b.retry_after == 42'000);
    }
    SECTION("1004: the app's credentials, the provider's fault") {
        status = 401;
        body = R"({"error":{"code":1004,"message":"Authen failed"}})";
        auto b = run_attempt(*adapter, job);
        CHECK(b.outcome == wire::Outcome::permanent);
        CHECK(b.provider_fault);
        CHECK_FALSE(b.address_gone);
    }
}

TEST_CASE("webpush encrypts for the subscription and signs with VAPID", "[webpush]") {
    int status = 201;
    VendorMock mock([&](const MockRequest&) {
        MockReply reply(status, "");
        reply.headers = {"Location: /message/m1"};
        return reply;
    });
    auto vapid = crypto::P256Key::generate();
    REQUIRE(vapid);
    auto scalar = vapid->private_scalar();
    REQUIRE(scalar);
    json settings = {{"type", "webpush"},
                     {"vapid_private_key", util::base64url(*scalar)},
                     {"vapid_public_key", util::base64url(vapid->public_point())},
                     {"subject", "mailto:ops@example.com"},
                     {"allow_http", true}};
    auto adapter = adapter_of("browser", settings);
    auto browser = crypto::P256Key::generate();
    REQUIRE(browser);
    const std::string auth = util::random_bytes(16);
    json sub = {
        {"endpoint", mock.base() + "/push/abc"},
        {"keys",
         {{"p256dh", util::base64url(browser->public_point())}, {"auth", util::base64url(auth)}}}};
    wire::Job job = push_job(sub.dump(), Priority::high);
    job.expires_at = util::now_ms() + 60'000;
    job.category = "deploys";
    job.data_json = R"({"collapse_id":"deploy-7"})";
    auto a = run_attempt(*adapter, job);
    CHECK(a.outcome == wire::Outcome::sent);
    CHECK(a.provider_message_id == "/message/m1");
    auto rs = mock.requests();
    REQUIRE(rs.size() == 1);
    CHECK(rs[0].path() == "/push/abc");
    CHECK(rs[0].header("Content-Encoding") == "aes128gcm");
    CHECK(rs[0].header("Urgency") == "high");
    CHECK(rs[0].header("Topic") == "deploy-7");
    long long ttl = std::stoll(rs[0].header("TTL"));
    CHECK((ttl >= 59 && ttl <= 60));
    // Authorization: vapid t=JWT, k=KEY
    std::string authz = rs[0].header("Authorization");
    REQUIRE(util::starts_with(authz, "vapid t="));
    size_t comma = authz.find(", k=");
    REQUIRE(comma != std::string::npos);
    std::string jwt = authz.substr(8, comma - 8);
    CHECK(authz.substr(comma + 4) == util::base64url(vapid->public_point()));
    CHECK(crypto::verify_jwt_es256(jwt, vapid->public_point()));
    json claims = decoded_part(jwt, 1);
    CHECK(claims["aud"] == mock.base());
    CHECK(claims["sub"] == "mailto:ops@example.com");
    CHECK(claims["exp"].get<long long>() <= util::now_ms() / 1000 + 24 * 3600);
    auto plain = crypto::decrypt_web_push(rs[0].body, *browser, auth);
    REQUIRE(plain);
    json message = json::parse(*plain);
    CHECK(message["title"] == "Build 7");
    CHECK(message["body"] == "green");
    CHECK(message["tag"] == "deploys");

    SECTION("410: the subscription is gone") {
        status = 410;
        auto b = run_attempt(*adapter, job);
        CHECK(b.outcome == wire::Outcome::permanent);
        CHECK(b.address_gone);
    }
    SECTION("an http:// endpoint only when the provider allows it") {
        settings["allow_http"] = false;
        auto b = run_attempt(*adapter_of("browser", settings), job);
        CHECK(b.outcome == wire::Outcome::permanent);
        CHECK(b.code == "insecure_endpoint");
        CHECK_FALSE(b.address_gone);
    }
    SECTION("401: VAPID refused, the provider's fault") {
        status = 401;
        auto b = run_attempt(*adapter, job);
        CHECK(b.provider_fault);
        CHECK_FALSE(b.address_gone);
    }
}

TEST_CASE("push provider settings errors name the provider and the key", "[push]") {
    auto p8 = crypto::P256Key::generate();
    REQUIRE(p8);
    auto pem = p8->pkcs8_pem();
    REQUIRE(pem);
    json apns = {{"type", "apns"},
                 {"team_id", "TEAM123456"},
                 {"key_id", "KEY1234567"},
                 {"key", *pem},
                 {"topic", "com.example"}};
    CHECK(settings_error("ios", "apns", apns).empty());
    json bad = apns;
    bad["team_id"] = "TEAM";
    check_invalid(provider_of("ios", "apns", bad), "team_id", "10-character");
    bad = apns;
    bad["key"] = crypto_test_keys::kRsaPkcs8Pem;
    check_invalid(provider_of("ios", "apns", bad), "key", "not a P-256 private key");
    bad = apns;
    bad["key"] = "file:/nonexistent/AuthKey.p8";
    check_invalid(provider_of("ios", "apns", bad), "key", "'key'");
    bad = apns;
    bad["environment"] = "staging";
    check_invalid(provider_of("ios", "apns", bad), "environment", "\"sandbox\"");

    json fcm = {{"type", "fcm"}, {"credentials", "{\"client_email\":\"a@b\"}"}};
    check_invalid(provider_of("android", "fcm", fcm), "credentials", "private_key");
    fcm["credentials"] = "not json";
    check_invalid(provider_of("android", "fcm", fcm), "credentials", "service account");
    json account = service_account("https://oauth2.googleapis.com/token");
    account.erase("project_id");
    fcm["credentials"] = account.dump();
    check_invalid(provider_of("android", "fcm", fcm), "project_id", "'project_id' is missing");
    fcm["project_id"] = "p1";
    CHECK(settings_error("android", "fcm", fcm).empty());

    // HTTP/2 carries every attempt on one connection: nothing for max_connections to hold.
    fcm["max_connections"] = 8;
    CHECK(settings_error("android", "fcm", fcm) ==
          "provider 'android': 'max_connections' does not apply to type 'fcm', which sends "
          "every attempt over one HTTP/2 connection");
    apns["max_connections"] = 8;
    check_invalid(provider_of("ios", "apns", apns), "max_connections", "HTTP/2");

    json jpush = {{"type", "jpush"}, {"master_secret", "s"}};
    check_invalid(provider_of("jg", "jpush", jpush), "app_key", "'app_key' is missing");

    auto key = crypto::P256Key::generate();
    REQUIRE(key);
    auto scalar = key->private_scalar();
    REQUIRE(scalar);
    json web = {{"type", "webpush"},
                {"vapid_private_key", util::base64url(*scalar)},
                {"subject", "ops@example.com"}};
    check_invalid(provider_of("browser", "webpush", web), "subject", "\"mailto:\"");
    web["subject"] = "mailto:ops@example.com";
    CHECK(settings_error("browser", "webpush", web).empty());
    web["vapid_public_key"] = util::base64url(p8->public_point());
    check_invalid(provider_of("browser", "webpush", web), "vapid_public_key", "public half");
    web.erase("vapid_public_key");
    web["vapid_private_key"] = "short";
    check_invalid(provider_of("browser", "webpush", web), "vapid_private_key", "P-256");
}

TEST_CASE("push recipients are checked at the door by the type's form", "[push]") {
    auto check = [](const std::string& type, const std::string& to) {
        auto st = check_recipients({to}, type, "c", "to");
        return st ? std::string("ok") : st.error().message;
    };
    CHECK(check("apns", std::string(64, 'a')) == "ok");
    CHECK(check("apns", "xyz").find("an APNs device token") != std::string::npos);
    CHECK(check("apns", std::string(63, 'a')).find("device token") != std::string::npos);
    CHECK(check("fcm", kFcmToken) == "ok");
    CHECK(check("fcm", "bad token with spaces").find("FCM registration token") !=
          std::string::npos);
    CHECK(check("jpush", "1a0018970af7b1dd6c6") == "ok");
    CHECK(check("jpush", "1a00-18").find("JPush registration id") != std::string::npos);
    const std::string p256dh = util::base64url(std::string("\x04", 1) + std::string(64, 'k'));
    json sub = {{"endpoint", "https://push.example.net/p/1"},
                {"keys", {{"p256dh", p256dh}, {"auth", util::base64url(std::string(16, 'a'))}}}};
    CHECK(check("webpush", sub.dump()) == "ok");
    sub["keys"]["auth"] = "AAAA";
    CHECK(check("webpush", sub.dump()).find("keys.auth") != std::string::npos);
    CHECK(check("webpush", "https://push.example.net/p/1").find("push subscription") !=
          std::string::npos);
    CHECK(check("telegram", "-1001234567890") == "ok");
    CHECK(check("telegram", "").find("Telegram chat id") != std::string::npos);
    CHECK(check("onebot", "group/123") == "ok");
}
