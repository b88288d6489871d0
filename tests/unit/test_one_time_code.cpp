// One-time codes: AES-256-GCM against the GCM specification's vectors, codes
// from the random source, sealing and opening, MACs per recipient, the
// marker filled in, and the store's rows: a code valid once, wrong codes until
// locked, expiry, the limits on sending, pruning.
#include <catch2/catch.hpp>

#include <map>

#include "crypto/aes_gcm.hpp"
#include "one_time_code.hpp"
#include "store/otp_store.hpp"
#include "test_router_fixture.hpp"
#include "util/crypto.hpp"

using namespace notify;
using notify::testing::TempStore;

namespace {

std::string unhex(const std::string& h) {
    std::string out;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2)
        out += static_cast<char>(std::stoi(h.substr(i, 2), nullptr, 16));
    return out;
}

}  // namespace

TEST_CASE("AES-256-GCM gives the specification's test vectors", "[otp]") {
    const std::string key(32, '\0'), nonce(12, '\0');
    // McGrew and Viega, "The Galois/Counter Mode of Operation", test cases 13 and 14.
    CHECK(util::hex(*crypto::aes_gcm_seal(key, nonce, "")) == "530f8afbc74536b9a963b4f1c4cb738b");
    auto sealed = crypto::aes_gcm_seal(key, nonce, std::string(16, '\0'));
    CHECK(util::hex(*sealed) == "cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919");
    CHECK(*crypto::aes_gcm_open(key, nonce, *sealed) == std::string(16, '\0'));
    std::string altered = *sealed;
    altered[3] ^= 1;
    CHECK(crypto::aes_gcm_open(key, nonce, altered).error().code == "bad_seal");
    CHECK(crypto::aes_gcm_open(key, nonce, "short").error().code == "bad_seal");
    CHECK_FALSE(crypto::aes_gcm_seal(std::string(20, 'k'), nonce, "x"));
    const std::string key128 = unhex("00112233445566778899aabbccddeeff");
    CHECK(*crypto::aes_gcm_open(key128, nonce, *crypto::aes_gcm_seal(key128, nonce, "aes-128")) ==
          "aes-128");
}

TEST_CASE("codes are digits of the length asked, every digit alike", "[otp]") {
    std::map<char, int> seen;
    for (int i = 0; i < 2000; ++i) {
        const std::string code = generate_code(6);
        REQUIRE(code.size() == 6);
        for (char c : code) {
            REQUIRE(c >= '0');
            REQUIRE(c <= '9');
            ++seen[c];
        }
    }
    // 12,000 digits: each of the ten about 1,200 times.
    REQUIRE(seen.size() == 10);
    for (const auto& [digit, n] : seen) {
        CHECK(n > 1000);
        CHECK(n < 1400);
    }
    CHECK(generate_code(4).size() == 4);
    CHECK(generate_code(10).size() == 10);
}

TEST_CASE("a sealed code opens with its secret alone", "[otp]") {
    auto sealed = seal_code("secret-a", "042917");
    REQUIRE(sealed);
    CHECK(sealed->find("042917") == std::string::npos);
    CHECK(*open_code("secret-a", *sealed) == "042917");
    CHECK(*seal_code("secret-a", "042917") != *sealed);  // a new nonce each time
    CHECK(open_code("secret-b", *sealed).error().code == "bad_seal");
    CHECK(open_code("secret-a", "not base64url!").error().code == "bad_seal");
    CHECK(open_code("secret-a", "AAAA").error().code == "bad_seal");

    CHECK(code_mac("s", "+15550100", "1234") == code_mac("s", "+15550100", "1234"));
    CHECK(code_mac("s", "+15550100", "1234") != code_mac("s", "+15550101", "1234"));
    CHECK(code_mac("s", "+15550100", "1234") != code_mac("t", "+15550100", "1234"));
    CHECK(code_mac("s", "a", "12") != code_mac("s", "a1", "2"));

    std::string text = std::string("Your code: ") + kCodeMarker + ". Again: " + kCodeMarker;
    fill_code(text, "042917");
    CHECK(text == "Your code: 042917. Again: 042917");

    std::string echoed = "rejected: 'Your code is 042917' (042917)";
    hide_code(echoed, "042917");
    CHECK(echoed == "rejected: 'Your code is [one-time code]' ([one-time code])");
    hide_code(echoed, "");
    CHECK(echoed == "rejected: 'Your code is [one-time code]' ([one-time code])");
}

TEST_CASE("a stored code is valid once, locks after wrong ones, and expires", "[otp]") {
    TempStore s;
    store::OtpStore otp(s->handle());
    auto code = [](const std::string& to, const std::string& mac, Millis at) {
        return store::OtpCode{to, mac, "sms", "key-a", at, at + 60'000, 3};
    };
    CHECK_FALSE(otp.verify("+1", "m", 0));  // no code sent

    otp.issue(code("+1", "right", 1000));
    auto check = otp.verify("+1", "wrong", 2000);
    CHECK(check->result == store::OtpResult::invalid);
    CHECK(check->attempts_left == 2);
    check = otp.verify("+1", "right", 3000);
    CHECK(check->result == store::OtpResult::valid);
    CHECK(otp.verify("+1", "right", 3500)->result == store::OtpResult::invalid);  // once

    otp.issue(code("+2", "right", 1000));
    CHECK(otp.verify("+2", "w", 2000)->result == store::OtpResult::invalid);
    CHECK(otp.verify("+2", "w", 2000)->result == store::OtpResult::invalid);
    check = otp.verify("+2", "w", 2000);
    CHECK(check->result == store::OtpResult::locked);
    CHECK(check->attempts_left == 0);
    CHECK(otp.verify("+2", "right", 2000)->result == store::OtpResult::locked);

    otp.issue(code("+3", "right", 1000));
    CHECK(otp.verify("+3", "right", 61'000)->result == store::OtpResult::expired);

    // A new code replaces the last, with its attempts.
    otp.issue(code("+2", "again", 5000));
    CHECK(otp.verify("+2", "right", 6000)->result == store::OtpResult::invalid);
    CHECK(otp.verify("+2", "again", 6000)->result == store::OtpResult::valid);

    // Only the key that sent a code checks it, when one is named; its tries
    // are not counted against the code.
    otp.issue(code("+4", "right", 1000));
    CHECK_FALSE(otp.verify("+4", "right", 2000, std::string("key-b")));
    CHECK_FALSE(otp.verify("+4", "wrong", 2000, std::string("key-b")));
    check = otp.verify("+4", "right", 2000, std::string("key-a"));
    CHECK(check->result == store::OtpResult::valid);
    CHECK(check->attempts_left == 3);
}

TEST_CASE("a verify inside an open transaction is part of it", "[otp]") {
    TempStore s;
    store::OtpStore otp(s->handle());
    otp.issue({"+1", "right", "sms", "", 1000, 61'000, 3});
    {
        store::Transaction tx(s->handle());
        CHECK(otp.verify("+1", "wrong", 2000)->result == store::OtpResult::invalid);
        // rolled back: not committed
    }
    CHECK(otp.verify("+1", "wrong", 2000)->attempts_left == 2);
}

TEST_CASE("a recipient waits between codes and has so many an hour", "[otp]") {
    TempStore s;
    store::OtpStore otp(s->handle());
    const store::OtpLimits limits{30'000, 3};
    CHECK(otp.wait_for("+1", 0, limits) == 0);
    otp.issue({"+1", "m", "sms", "", 0, 60'000, 5});
    CHECK(otp.wait_for("+1", 10'000, limits) == 20'000);
    CHECK(otp.wait_for("+1", 30'000, limits) == 0);
    otp.issue({"+1", "m", "sms", "", 30'000, 90'000, 5});
    otp.issue({"+1", "m", "sms", "", 60'000, 120'000, 5});
    // The third of the hour: the next waits for the hour that began at 0.
    CHECK(otp.wait_for("+1", 100'000, limits) == 3'600'000 - 100'000);
    // A new hour starts the count again.
    otp.issue({"+1", "m", "sms", "", 3'600'000, 3'660'000, 5});
    CHECK(otp.wait_for("+1", 3'700'000, limits) == 0);

    // Pruned once it can neither be verified nor limit a send.
    CHECK(otp.prune(3'700'000) == 0);
    CHECK(otp.prune(3'600'000 + 3'600'000 + 1) == 1);
    CHECK_FALSE(otp.verify("+1", "m", 8'000'000));
}
