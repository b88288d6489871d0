#include <catch2/catch.hpp>

#include "config.hpp"

using namespace notify;

TEST_CASE("config reads declared keys and refuses unknown ones") {
    SECTION("defaults and the embedded outbox channel") {
        auto c = parse_config("runtime_dir = \"/tmp/rt\"\n", "t.toml");
        REQUIRE(c);
        CHECK(c->ingest.listen == "ipc:///tmp/rt/ingest.sock");
        CHECK(c->worker.router == "ipc:///tmp/rt/router.sock");
        CHECK(c->router.retry_min == 5000);
        REQUIRE(c->channel("outbox"));
        CHECK(c->channel_type("outbox") == "file");
    }
    SECTION("providers and channels") {
        auto c = parse_config(R"(
[providers.hook]
type = "webhook"
url = "http://127.0.0.1:9/x"
[channels.ops]
providers = ["hook"]
)",
                              "t.toml");
        REQUIRE(c);
        CHECK(c->channel_type("ops") == "webhook");
        CHECK_FALSE(c->channel("outbox"));
        CHECK(c->provider("hook")->settings_json.find("127.0.0.1:9") != std::string::npos);
    }
    SECTION("unknown key with a suggestion and the line") {
        auto c = parse_config("[router]\nretry_mn = \"1s\"\n", "t.toml");
        REQUIRE_FALSE(c);
        CHECK(c.error().message ==
              "t.toml:2: unknown key 'router.retry_mn', did you mean 'router.retry_min'?");
    }
    SECTION("bad types and values") {
        CHECK_FALSE(parse_config("[router]\nretry_min = 5\n", "t.toml"));
        CHECK_FALSE(parse_config("[router]\nretry_min = \"5 parsecs\"\n", "t.toml"));
        CHECK_FALSE(parse_config("[channels.x]\nproviders = [\"nope\"]\n", "t.toml"));
        CHECK_FALSE(parse_config("[providers.p]\nurl = \"x\"\n", "t.toml"));
        CHECK_FALSE(parse_config("[router]\nlease = \"0s\"\n", "t.toml"));
        auto slow =
            parse_config("[router]\nlease = \"10s\"\n[worker]\ntimeout = \"10s\"\n", "t.toml");
        REQUIRE_FALSE(slow);
        CHECK(slow.error().message ==
              "t.toml:4: 'worker.timeout' (10s) must be shorter than 'router.lease' (10s)");
    }
    SECTION("environment beats the file") {
        setenv("NOTIFY_ROUTER_MAX_ATTEMPTS", "3", 1);
        auto c = parse_config("[router]\nmax_attempts = 9\n", "t.toml");
        unsetenv("NOTIFY_ROUTER_MAX_ATTEMPTS");
        REQUIRE(c);
        CHECK(c->router.max_attempts == 3);
    }
}

TEST_CASE("secrets resolve from the environment and files") {
    setenv("NOTIFY_TEST_SECRET", "s3cret", 1);
    CHECK(*resolve_secret("env:NOTIFY_TEST_SECRET") == "s3cret");
    CHECK(*resolve_secret("literal") == "literal");
    CHECK_FALSE(resolve_secret("env:NOTIFY_TEST_UNSET_VARIABLE"));
    CHECK_FALSE(resolve_secret("file:/nonexistent/secret"));
}
