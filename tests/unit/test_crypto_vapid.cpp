// test_crypto_vapid.cpp - the VAPID Authorization header (RFC 8292): read back,
// its claims and key checked and its signature verified, the origin it names,
// and what it refuses.
#include <catch2/catch.hpp>

#include <string>

#include "crypto/jwt.hpp"
#include "crypto/p256_key.hpp"
#include "crypto/vapid.hpp"
#include "test_crypto_keys.hpp"
#include "test_crypto_support.hpp"
#include "util/crypto.hpp"

using namespace notify;
using crypto_test::b64u;
using crypto_test::check_refused;

namespace {

struct Vapid {
    std::string t;
    std::string k;
};

// "vapid t=<JWT>, k=<key>" taken apart.
Vapid read_header(const std::string& value) {
    REQUIRE(value.rfind("vapid t=", 0) == 0);
    auto comma = value.find(", k=");
    REQUIRE(comma != std::string::npos);
    return {value.substr(8, comma - 8), value.substr(comma + 4)};
}

}  // namespace

TEST_CASE("a VAPID header carries the origin, exp and sub, signed by k", "[crypto]") {
    auto key = crypto::P256Key::from_pem(crypto_test_keys::kEcPkcs8Pem);
    REQUIRE(key);
    auto header = crypto::vapid_authorization(
        *key, "https://push.example.net/push/JzLQ3raZJfFBR0aqvOMsLrt54w4rJUsV",
        "mailto:push@example.com", 1453523768);
    REQUIRE(header);
    Vapid v = read_header(*header);
    CHECK(v.k == crypto_test_keys::kEcPublic);
    CHECK(crypto::verify_jwt_es256(v.t, b64u(v.k)));
    // The same header and claims as RFC 8292 §2.4, so the same first two parts.
    CHECK(v.t.substr(0, v.t.rfind('.')) ==
          "eyJ0eXAiOiJKV1QiLCJhbGciOiJFUzI1NiJ9.eyJhdWQiOiJodHRwczovL3B1c2guZXhhbXBsZS5uZXQiLCJl"
          "eHAiOjE0NTM1MjM3NjgsInN1YiI6Im1haWx0bzpwdXNoQGV4YW1wbGUuY29tIn0");

    SECTION("a port other than the default stays, the path goes") {
        auto local = crypto::vapid_authorization(*key, "http://127.0.0.1:8080/wpush/abc?x=1",
                                                 "https://notify.example.com/contact", 1700000000);
        REQUIRE(local);
        auto jws = crypto::split_jws(read_header(*local).t);
        REQUIRE(jws);
        CHECK(jws->header_json == R"({"typ":"JWT","alg":"ES256"})");
        CHECK(
            jws->claims_json ==
            R"({"aud":"http://127.0.0.1:8080","exp":1700000000,"sub":"https://notify.example.com/contact"})");
    }
    SECTION("a subject is written as JSON") {
        auto quoted = crypto::vapid_authorization(*key, "https://fcm.googleapis.com/fcm/send/x",
                                                  "mailto:\"ops\"@example.com", 1);
        REQUIRE(quoted);
        auto jws = crypto::split_jws(read_header(*quoted).t);
        REQUIRE(jws);
        CHECK(jws->claims_json ==
              R"({"aud":"https://fcm.googleapis.com","exp":1,"sub":"mailto:\"ops\"@example.com"})");
    }
}

TEST_CASE("the origin of a push endpoint is scheme://host[:port]", "[crypto]") {
    auto origin = [](const char* url) { return crypto::web_push_origin(url).value_or({}); };
    CHECK(origin("https://fcm.googleapis.com/fcm/send/dBTr3:APA91b") ==
          "https://fcm.googleapis.com");
    CHECK(origin("https://updates.push.services.mozilla.com/wpush/v2/gAAAAA") ==
          "https://updates.push.services.mozilla.com");
    CHECK(origin("https://web.push.apple.com/QGuQyavXut") == "https://web.push.apple.com");
    CHECK(origin("http://127.0.0.1:8080/push/1") == "http://127.0.0.1:8080");
    CHECK(origin("HTTPS://Push.Example.NET:443/p") == "https://push.example.net");
    CHECK(origin("http://push.example.net:80") == "http://push.example.net");
    CHECK(origin("https://push.example.net:8443?x#y") == "https://push.example.net:8443");
    CHECK(origin("https://user:pass@push.example.net/p") == "https://push.example.net");
    CHECK(origin("http://[::1]:9000/push") == "http://[::1]:9000");
}

TEST_CASE("VAPID refuses endpoints that are not http(s) URLs and bad subjects", "[crypto]") {
    auto key = crypto::P256Key::generate();
    REQUIRE(key);
    for (const char* url :
         {"", "push.example.net/p", "ftp://push.example.net/p", "https:///p", "https://:443/p",
          "https://host:0/p", "https://host:65536/p", "https://host:/p", "https://host:8o/p",
          "http://[::1/p", "https://ho st/p"}) {
        INFO("url: " << url);
        check_refused(crypto::vapid_authorization(*key, url, "mailto:a@example.com", 1),
                      "invalid_endpoint");
    }
    check_refused(
        crypto::vapid_authorization(*key, "https://push.example.net/p", "push@example.com", 1),
        "invalid_subject");
    check_refused(
        crypto::vapid_authorization(*key, "https://push.example.net/p", "mailto:\xff@x", 1),
        "invalid_subject");
}
