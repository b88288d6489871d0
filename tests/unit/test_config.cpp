#include <catch2/catch.hpp>

#include "config.hpp"
#include "config_link.hpp"

using namespace notify;

TEST_CASE("config reads declared keys and refuses unknown ones") {
    SECTION("defaults and the embedded outbox channel") {
        auto c = parse_config("runtime_dir = \"/tmp/rt\"\n", "t.toml");
        REQUIRE(c);
        CHECK(c->ingest.listen == "ipc:///tmp/rt/ingest.sock");
        CHECK(c->worker.routers == std::vector<std::string>{"ipc:///tmp/rt/router.sock"});
        CHECK(c->ingest.router == std::vector<std::string>{"ipc:///tmp/rt/router-control.sock"});
        CHECK(c->router.partition_lease == 5000);
        CHECK(c->router.partitions == 1);
        CHECK(c->notifyctl.ingest == std::vector<std::string>{"ipc:///tmp/rt/ingest.sock"});
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

TEST_CASE("providers' rate limits and channels' weights") {
    const std::string robots = R"(
[providers.ding]
type = "dingtalk-robot"
[providers.wecom]
type = "wecom-robot"
[providers.feishu]
type = "feishu-bot"
[providers.slack]
type = "slack"
[providers.tg]
type = "telegram"
[providers.hook]
type = "webhook"
url = "http://127.0.0.1:9/x"
)";
    SECTION("defaults by type, from one table") {
        auto c = parse_config(robots + "[channels.ops]\nproviders = [\"ding\"]\n", "t.toml");
        REQUIRE(c);
        auto limit = [&](const char* p) {
            std::string out;
            for (const FrequencyCap& r : c->provider(p)->rate_limits)
                out += (out.empty() ? "" : " ") + std::to_string(r.count) + "/" +
                       std::to_string(r.period);
            return out;
        };
        CHECK(limit("ding") == "20/60000");
        CHECK(limit("wecom") == "20/60000");
        CHECK(limit("feishu") == "5/1000 100/60000");
        CHECK(limit("slack") == "1/1000");
        CHECK(limit("tg") == "30/1000");
        CHECK(limit("hook").empty());
        CHECK(default_rate_limit("smtp").empty());
        CHECK(default_rate_limit("dingtalk-robot").at(0).count == 20);
        CHECK(c->channel("ops")->weights.empty());
        // The embedded outbox has no limit.
        auto plain = parse_config("", "t.toml");
        REQUIRE(plain);
        CHECK(plain->provider("outbox")->rate_limits.empty());
    }
    SECTION("set, or turned off, per provider") {
        auto c = parse_config(R"(
[providers.ops-robot]
type = "dingtalk-robot"
rate_limit = "10/30s"
[providers.free]
type = "telegram"
rate_limit = "none"
[providers.empty]
type = "slack"
rate_limit = ""
[providers.hook]
type = "webhook"
url = "http://127.0.0.1:9/x"
rate_limit = "5/1s, 100/1m"
[channels.ops]
providers = ["ops-robot", "hook"]
weights = [3, 1]
[channels.standby]
providers = ["free", "empty"]
weights = [1, 0]
)",
                              "t.toml");
        REQUIRE(c);
        REQUIRE(c->provider("ops-robot")->rate_limits.size() == 1);
        CHECK(c->provider("ops-robot")->rate_limits[0].count == 10);
        CHECK(c->provider("ops-robot")->rate_limits[0].period == 30'000);
        CHECK(c->provider("free")->rate_limits.empty());
        CHECK(c->provider("empty")->rate_limits.empty());
        REQUIRE(c->provider("hook")->rate_limits.size() == 2);
        CHECK(c->provider("hook")->rate_limits[0].count == 5);
        CHECK(c->provider("hook")->rate_limits[1].period == 60'000);
        CHECK(c->provider("hook")->settings_json.find("rate_limit") != std::string::npos);
        CHECK(c->channel("ops")->weights == std::vector<long>{3, 1});
        CHECK(c->channel("standby")->weights == std::vector<long>{1, 0});
    }
    SECTION("bad values name the table and the key") {
        auto error = [](const std::string& text) {
            auto c = parse_config(text, "t.toml");
            REQUIRE_FALSE(c);
            return c.error().message;
        };
        const std::string robot = "[providers.ops-robot]\ntype = \"dingtalk-robot\"\n";
        CHECK(error(robot + "rate_limit = \"20 a minute\"\n") ==
              "t.toml:3: 'providers.ops-robot.rate_limit': '20 a minute' must be COUNT/PERIOD, "
              "like \"20/1m\" (twenty a minute), several separated by commas, or \"none\"");
        CHECK(error(robot + "rate_limit = \"0/1m\"\n").find("'providers.ops-robot.rate_limit'") !=
              std::string::npos);
        CHECK(error(robot + "rate_limit = 20\n") ==
              "t.toml:3: 'providers.ops-robot.rate_limit': must be a string like \"20/1m\" "
              "(twenty a minute) or \"none\"");
        const std::string pair = robots + "[channels.ops]\nproviders = [\"ding\", \"hook\"]\n";
        CHECK(error(pair + "weights = [3]\n") ==
              "t.toml:17: 'channels.ops.weights' has 1 weight for 2 providers; give one per "
              "provider, in the same order");
        CHECK(error(pair + "weights = [0, 0]\n") ==
              "t.toml:17: 'channels.ops.weights' needs at least one weight above 0");
        CHECK(error(pair + "weights = [3, -1]\n") ==
              "t.toml:17: 'channels.ops.weights': weight -1 is negative; use 0 for a provider "
              "kept for failover");
        CHECK(error(pair + "weights = [\"3\", \"1\"]\n") ==
              "t.toml:17: 'channels.ops.weights' must be an array of integers, like [3, 1]");
        CHECK(error(pair + "weights = 3\n") ==
              "t.toml:17: 'channels.ops.weights' must be an array of integers, like [3, 1]");
        CHECK(error(pair + "weight = [3, 1]\n") ==
              "t.toml:17: unknown key 'channels.ops.weight', did you mean 'weights'?");
    }
}

TEST_CASE("secrets resolve from the environment and files") {
    setenv("NOTIFY_TEST_SECRET", "s3cret", 1);
    CHECK(*resolve_secret("env:NOTIFY_TEST_SECRET") == "s3cret");
    CHECK(*resolve_secret("literal") == "literal");
    CHECK_FALSE(resolve_secret("env:NOTIFY_TEST_UNSET_VARIABLE"));
    CHECK_FALSE(resolve_secret("file:/nonexistent/secret"));
}

TEST_CASE("the HTTP server's limits have defaults and are checked") {
    SECTION("defaults") {
        auto c = parse_config("", "t.toml");
        REQUIRE(c);
        CHECK(c->ingest.max_connections == 1024);
        CHECK(c->ingest.http_idle_timeout == 30000);
        CHECK(c->ingest.http_request_timeout == 30000);
        CHECK(c->ingest.http_max_header_bytes == 16384);
        CHECK(c->ingest.http_max_headers == 100);
        CHECK(c->ingest.http_max_url_bytes == 8192);
    }
    SECTION("values out of range name the key and the line") {
        auto none = parse_config("[ingest]\nmax_connections = 0\n", "t.toml");
        REQUIRE_FALSE(none);
        CHECK(none.error().message == "t.toml:2: 'ingest.max_connections' must be at least 1");
        auto instant = parse_config("[ingest]\nhttp_request_timeout = \"0s\"\n", "t.toml");
        REQUIRE_FALSE(instant);
        CHECK(instant.error().message ==
              "t.toml:2: 'ingest.http_request_timeout' must be at least 1s");
        CHECK_FALSE(parse_config("[ingest]\nhttp_max_headers = -1\n", "t.toml"));
        CHECK_FALSE(parse_config("[ingest]\nhttp_idle_timeout = \"500ms\"\n", "t.toml"));
    }
}

TEST_CASE("email tracking is off by default and its links' base is checked when on") {
    auto c = parse_config("[ingest]\nhttp = \"127.0.0.1:9000\"\n", "t.toml");
    REQUIRE(c);
    CHECK_FALSE(c->tracking.opens);
    CHECK_FALSE(c->tracking.clicks);
    CHECK(c->tracking.url == "http://127.0.0.1:9000/v1/track");
    CHECK(c->tracking.secret.empty());

    auto on = parse_config("[tracking]\nclicks = true\nurl = \"https://t.example.com/v1/track\"\n",
                           "t.toml");
    REQUIRE(on);
    CHECK(on->tracking.clicks);
    CHECK_FALSE(on->tracking.opens);

    auto bad = parse_config("[tracking]\nopens = true\nurl = \"t.example.com/track\"\n", "t.toml");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message == "t.toml:3: 'tracking.url' must be an http:// or https:// address");
}

TEST_CASE("a config path that is not a regular file is refused, not read as defaults") {
    SECTION("a directory") {
        auto c = load_config("/tmp");
        REQUIRE_FALSE(c);
        CHECK(c.error().kind == ErrorKind::no_input);
        CHECK(c.error().message == "cannot read config '/tmp': is a directory");
    }
    SECTION("a device") {
        auto c = load_config("/dev/null");
        REQUIRE_FALSE(c);
        CHECK(c.error().kind == ErrorKind::no_input);
        CHECK(c.error().message == "cannot read config '/dev/null': not a regular file");
    }
    SECTION("a missing file") {
        auto c = load_config("/nonexistent/notify.toml");
        REQUIRE_FALSE(c);
        CHECK(c.error().kind == ErrorKind::no_input);
    }
    SECTION("an empty --config") {
        auto c = load_config("", true);
        REQUIRE_FALSE(c);
        CHECK(c.error().kind == ErrorKind::no_input);
        CHECK(c.error().message == "cannot read config '': --config names no file");
    }
}

TEST_CASE("recipient limits and schedules' settings are read and checked") {
    auto c = parse_config(
        "[recipient_limits]\n\"one-time-code\" = [\"5/1h\", \"10/1d\"]\n\"*\" = \"100/1d\"\n"
        "[schedules]\nmisfire_grace = \"30s\"\nmisfire_cap = 10\n",
        "t.toml");
    REQUIRE(c);
    REQUIRE(c->recipient_limits_of("one-time-code").size() == 2);
    CHECK(c->recipient_limits_of("one-time-code")[1].period == 86'400'000);
    CHECK(c->recipient_limits_of("marketing")[0].count == 100);
    CHECK(c->schedules.misfire_grace == 30'000);
    CHECK(c->schedules.misfire_cap == 10);
    CHECK(parse_config("", "t.toml")->recipient_limits_of("one-time-code").empty());
    auto bad = parse_config("[recipient_limits]\notp = [\"5 an hour\"]\n", "t.toml");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message.find("'recipient_limits.otp'") != std::string::npos);
    CHECK_FALSE(parse_config("[recipient_limits]\notp = 5\n", "t.toml"));
    CHECK_FALSE(parse_config("[schedules]\nmisfire_cap = 5000\n", "t.toml"));
    CHECK_FALSE(parse_config("[schedules]\nmax = 0\n", "t.toml"));
}

TEST_CASE("ingest talks to one router or several; the lease on the deliveries", "[config]") {
    const std::string a = "tcp://10.0.0.1:7102", b = "tcp://10.0.0.2:7102";
    auto own = parse_config("[router]\ncontrol = \"" + a + "\"\n", "t.toml");
    REQUIRE(own);
    CHECK(own->ingest.router == std::vector<std::string>{a});
    auto two = parse_config("[ingest]\nrouter = [\"" + a + "\", \"" + b + "\"]\n", "t.toml");
    REQUIRE(two);
    CHECK(two->ingest.router == std::vector<std::string>{a, b});
    auto twice = parse_config("[ingest]\nrouter = [\"" + a + "\", \"" + a + "\"]\n", "t.toml");
    REQUIRE_FALSE(twice);
    CHECK(twice.error().message == "t.toml:2: 'ingest.router' names '" + a + "' twice");
    auto lease = parse_config("[router]\npartition_lease = \"2s\"\n", "t.toml");
    REQUIRE(lease);
    CHECK(lease->router.partition_lease == 2000);
    for (const char* bad : {"500ms", "11m"}) {
        auto refused =
            parse_config(std::string("[router]\npartition_lease = \"") + bad + "\"\n", "t.toml");
        REQUIRE_FALSE(refused);
        CHECK(refused.error().message ==
              "t.toml:2: 'router.partition_lease' must be between 1s and 10m");
    }
    auto partitions = parse_config("[router]\npartitions = 16\n", "t.toml");
    REQUIRE(partitions);
    CHECK(partitions->router.partitions == 16);
    for (const char* bad : {"0", "257", "-1"}) {
        auto refused = parse_config(std::string("[router]\npartitions = ") + bad + "\n", "t.toml");
        REQUIRE_FALSE(refused);
        CHECK(refused.error().message == "t.toml:2: 'router.partitions' must be between 1 and 256");
    }
}

TEST_CASE("a worker serves one router or several", "[config]") {
    const std::string a = "tcp://10.0.0.1:7101", b = "tcp://10.0.0.2:7101";
    const std::string key_a = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
    const std::string key_b = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    const std::string secret = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";
    SECTION("a string is one endpoint, an array several") {
        auto one = parse_config("[worker]\nrouter = \"" + a + "\"\n", "t.toml");
        REQUIRE(one);
        CHECK(one->worker.routers == std::vector<std::string>{a});
        auto two = parse_config("[worker]\nrouter = [\"" + a + "\", \"" + b + "\"]\n", "t.toml");
        REQUIRE(two);
        CHECK(two->worker.routers == std::vector<std::string>{a, b});
    }
    SECTION("one router key for all, or one for each") {
        const std::string head = "[worker]\nrouter = [\"" + a + "\", \"" + b +
                                 "\"]\ncurve_secret_key = \"" + secret + "\"\n";
        auto shared = parse_config(head + "router_public_key = \"" + key_a + "\"\n", "t.toml");
        REQUIRE(shared);
        CHECK(shared->worker.router_public_keys == std::vector<std::string>{key_a});
        auto each = parse_config(
            head + "router_public_key = [\"" + key_a + "\", \"" + key_b + "\"]\n", "t.toml");
        REQUIRE(each);
        CHECK(each->worker.router_public_keys == std::vector<std::string>{key_a, key_b});
        auto three = parse_config(head + "router_public_key = [\"" + key_a + "\", \"" + key_b +
                                      "\", \"" + key_a + "\"]\n",
                                  "t.toml");
        REQUIRE_FALSE(three);
        CHECK(three.error().message.rfind("t.toml:4: 'worker.router_public_key' lists 3 keys for "
                                          "the 2 routers",
                                          0) == 0);
        auto bad =
            parse_config(head + "router_public_key = [\"" + key_a + "\", \"nope\"]\n", "t.toml");
        REQUIRE_FALSE(bad);
        CHECK(bad.error().message.find("'nope' is not") != std::string::npos);
    }
    SECTION("notifyctl asks one ingest or several") {
        auto two = parse_config("[ingest]\nlisten = \"" + a + "\"\n[notifyctl]\ningest = [\"" + a +
                                    "\", \"" + b + "\"]\n",
                                "t.toml");
        REQUIRE(two);
        CHECK(two->notifyctl.ingest == std::vector<std::string>{a, b});
        auto twice =
            parse_config("[notifyctl]\ningest = [\"" + b + "\", \"" + b + "\"]\n", "t.toml");
        REQUIRE_FALSE(twice);
        CHECK(twice.error().message == "t.toml:2: 'notifyctl.ingest' names '" + b + "' twice");
    }
    SECTION("the environment separates them with commas, spaces around them ignored") {
        setenv("NOTIFY_WORKER_ROUTER", (a + ", " + b).c_str(), 1);
        auto c = parse_config("", "t.toml");
        unsetenv("NOTIFY_WORKER_ROUTER");
        REQUIRE(c);
        CHECK(c->worker.routers == std::vector<std::string>{a, b});
        auto comma = parse_config("[worker]\nrouter = [\"ipc:///run/a,b\"]\n", "t.toml");
        REQUIRE_FALSE(comma);
        CHECK(comma.error().message ==
              "t.toml:2: 'worker.router': 'ipc:///run/a,b' holds a comma, which no element may");
    }
    SECTION("mistakes in the list") {
        auto twice = parse_config("[worker]\nrouter = [\"" + a + "\", \"" + a + "\"]\n", "t.toml");
        REQUIRE_FALSE(twice);
        CHECK(twice.error().message == "t.toml:2: 'worker.router' names '" + a + "' twice");
        auto none = parse_config("[worker]\nrouter = []\n", "t.toml");
        REQUIRE_FALSE(none);
        CHECK(none.error().message.find("at least one endpoint") != std::string::npos);
        auto empty = parse_config("[worker]\nrouter = [\"" + a + "\", \"\"]\n", "t.toml");
        REQUIRE_FALSE(empty);
        CHECK(empty.error().message.find("an empty endpoint") != std::string::npos);
        auto number = parse_config("[worker]\nrouter = 7101\n", "t.toml");
        REQUIRE_FALSE(number);
        CHECK(number.error().message.find("a string or an array of strings") != std::string::npos);
        auto shares = parse_config(
            "[worker]\nconcurrency = 1\nrouter = [\"" + a + "\", \"" + b + "\"]\n", "t.toml");
        REQUIRE_FALSE(shares);
        CHECK(shares.error().message.find("names 2 routers, more than 'worker.concurrency' (1)") !=
              std::string::npos);
    }
}

TEST_CASE("the CURVE settings are checked together", "[curve][config]") {
    const std::string secret = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";
    const std::string worker = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
    SECTION("none by default") {
        auto c = parse_config("", "t.toml");
        REQUIRE(c);
        CHECK(c->router.curve_secret_key.empty());
        CHECK(c->router.curve_workers.empty());
        CHECK(c->worker.curve_secret_key.empty());
    }
    SECTION("a router's key and the workers it lets in") {
        auto c = parse_config("[router]\ncurve_secret_key = \"" + secret +
                                  "\"\ncurve_workers = [\"" + worker + "\", \"" + worker + "\"]\n",
                              "t.toml");
        REQUIRE(c);
        CHECK(c->router.curve_secret_key == secret);
        CHECK(c->router.curve_workers == std::vector<std::string>{worker, worker});
        auto ref = parse_config(
            "[router]\ncurve_secret_key = \"file:/etc/notify/router.key\"\n"
            "curve_workers = [\"" +
                worker + "\"]\n",
            "t.toml");
        CHECK(ref);
    }
    SECTION("mistakes name the key and show no secret") {
        auto none = parse_config("[router]\ncurve_secret_key = \"" + secret + "\"\n", "t.toml");
        REQUIRE_FALSE(none);
        CHECK(none.error().message.find("'router.curve_workers' must list") != std::string::npos);
        auto short_key = parse_config("[router]\ncurve_secret_key = \"" + secret.substr(1) +
                                          "\"\ncurve_workers = [\"" + worker + "\"]\n",
                                      "t.toml");
        REQUIRE_FALSE(short_key);
        CHECK(short_key.error().message.rfind("t.toml:2: 'router.curve_secret_key' must be", 0) ==
              0);
        CHECK(short_key.error().message.find(secret.substr(1)) == std::string::npos);
        auto bad_worker = parse_config(
            "[router]\ncurve_secret_key = \"" + secret + "\"\ncurve_workers = [\"x\"]\n", "t.toml");
        REQUIRE_FALSE(bad_worker);
        CHECK(bad_worker.error().message.find("router.curve_workers") != std::string::npos);
        auto workers_alone =
            parse_config("[router]\ncurve_workers = [\"" + worker + "\"]\n", "t.toml");
        REQUIRE_FALSE(workers_alone);
        CHECK(workers_alone.error().message.find("needs 'router.curve_secret_key'") !=
              std::string::npos);
        auto half = parse_config("[worker]\ncurve_secret_key = \"" + secret + "\"\n", "t.toml");
        REQUIRE_FALSE(half);
        CHECK(half.error().message.rfind("t.toml:2: ", 0) == 0);  // the key that is set
        CHECK(half.error().message.find("set together") != std::string::npos);
        auto bad_router_key =
            parse_config("[worker]\ncurve_secret_key = \"" + secret + "\"\nrouter_public_key = \"" +
                             worker.substr(2) + "\"\n",
                         "t.toml");
        REQUIRE_FALSE(bad_router_key);
        CHECK(bad_router_key.error().message.rfind("t.toml:3: 'worker.router_public_key' must be",
                                                   0) == 0);
    }
    SECTION("a key read when the daemon starts is checked then") {
        setenv("NOTIFY_TEST_CURVE_KEY", secret.c_str(), 1);
        CHECK(resolve_key("env:NOTIFY_TEST_CURVE_KEY", "router.curve_secret_key").value_or("") ==
              secret);
        setenv("NOTIFY_TEST_CURVE_KEY", "short", 1);
        auto bad = resolve_key("env:NOTIFY_TEST_CURVE_KEY", "router.curve_secret_key");
        REQUIRE_FALSE(bad);
        CHECK(bad.error().message.find("'router.curve_secret_key' must be") != std::string::npos);
        CHECK(bad.error().message.find("short") == std::string::npos);
        CHECK(bad.error().message.find("env:NOTIFY_TEST_CURVE_KEY holds 5 characters") !=
              std::string::npos);
        auto missing = resolve_key("env:NOTIFY_TEST_CURVE_UNSET", "worker.curve_secret_key");
        REQUIRE_FALSE(missing);
        CHECK(missing.error().message.find("worker.curve_secret_key") != std::string::npos);
        unsetenv("NOTIFY_TEST_CURVE_KEY");
    }
}
