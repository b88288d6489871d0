// notifyctl config types and vapid generate: what they print and their exit
// codes, with no configuration, store or daemon.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "crypto/p256_key.hpp"
#include "test_cli_helpers.hpp"
#include "util/crypto.hpp"
#include "util/strings.hpp"

using namespace notify::cli::test;
using json = nlohmann::json;

TEST_CASE("config types lists every provider type from its descriptor", "[cli][config]") {
    auto all = notifyctl({"config", "types"});
    REQUIRE(all.rc == 0);
    CHECK(notify::util::starts_with(all.out, "TYPE"));
    CHECK(all.out.find("apns") != std::string::npos);
    bool robot = false;
    for (const auto& line : notify::util::split(all.out, '\n'))
        if (notify::util::starts_with(line, "dingtalk-robot "))
            robot = line.find(" handle ") != std::string::npos &&
                    line.find(" 20/1m ") != std::string::npos;
    CHECK(robot);
    CHECK(all.out.find("smtp") != std::string::npos);

    auto one = notifyctl({"config", "types", "telegram"});
    REQUIRE(one.rc == 0);
    CHECK(one.out.find("rate limit:       30/1s") != std::string::npos);
    CHECK(one.out.find("bot_token (secret)") != std::string::npos);

    auto js = notifyctl({"--json", "config", "types", "aliyun-sms"});
    REQUIRE(js.rc == 0);
    json j = json::parse(js.out);
    CHECK(j["type"] == "aliyun-sms");
    CHECK(j["address"] == "phone");
    CHECK(j["vendor_templates"] == true);
    CHECK(j["rate_limit"] == "none");
    bool secret = false;
    for (const auto& k : j["keys"])
        if (k["name"] == "access_key_secret") secret = k["secret"];
    CHECK(secret);

    auto lines = notifyctl({"--json", "config", "types"});
    REQUIRE(lines.rc == 0);
    CHECK(notify::util::split(notify::util::trim(lines.out), '\n').size() == 20);

    auto bad = notifyctl({"config", "types", "telegarm"});
    CHECK(bad.rc == 64);
    CHECK(bad.err.find("unknown provider type 'telegarm', did you mean 'telegram'?") !=
          std::string::npos);
}

TEST_CASE("vapid generate prints a key pair that belongs together", "[cli][vapid]") {
    auto out = notifyctl({"--json", "vapid", "generate"});
    REQUIRE(out.rc == 0);
    json j = json::parse(out.out);
    auto scalar = notify::util::base64url_decode(j["private_key"].get<std::string>());
    REQUIRE(scalar);
    CHECK(scalar->size() == 32);
    auto key = notify::crypto::P256Key::from_private_scalar(*scalar);
    REQUIRE(key);
    CHECK(notify::util::base64url(key->public_point()) == j["public_key"]);
    auto again = notifyctl({"--json", "vapid", "generate"});
    CHECK(json::parse(again.out)["private_key"] != j["private_key"]);

    auto text = notifyctl({"vapid", "generate"});
    REQUIRE(text.rc == 0);
    CHECK(text.out.find("vapid_public_key = \"B") != std::string::npos);
    CHECK(text.out.find("vapid_private_key = \"") != std::string::npos);
}
