// Signed unsubscribe links: what a token carries, that any change to it is
// refused, and where the signing secret comes from.
#include <stdlib.h>

#include <catch2/catch.hpp>

#include "config.hpp"
#include "store/store.hpp"
#include "unsubscribe_link.hpp"
#include "util/crypto.hpp"

using namespace notify;

namespace {

Config config_with(const std::string& toml) {
    auto c = parse_config(toml, "test.toml");
    REQUIRE(c);
    return *c;
}

}  // namespace

TEST_CASE("an unsubscribe token names its target and nothing else verifies", "[unsubscribe]") {
    const std::string secret = "s3cret";
    SECTION("a user and a category round-trip") {
        UnsubscribeTarget t{"alice", "", "", "marketing"};
        std::string token = unsubscribe_token(secret, t);
        CHECK(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789-_.") == std::string::npos);
        auto back = verify_unsubscribe_token(secret, token);
        REQUIRE(back);
        CHECK(back->user_id == "alice");
        CHECK(back->category == "marketing");
        CHECK(back->channel.empty());
        CHECK(back->address.empty());
    }
    SECTION("a raw address with its channel, every category") {
        UnsubscribeTarget t{"", "email", "ann@example.com", ""};
        auto back = verify_unsubscribe_token(secret, unsubscribe_token(secret, t));
        REQUIRE(back);
        CHECK(back->user_id.empty());
        CHECK(back->channel == "email");
        CHECK(back->address == "ann@example.com");
        CHECK(back->category.empty());
    }
    SECTION("another secret, a changed payload or signature, and junk are refused") {
        std::string token = unsubscribe_token(secret, {"alice", "", "", "news"});
        CHECK_FALSE(verify_unsubscribe_token("other", token));
        auto dot = token.find('.');
        // The payload of bob's token with alice's signature.
        std::string bob = unsubscribe_token(secret, {"bob", "", "", "news"});
        CHECK_FALSE(
            verify_unsubscribe_token(secret, bob.substr(0, bob.find('.')) + token.substr(dot)));
        std::string flipped = token;
        flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
        CHECK_FALSE(verify_unsubscribe_token(secret, flipped));
        CHECK_FALSE(verify_unsubscribe_token(secret, token.substr(0, dot)));
        CHECK_FALSE(verify_unsubscribe_token(secret, ""));
        CHECK_FALSE(verify_unsubscribe_token(secret, "."));
        CHECK_FALSE(verify_unsubscribe_token(secret, "a.b.c"));
        CHECK_FALSE(verify_unsubscribe_token(secret, std::string(5000, 'A')));
    }
    SECTION("a well-signed payload that is not a target is refused") {
        for (const char* payload : {"[]", R"(["u","","x"])", R"(["x","a","b"])", R"(["u",1,"x"])",
                                    R"({"u":"alice"})", "not json"}) {
            std::string p = util::base64url(payload);
            std::string forged = p + "." + util::base64url(util::hmac_sha256(secret, p));
            CHECK_FALSE(verify_unsubscribe_token(secret, forged));
        }
    }
}

TEST_CASE("an unsubscribe URL is the configured base and the token", "[unsubscribe]") {
    Config c = config_with(
        "[preferences]\nunsubscribe_url = \"https://notify.example.com/v1/unsubscribe/\"\n");
    std::string url = unsubscribe_url(c, "k", {"alice", "", "", ""});
    const std::string base = "https://notify.example.com/v1/unsubscribe/";
    REQUIRE(url.substr(0, base.size()) == base);
    CHECK(verify_unsubscribe_token("k", url.substr(base.size())));
}

TEST_CASE("the unsubscribe secret comes from the config, else the store", "[unsubscribe]") {
    auto s = store::Store::open(":memory:", {});
    REQUIRE(s);
    SECTION("made once and kept in the store") {
        Config c = config_with("");
        auto first = unsubscribe_secret(c, **s);
        REQUIRE(first);
        CHECK(first->size() >= 40);  // 32 random bytes, base64url
        auto second = unsubscribe_secret(c, **s);
        REQUIRE(second);
        CHECK(*second == *first);
        CHECK((*s)->setting("unsubscribe.secret") == *first);
    }
    SECTION("a configured secret, literal or a reference") {
        CHECK(*unsubscribe_secret(config_with("[preferences]\nunsubscribe_secret = \"abc\"\n"),
                                  **s) == "abc");
        setenv("NOTIFY_TEST_UNSUB_SECRET", "from-env", 1);
        CHECK(*unsubscribe_secret(config_with("[preferences]\nunsubscribe_secret = "
                                              "\"env:NOTIFY_TEST_UNSUB_SECRET\"\n"),
                                  **s) == "from-env");
        unsetenv("NOTIFY_TEST_UNSUB_SECRET");
        auto missing = unsubscribe_secret(
            config_with("[preferences]\nunsubscribe_secret = \"env:NOTIFY_TEST_UNSUB_SECRET\"\n"),
            **s);
        REQUIRE_FALSE(missing);
        CHECK(missing.error().code == "missing_secret");
        CHECK((*s)->setting("unsubscribe.secret").empty());
    }
}
