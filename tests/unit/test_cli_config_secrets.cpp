// Secrets in `notifyctl config show` and in messages: every key that a provider
// type declares secret (channels/registry.hpp) and every global key declared
// secret (preferences.unsubscribe_secret) is shown masked, in text and --json,
// whatever the key is called; the other keys are shown as they are.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <set>

#include "config.hpp"
#include "provider_type.hpp"
#include "providers/shown_settings.hpp"
#include "test_cli_helpers.hpp"

using notify::cli::test::notifyctl;
using notify::cli::test::ScratchDir;

namespace {

struct Declared {
    std::string type, key;
    bool secret;
    std::string value;  // unique, so that finding it in the output means it leaked
};

std::vector<Declared> every_declared_key() {
    std::vector<Declared> out;
    for (const auto& type : notify::known_types()) {
        const auto* keys = notify::provider_keys(type);
        REQUIRE(keys);
        for (const auto& k : *keys)
            out.push_back(
                {type, k.name, k.secret, (k.secret ? "s3cr3t-" : "plain-") + type + "-" + k.name});
    }
    return out;
}

// One provider per type with every declared key set; secrets as `form` makes them.
std::string config_with(const std::vector<Declared>& keys,
                        std::string (*form)(const std::string& value)) {
    std::string toml = "[preferences]\nunsubscribe_secret = \"s3cr3t-unsubscribe\"\n";
    std::string type;
    for (const auto& k : keys) {
        if (k.type != type) {
            type = k.type;
            toml += "[providers.p-" + type + "]\ntype = \"" + type + "\"\n";
        }
        toml += k.key + " = " + (k.secret ? form(k.value) : "\"" + k.value + "\"") + "\n";
    }
    return toml;
}

std::string as_string(const std::string& v) {
    return "\"" + v + "\"";
}
std::string as_table(const std::string& v) {
    return "{ Authorization = \"Bearer " + v + "\", n = 42 }";
}

void check_masked(const std::string& file, const std::vector<Declared>& keys) {
    for (bool json : {false, true}) {
        std::vector<std::string> args = {"--config", file, "config", "show"};
        if (json) args.push_back("--json");
        auto r = notifyctl(args);
        INFO((json ? "--json: " : "text: ") << r.err);
        REQUIRE(r.rc == 0);
        if (json) REQUIRE_NOTHROW(nlohmann::json::parse(r.out));
        CHECK(r.out.find("s3cr3t-unsubscribe") == std::string::npos);
        for (const auto& k : keys) {
            INFO(k.type << "." << k.key);
            if (k.secret)
                CHECK(r.out.find(k.value) == std::string::npos);
            else
                CHECK(r.out.find(k.value) != std::string::npos);  // not everything masked
        }
    }
}

}  // namespace

TEST_CASE("config show masks every secret each provider type declares", "[cli][secrets]") {
    auto keys = every_declared_key();
    std::set<std::string> secret_names;
    for (const auto& k : keys)
        if (k.secret) secret_names.insert(k.key);
    // The keys that were once shown in clear are among the declared secrets.
    for (const char* name : {"access_key_secret", "app_secret", "corp_secret", "bot_token",
                             "auth_token", "access_token", "headers", "secret_key", "password"})
        CHECK(secret_names.count(name) == 1);
    ScratchDir dir;
    SECTION("secrets written as text") {
        check_masked(dir.write("notify.toml", config_with(keys, as_string)), keys);
    }
    SECTION("secrets written as tables (webhook headers), every value masked") {
        check_masked(dir.write("notify.toml", config_with(keys, as_table)), keys);
    }
    SECTION("the shape of what is shown") {
        std::string f = dir.write("notify.toml",
                                  "[preferences]\nunsubscribe_secret = \"s3cr3t-unsubscribe\"\n"
                                  "[providers.hook]\ntype = \"webhook\"\n"
                                  "url = \"https://ops:pa55word@127.0.0.1:9/hook\"\n"
                                  "secret = \"env:HOOK_SECRET\"\n"
                                  "headers = { Authorization = \"Bearer abc123\" }\n"
                                  "[providers.chat]\ntype = \"slack\"\n"
                                  "url = \"https://hooks.slack.com/services/T0/B0/XyZ\"\n"
                                  "[channels.webhook]\nproviders = [\"hook\"]\n");
        auto r = notifyctl({"--config", f, "config", "show"});
        REQUIRE(r.rc == 0);
        CHECK(r.out.find("preferences.unsubscribe_secret = ********") != std::string::npos);
        CHECK(r.out.find("providers.hook.url = https://ops:********@127.0.0.1:9/hook") !=
              std::string::npos);
        CHECK(r.out.find("providers.hook.secret = env:HOOK_SECRET") != std::string::npos);
        CHECK(r.out.find("providers.hook.headers = {\"Authorization\":\"********\"}") !=
              std::string::npos);
        CHECK(r.out.find("providers.chat.url = ********") != std::string::npos);
        CHECK(r.out.find("pa55word") == std::string::npos);
        CHECK(r.out.find("abc123") == std::string::npos);
        CHECK(r.out.find("XyZ") == std::string::npos);
        r = notifyctl({"--config", f, "config", "show", "--json"});
        REQUIRE(r.rc == 0);
        auto j = nlohmann::json::parse(r.out);
        CHECK(j["providers"]["hook"]["headers"]["Authorization"] == "********");
        CHECK(j["providers"]["hook"]["secret"] == "env:HOOK_SECRET");
        CHECK(j["providers"]["chat"]["url"] == "********");
        for (const auto& s : j["settings"])
            if (s["key"] == "preferences.unsubscribe_secret") CHECK(s["value"] == "********");
    }
}

TEST_CASE("config check names a bad secret without printing it", "[cli][secrets]") {
    ScratchDir dir;
    auto check = [&](const std::string& provider, const std::string& hidden) {
        std::string f = dir.write("notify.toml", provider + "[channels.c]\nproviders = [\"p\"]\n");
        auto r = notifyctl({"--config", f, "config", "check"});
        INFO(r.err);
        CHECK(r.rc == 65);
        CHECK(r.err.find("provider 'p'") != std::string::npos);
        CHECK(r.err.find(hidden) == std::string::npos);
    };
    SECTION("a URL's password") {
        check("[providers.p]\ntype = \"webhook\"\nurl = \"ftp://ops:pa55word@127.0.0.1/\"\n",
              "pa55word");
        check(
            "[providers.p]\ntype = \"smtp\"\nfrom = \"a@example.com\"\n"
            "url = \"http://ops:pa55word@127.0.0.1/\"\n",
            "pa55word");
    }
    SECTION("a URL that is a secret as a whole") {
        check("[providers.p]\ntype = \"slack\"\nurl = \"ftp://hooks.example.com/T0/B0/XyZ\"\n",
              "XyZ");
    }
    SECTION("a header's value") {
        check(
            "[providers.p]\ntype = \"webhook\"\nurl = \"http://127.0.0.1/\"\n"
            "headers = { Authorization = \"Bearer abc123\\r\\nX: y\" }\n",
            "abc123");
    }
}

TEST_CASE("the worker's log is told every declared secret of every provider", "[cli][secrets]") {
    auto keys = every_declared_key();
    auto config = notify::parse_config(config_with(keys, as_string), "notify.toml");
    REQUIRE(config);
    for (const auto& [name, provider] : config->providers) {
        auto values = notify::providers::secret_values(provider);
        std::set<std::string> got(values.begin(), values.end()), want;
        for (const auto& k : keys)
            if (k.secret && "p-" + k.type == name) want.insert(k.value);
        INFO(name);
        CHECK(got == want);
    }
    // A table's values, and a reference resolved.
    setenv("NOTIFY_TEST_HOOK_SECRET", "from-the-environment", 1);
    auto hook = notify::parse_config(
        "[providers.hook]\ntype = \"webhook\"\nurl = \"http://127.0.0.1/\"\n"
        "secret = \"env:NOTIFY_TEST_HOOK_SECRET\"\n"
        "headers = { Authorization = \"Bearer abc123\" }\n",
        "notify.toml");
    REQUIRE(hook);
    auto values = notify::providers::secret_values(hook->providers.at("hook"));
    CHECK(std::set<std::string>(values.begin(), values.end()) ==
          std::set<std::string>{"from-the-environment", "Bearer abc123"});
    unsetenv("NOTIFY_TEST_HOOK_SECRET");
}
