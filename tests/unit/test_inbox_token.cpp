// Tests for end users' inbox tokens: good for their user until they expire,
// refused for another user, another secret, or when altered.
#include <catch2/catch.hpp>

#include "inbox_token.hpp"
#include "signed_link.hpp"

using namespace notify;

TEST_CASE("an inbox token is good for its user until it expires", "[inbox]") {
    const std::string secret = "inbox-secret-for-tests";
    const Millis now = 1'790'000'000'000;
    const std::string token = inbox_token(secret, "ana", now + 3'600'000);
    CHECK(check_inbox_token(secret, token, "ana", now));
    CHECK(check_inbox_token(secret, token, "ana", now + 3'599'000));
    CHECK(*check_inbox_token(secret, token, "ana", now) == now + 3'600'000);  // its expiry

    auto code = [&](const std::string& t, const std::string& user, Millis at,
                    const std::string& key = "inbox-secret-for-tests") {
        auto st = check_inbox_token(key, t, user, at);
        REQUIRE_FALSE(st);
        CHECK(st.error().kind == ErrorKind::unauthorized);
        return st.error().code + ": " + st.error().message;
    };
    CHECK(code(token, "ana", now + 3'600'000) ==
          "inbox_token_expired: the inbox token has expired");
    CHECK(code(token, "ben", now) == "bad_inbox_token: the inbox token is for another user");
    CHECK(code(token, "ana", now, "another-secret") ==
          "bad_inbox_token: the inbox token is not valid");
    std::string altered = token;
    altered[2] = altered[2] == 'A' ? 'B' : 'A';
    CHECK(code(altered, "ana", now) == "bad_inbox_token: the inbox token is not valid");
    CHECK(code("", "ana", now) == "bad_inbox_token: the inbox token is not valid");
    // A signed link of another kind (an unsubscribe link's) is not an inbox token.
    CHECK(code(sign_link(secret, {"unsubscribe", "ana", "9999999999"}), "ana", now) ==
          "bad_inbox_token: the inbox token is not valid");
}
