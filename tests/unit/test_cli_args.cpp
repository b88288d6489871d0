// Tests for notifyctl's command line: what is refused before anything is sent,
// and with which exit code (64 usage, 65 bad data, 66 missing input file).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "test_cli_helpers.hpp"

using notify::cli::test::notifyctl;
using notify::cli::test::ScratchDir;

TEST_CASE("send refuses a bad priority with a hint", "[cli]") {
    auto r = notifyctl({"send", "--channel", "email", "--priority", "hgh", "hello"});
    CHECK(r.rc == 64);
    CHECK(r.err ==
          "notifyctl: error: --priority: unknown priority 'hgh', did you mean 'high'? "
          "(high, medium or low)\n");
    CHECK(r.out.empty());
}

TEST_CASE("send checks --data", "[cli]") {
    ScratchDir dir;
    SECTION("an array is not an object") {
        auto r = notifyctl({"send", "--channel", "webhook", "--data", "[1,2]", "x"});
        CHECK(r.rc == 65);
        CHECK(r.err.find("--data: must be a JSON object") != std::string::npos);
    }
    SECTION("malformed JSON") {
        auto r = notifyctl({"send", "--channel", "webhook", "--data", "{\"a\":", "x"});
        CHECK(r.rc == 65);
        CHECK(r.err.find("--data: not valid JSON") != std::string::npos);
    }
    SECTION("an object in a file that is not one") {
        std::string f = dir.write("data.json", "\"text\"");
        auto r = notifyctl({"send", "--channel", "webhook", "--data", "@" + f, "x"});
        CHECK(r.rc == 65);
    }
    SECTION("a missing file") {
        auto r = notifyctl(
            {"send", "--channel", "webhook", "--data", "@" + dir.path() + "/none.json", "x"});
        CHECK(r.rc == 66);
        CHECK(r.err.find("cannot read '" + dir.path() + "/none.json'") != std::string::npos);
    }
}

TEST_CASE("send checks its other inputs", "[cli]") {
    ScratchDir dir;
    SECTION("a missing --html file is 66") {
        auto r = notifyctl({"send", "--channel", "email", "--html", "@" + dir.path() + "/x.html"});
        CHECK(r.rc == 66);
    }
    SECTION("a bad --at is bad data") {
        auto r = notifyctl({"send", "--channel", "email", "--at", "tomorrowish", "x"});
        CHECK(r.rc == 65);
        CHECK(r.err.rfind("notifyctl: error: --at: ", 0) == 0);
    }
    SECTION("a bad --expires-in") {
        auto r = notifyctl({"send", "--channel", "email", "--expires-in", "soon", "x"});
        CHECK(r.rc == 64);
        CHECK(r.err.find("--expires-in: 'soon'") != std::string::npos);
    }
    SECTION("nothing to send") {
        auto r = notifyctl({"send", "--channel", "email", "--to", "a@example.com"});
        CHECK(r.rc == 64);
        CHECK(r.err.find("nothing to send") != std::string::npos);
    }
    SECTION("--channel is required") {
        auto r = notifyctl({"send", "hello"});
        CHECK(r.rc == 64);
        CHECK(r.err.find("--channel") != std::string::npos);
    }
}

TEST_CASE("flags that cannot go alone are refused by name", "[cli]") {
    SECTION("--tz needs --at") {
        auto r = notifyctl({"send", "--channel", "email", "--tz", "Asia/Shanghai", "x"});
        CHECK(r.rc == 64);
        CHECK(r.err.find("--tz") != std::string::npos);
        CHECK(r.err.find("--at") != std::string::npos);
    }
    SECTION("--wait-timeout needs --wait") {
        auto r = notifyctl({"send", "--channel", "email", "--wait-timeout", "1m", "x"});
        CHECK(r.rc == 64);
        CHECK(r.err.find("--wait") != std::string::npos);
    }
    SECTION("-q and -v") {
        auto r = notifyctl({"-q", "-v", "queue"});
        CHECK(r.rc == 64);
    }
}

TEST_CASE("unknown commands get a suggestion", "[cli]") {
    auto r = notifyctl({"sned"});
    CHECK(r.rc == 64);
    CHECK(r.err.find("unknown command 'sned', did you mean 'send'?") != std::string::npos);
    r = notifyctl({"apikey", "craete"});
    CHECK(r.rc == 64);
    CHECK(r.err.find("unknown apikey command 'craete', did you mean 'create'?") !=
          std::string::npos);
    r = notifyctl({"config"});
    CHECK(r.rc == 64);
    CHECK(r.err.find("config: missing command: check, show") != std::string::npos);
}

TEST_CASE("commands not in this release are unknown", "[cli]") {
    for (const char* name : {"template", "schedule", "user", "group", "inbox", "approve"}) {
        auto r = notifyctl({name});
        CHECK(r.rc == 64);
    }
}

TEST_CASE("ls checks its filters locally", "[cli]") {
    auto r = notifyctl({"ls", "--status", "faild"});
    CHECK(r.rc == 64);
    CHECK(r.err.find("unknown state 'faild', did you mean 'failed'?") != std::string::npos);
    r = notifyctl({"ls", "--priority", "urgent"});
    CHECK(r.rc == 64);
    r = notifyctl({"ls", "--limit", "0"});
    CHECK(r.rc == 64);
    r = notifyctl({"ls", "--since", "last tuesday"});
    CHECK(r.rc == 65);
    // A range nothing can fall in is refused, not answered with an empty list.
    r = notifyctl({"ls", "--since", "2030-01-02T00:00:00Z", "--until", "2030-01-01T00:00:00Z"});
    CHECK(r.rc == 64);
    CHECK(r.err ==
          "notifyctl: error: ls: --since '2030-01-02T00:00:00Z' (2030-01-02T00:00:00Z) is not "
          "before --until '2030-01-01T00:00:00Z' (2030-01-01T00:00:00Z): nothing could match\n");
    r = notifyctl({"ls", "--since", "now-1h", "--until", "now-1h"});
    CHECK(r.rc == 64);
    // Milliseconds compare as time, not as text: .5s after is a valid range.
    r = notifyctl({"--config", "/nonexistent/notify.toml", "ls", "--since", "2030-01-01T00:00:00Z",
                   "--until", "2030-01-01T00:00:00.500Z"});
    CHECK(r.err.find("nothing could match") == std::string::npos);
}

TEST_CASE("send refuses text that is not UTF-8, naming where it is", "[cli]") {
    auto r = notifyctl({"send", "--channel", "outbox", "--subject", "log", "-"}, "caf\xe9\n");
    CHECK(r.rc == 65);
    CHECK(r.err == "notifyctl: error: send: body is not valid UTF-8 (byte 0xe9 at offset 3)\n");
    r = notifyctl({"send", "--channel", "outbox", "--subject", "ok\xff", "body"});
    CHECK(r.rc == 65);
    CHECK(r.err == "notifyctl: error: send: subject is not valid UTF-8 (byte 0xff at offset 2)\n");
    r = notifyctl({"send", "--channel", "outbox", "--data", "{\"k\":\"\xc0\xaf\"}", "x"});
    CHECK(r.rc == 65);
    CHECK(r.err == "notifyctl: error: send: --data is not valid UTF-8 (byte 0xc0 at offset 6)\n");
    r = notifyctl({"send", "--channel", "outbox", "--to", "a\xfe", "x"});
    CHECK(r.rc == 65);
    CHECK(r.err == "notifyctl: error: send: --to is not valid UTF-8 (byte 0xfe at offset 1)\n");
    // Valid UTF-8 goes on (to fail later here, for want of a config).
    r = notifyctl(
        {"--config", "/nonexistent/notify.toml", "send", "--channel", "outbox", "caf\xc3\xa9"});
    CHECK(r.err.find("UTF-8") == std::string::npos);
}

TEST_CASE("global options", "[cli]") {
    SECTION("--version") {
        auto r = notifyctl({"--version"});
        CHECK(r.rc == 0);
        CHECK(r.out == std::string("notifyctl ") + NOTIFY_VERSION + "\n");
    }
    SECTION("--help shows every command and an example") {
        auto r = notifyctl({"--help"});
        CHECK(r.rc == 0);
        for (const char* name :
             {"send", "status", "ls", "queue", "resend", "cancel", "apikey", "config", "up"})
            CHECK(r.out.find(std::string("  ") + name) != std::string::npos);
        CHECK(r.out.find("notifyctl send --channel") != std::string::npos);
    }
    SECTION("a bad --timeout") {
        auto r = notifyctl({"queue", "--timeout", "forever"});
        CHECK(r.rc == 64);
        CHECK(r.err.find("--timeout: 'forever'") != std::string::npos);
    }
    SECTION("a missing --config file is 66") {
        auto r = notifyctl({"config", "check", "--config", "/nonexistent/notify.toml"});
        CHECK(r.rc == 66);
    }
    SECTION("global options and their values before the command name the command") {
        // Only the named command's options are built: a value that is a
        // command's name must not be taken for the command.
        auto r =
            notifyctl({"--timeout", "2s", "-q", "--config", "send", "--json", "config", "check"});
        CHECK(r.rc == 66);
        CHECK(r.err.find("'send'") != std::string::npos);
        r = notifyctl({"--config=/nonexistent/notify.toml", "config", "check"});
        CHECK(r.rc == 66);
    }
    SECTION("a command's --help shows its own options") {
        auto r = notifyctl({"--json", "send", "--help"});
        CHECK(r.rc == 0);
        CHECK(r.out.find("--channel") != std::string::npos);
        CHECK(r.out.find("--idempotency-key") != std::string::npos);
        r = notifyctl({"-q", "template", "--help"});
        CHECK(r.rc == 0);
        CHECK(r.out.find("render") != std::string::npos);
    }
}

TEST_CASE("config check and show", "[cli]") {
    ScratchDir dir;
    SECTION("a good file") {
        std::string f = dir.write("notify.toml",
                                  "[providers.hook]\ntype = \"webhook\"\n"
                                  "url = \"http://127.0.0.1:9\"\nsecret = \"abc123\"\n"
                                  "[channels.webhook]\nproviders = [\"hook\"]\n");
        auto r = notifyctl({"--config", f, "config", "check"});
        CHECK(r.rc == 0);
        CHECK(r.out == "config OK: " + f + " (1 provider, 1 channel)\n");
        r = notifyctl({"config", "show", "--config", f});
        CHECK(r.rc == 0);
        CHECK(r.out.find("abc123") == std::string::npos);
        CHECK(r.out.find("providers.hook.secret = ********") != std::string::npos);
        CHECK(r.out.find("ingest.listen = ") != std::string::npos);
        r = notifyctl({"config", "show", "--json", "--config", f});
        CHECK(r.rc == 0);
        auto j = nlohmann::json::parse(r.out);
        CHECK(j["providers"]["hook"]["secret"] == "********");
        CHECK(j["channels"]["webhook"]["providers"][0] == "hook");
    }
    SECTION("show gives the keys notify reads itself the values they take by default") {
        std::string f = dir.write("own.toml",
                                  "[providers.hook]\ntype = \"webhook\"\n"
                                  "url = \"http://127.0.0.1:9\"\n"
                                  "[providers.robot]\ntype = \"dingtalk-robot\"\n"
                                  "token = \"t0ken\"\nmax_connections = 4\n"
                                  "[providers.push]\ntype = \"apns\"\nteam_id = \"T\"\n"
                                  "key_id = \"K\"\nkey = \"file:/nonexistent.p8\"\n"
                                  "topic = \"com.example\"\n"
                                  "[channels.webhook]\nproviders = [\"hook\"]\n");
        auto r = notifyctl({"config", "show", "--config", f});
        REQUIRE(r.rc == 0);
        auto line = [&](const std::string& key) {
            auto at = r.out.find("\n" + key + " = ");
            return at == std::string::npos
                       ? std::string()
                       : r.out.substr(at + 1, r.out.find('\n', at + 1) - at - 1);
        };
        CHECK(line("providers.hook.max_connections").find("= 32 ") != std::string::npos);
        CHECK(line("providers.hook.max_connections").find("# default") != std::string::npos);
        CHECK(line("providers.hook.rate_limit").empty());  // the type has none
        CHECK(line("providers.robot.max_connections").find("# " + f) != std::string::npos);
        CHECK(line("providers.robot.rate_limit").find("= 20/1m ") != std::string::npos);
        CHECK(line("providers.robot.rate_limit").find("# default") != std::string::npos);
        CHECK(line("providers.push.max_connections").empty());  // HTTP/2: not held to it
        r = notifyctl({"--json", "config", "show", "--config", f});
        REQUIRE(r.rc == 0);
        auto j = nlohmann::json::parse(r.out);
        // "providers" holds the tables as written, "provider_defaults" the rest.
        CHECK_FALSE(j["providers"]["hook"].contains("max_connections"));
        CHECK(j["provider_defaults"]["hook"]["max_connections"] == 32);
        CHECK(j["providers"]["robot"]["max_connections"] == 4);
        CHECK_FALSE(j["provider_defaults"]["robot"].contains("max_connections"));
        CHECK(j["provider_defaults"]["robot"]["rate_limit"] == "20/1m");
        CHECK(j["providers"]["robot"]["token"] == "********");
        CHECK_FALSE(j["provider_defaults"].contains("push"));
    }
    SECTION("a provider's own settings are checked") {
        std::string f = dir.write("p.toml",
                                  "[providers.hook]\ntype = \"webhook\"\n"
                                  "endpoint = \"http://127.0.0.1:9\"\n"
                                  "[channels.webhook]\nproviders = [\"hook\"]\n");
        auto r = notifyctl({"config", "check", "--config", f});
        CHECK(r.rc == 65);
        CHECK(r.err.rfind("notifyctl: error: " + f + ":1: provider 'hook': ", 0) == 0);
        CHECK(r.out.empty());
    }
    SECTION("every mistake is reported, log.level's too") {
        std::string f = dir.write("two.toml",
                                  "[log]\nlevel = \"verbose\"\n"
                                  "[providers.hook]\ntype = \"webhook\"\n"
                                  "endpoint = \"http://127.0.0.1:9\"\n"
                                  "[providers.chat]\ntype = \"slack\"\nurl = \"ftp://x\"\n"
                                  "[channels.webhook]\nproviders = [\"hook\", \"chat\"]\n");
        auto r = notifyctl({"config", "check", "--config", f});
        CHECK(r.rc == 65);
        CHECK(r.err.find("notifyctl: error: log.level must be debug, info, warning or error, "
                         "not 'verbose'\n") != std::string::npos);
        CHECK(r.err.find("notifyctl: error: " + f + ":3: provider 'hook': ") != std::string::npos);
        CHECK(r.err.find("notifyctl: error: " + f + ":6: provider 'chat': ") != std::string::npos);
        CHECK(r.out.empty());
    }
    SECTION("a bad file names the line") {
        std::string f = dir.write("bad.toml", "[store]\npath = \"/tmp/x.db\"\nbusy = \"5s\"\n");
        auto r = notifyctl({"config", "check", "--config", f});
        CHECK(r.rc == 65);
        CHECK(r.err.find(f + ":3") != std::string::npos);
    }
}

TEST_CASE("apikey works on the store", "[cli]") {
    ScratchDir dir;
    std::string f = dir.write("notify.toml", "[store]\npath = \"" + dir.path() + "/n.db\"\n");
    SECTION("before the store exists there are no keys") {
        auto r = notifyctl({"--config", f, "apikey", "ls"});
        CHECK(r.rc == 0);
        CHECK(r.out.rfind("no API keys", 0) == 0);
        r = notifyctl({"--config", f, "apikey", "revoke", "x"});
        CHECK(r.rc == 65);
    }
    auto r = notifyctl({"--config", f, "apikey", "create", "--scope", "send", "--name", "billing"});
    REQUIRE(r.rc == 0);
    CHECK(r.out.rfind("nk_", 0) == 0);
    CHECK(r.err.find("shown only once") != std::string::npos);
    r = notifyctl({"--config", f, "apikey", "ls", "--json"});
    CHECK(r.rc == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["name"] == "billing");
    CHECK(j["scope"] == "send");
    CHECK(j["revoked_at"].is_null());
    r = notifyctl({"--config", f, "apikey", "create", "--scope", "sned"});
    CHECK(r.rc == 64);
    CHECK(r.err.find("did you mean 'send'?") != std::string::npos);
    r = notifyctl({"--config", f, "apikey", "revoke", "billing"});
    CHECK(r.rc == 0);
    CHECK(r.out == "revoked API key 'billing'\n");
    r = notifyctl({"--config", f, "apikey", "revoke", "billing"});
    CHECK(r.rc == 65);

    SECTION("a key may carry its own limits") {
        r = notifyctl({"--config", f, "apikey", "create", "--scope", "send", "--name", "tight",
                       "--rate-limit", "5/1s", "--recipients-per-day", "20", "--json"});
        REQUIRE(r.rc == 0);
        auto made = nlohmann::json::parse(r.out);
        CHECK(made["rate_limit"] == "5/1s");
        CHECK(made["recipients_per_day"] == 20);
        r = notifyctl(
            {"--config", f, "apikey", "create", "--scope", "send", "--rate-limit", "fast"});
        CHECK(r.rc == 64);
        CHECK(r.err.find("--rate-limit") != std::string::npos);
    }
    SECTION("creating and revoking keys is in the audit log") {
        r = notifyctl({"--config", f, "audit", "--json"});
        REQUIRE(r.rc == 0);
        std::vector<nlohmann::json> entries;
        std::istringstream lines(r.out);
        for (std::string line; std::getline(lines, line);)
            entries.push_back(nlohmann::json::parse(line));
        REQUIRE(entries.size() == 2);
        CHECK(entries[0]["action"] == "apikey.create");
        CHECK(entries[0]["target"] == "billing");
        CHECK_FALSE(entries[0]["actor"].get<std::string>().empty());
        CHECK(entries[1]["action"] == "apikey.revoke");
        r = notifyctl({"--config", f, "audit", "--since", "now+1h"});
        CHECK(r.rc == 0);
        CHECK(r.out == "no audit entries\n");
    }
}
