// Tests for the adapter registry: provider validation messages for each type,
// and the file adapter run through the registry.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "channels/adapter.hpp"
#include "channels/registry.hpp"
#include "provider_type.hpp"
#include "util/strings.hpp"

using namespace notify;

namespace {

// The provider "p" from a TOML table body, as the configuration loader hands it over.
ProviderConfig provider(const std::string& type, const std::string& keys) {
    auto c = parse_config("[providers.p]\ntype = \"" + type + "\"\n" + keys, "t.toml");
    REQUIRE(c);
    return *c->provider("p");
}

std::string problem(const std::string& type, const std::string& keys) {
    auto st = channels::validate_provider(provider(type, keys));
    return st ? std::string("ok") : st.error().message;
}

const std::string kSmtp = "url = \"smtp://127.0.0.1:25\"\nfrom = \"Notify <n@example.com>\"\n";

}  // namespace

TEST_CASE("registry knows its types") {
    const std::vector<std::string> types = {"aliyun-sms",
                                            "apns",
                                            "dingtalk-robot",
                                            "dingtalk-work-notice",
                                            "fcm",
                                            "feishu-bot",
                                            "file",
                                            "inbox",
                                            "jpush",
                                            "onebot",
                                            "slack",
                                            "smtp",
                                            "telegram",
                                            "tencent-sms",
                                            "twilio",
                                            "webhook",
                                            "webpush",
                                            "wechat-template",
                                            "wecom-app",
                                            "wecom-robot"};
    CHECK(known_types() == types);
    CHECK(problem("smpt", kSmtp) == "provider 'p': unknown type 'smpt', did you mean 'smtp'?");
    CHECK(problem("dingtalk-robt", "") ==
          "provider 'p': unknown type 'dingtalk-robt', did you mean 'dingtalk-robot'?");
    CHECK(util::starts_with(problem("pager", ""),
                            "provider 'p': unknown type 'pager' (known types: aliyun-sms, "));
}

TEST_CASE("every place reads a type's facts from its descriptor") {
    for (const ProviderType* t : provider_types()) {
        INFO(t->name);
        CHECK(find_provider_type(t->name) == t);
        // Each descriptor has its adapter: the worker knows every type notifyctl does.
        auto st = channels::validate_provider(provider(t->name, ""));
        CHECK((st || st.error().message.find("unknown type") == std::string::npos));
        CHECK(std::string(t->summary).size() > 5);
        for (const auto& k : t->keys) CHECK(std::string(k.name) != "type");
    }
    CHECK(find_provider_type("pager") == nullptr);
    // How recipients are written, and so where a user's address comes from.
    CHECK(address_kind("smtp") == AddressKind::email);
    for (const char* sms : {"aliyun-sms", "tencent-sms", "twilio"})
        CHECK(address_kind(sms) == AddressKind::phone);
    CHECK(address_kind("apns") == AddressKind::handle);
    CHECK(address_kind("inbox") == AddressKind::user);
    CHECK(address_kind("pager") == AddressKind::handle);
    // The vendors' documented limits, for a provider that sets none.
    auto limit = [](const char* type) {
        std::string out;
        for (const auto& cap : default_rate_limit(type))
            out += std::to_string(cap.count) + "/" + std::to_string(cap.period) + " ";
        return out;
    };
    CHECK(limit("dingtalk-robot") == "20/60000 ");
    CHECK(limit("feishu-bot") == "5/1000 100/60000 ");
    CHECK(limit("telegram") == "30/1000 ");
    CHECK(limit("smtp").empty());
    // Types that send only from templates registered at the vendor.
    std::vector<std::string> vendor_templates;
    for (const ProviderType* t : provider_types())
        if (t->vendor_templates) vendor_templates.emplace_back(t->name);
    CHECK(vendor_templates ==
          std::vector<std::string>{"aliyun-sms", "tencent-sms", "wechat-template"});
    // Secrets, by declaration.
    CHECK(is_secret(find_provider_type("apns")->keys, "key"));
    CHECK(is_secret(find_provider_type("fcm")->keys, "credentials"));
    CHECK(is_secret(find_provider_type("webpush")->keys, "vapid_private_key"));
    CHECK_FALSE(is_secret(find_provider_type("webpush")->keys, "vapid_public_key"));
    CHECK(is_secret(find_provider_type("jpush")->keys, "master_secret"));
}

TEST_CASE("smtp provider validation") {
    CHECK(problem("smtp", kSmtp) == "ok");
    CHECK(problem("smtp", kSmtp + "starttls = \"always\"\ntls_verify = false\ntimeout = \"10s\"\n"
                                  "username = \"u\"\npassword = \"pw\"\n") == "ok");
    CHECK(problem("smtp", "url = \"smtp://127.0.0.1:25\"\n") == "provider 'p': 'from' is missing");
    CHECK(problem("smtp", "from = \"n@example.com\"\n") == "provider 'p': 'url' is missing");
    CHECK(problem("smtp", "url = \"http://127.0.0.1\"\nfrom = \"n@example.com\"\n") ==
          "provider 'p': 'url' must start with smtp:// or smtps://, not 'http://127.0.0.1'");
    CHECK(problem("smtp", "url = \"smtp://exa mple\"\nfrom = \"n@example.com\"\n")
              .find("provider 'p': 'url' is not a valid URL 'smtp://exa mple'") == 0);
    CHECK(problem("smtp", "url = 25\nfrom = \"n@example.com\"\n") ==
          "provider 'p': 'url' must be a string");
    CHECK(problem("smtp", "url = \"smtp://127.0.0.1\"\nfrom = \"Notify <nobody>\"\n") ==
          "provider 'p': 'from': invalid mailbox 'Notify <nobody>': 'nobody' is not an address");
    CHECK(problem("smtp", kSmtp + "starttls = \"allways\"\n") ==
          "provider 'p': 'starttls' must be \"always\", \"never\" or \"opportunistic\", not "
          "'allways', did you mean 'always'?");
    CHECK(problem("smtp", kSmtp + "tls_verify = \"no\"\n") ==
          "provider 'p': 'tls_verify' must be true or false");
    CHECK(problem("smtp", kSmtp + "timeout = \"10 parsecs\"\n")
              .find("provider 'p': 'timeout': invalid duration '10 parsecs'") == 0);
    CHECK(problem("smtp", kSmtp + "timeout = 10\n") ==
          "provider 'p': 'timeout' must be a duration string like \"10s\"");
    CHECK(problem("smtp", kSmtp + "tls_verfy = true\n") ==
          "provider 'p': unknown key 'tls_verfy', did you mean 'tls_verify'?");
    CHECK(problem("smtp", kSmtp + "password = \"pw\"\n") ==
          "provider 'p': 'password' is set but 'username' is missing");
}

TEST_CASE("secret references must resolve") {
    unsetenv("NOTIFY_TEST_NO_SUCH_SECRET");
    CHECK(problem("smtp",
                  kSmtp + "username = \"u\"\npassword = \"env:NOTIFY_TEST_NO_SUCH_SECRET\"\n") ==
          "provider 'p': 'password': environment variable 'NOTIFY_TEST_NO_SUCH_SECRET' is not set");
    setenv("NOTIFY_TEST_SECRET", "s3cret", 1);
    CHECK(problem("webhook",
                  "url = \"https://127.0.0.1/h\"\nsecret = \"env:NOTIFY_TEST_SECRET\"\n") == "ok");
    CHECK(problem("webhook",
                  "url = \"https://127.0.0.1/h\"\nsecret = \"file:/nonexistent/secret\"\n") ==
          "provider 'p': 'secret': cannot read secret file '/nonexistent/secret'");
    auto st = channels::validate_provider(provider(
        "webhook", "url = \"https://127.0.0.1/h\"\nsecret = \"file:/nonexistent/secret\"\n"));
    REQUIRE_FALSE(st);
    CHECK(st.error().field == "secret");
    CHECK(st.error().kind == ErrorKind::invalid);
}

TEST_CASE("max_connections only where attempts take connections of their own") {
    CHECK(problem("webhook", "url = \"https://127.0.0.1/h\"\nmax_connections = 8\n") == "ok");
    CHECK(problem("inbox", "") == "ok");
    auto st = channels::validate_provider(provider("inbox", "max_connections = 8\n"));
    REQUIRE_FALSE(st);
    CHECK(st.error().message ==
          "provider 'p': 'max_connections' does not apply to type 'inbox', whose items the "
          "router writes into the store itself");
    CHECK(st.error().field == "max_connections");
}

TEST_CASE("webhook and file provider validation") {
    CHECK(problem("webhook",
                  "url = \"http://127.0.0.1:8080/hook\"\ntimeout = \"5s\"\n"
                  "headers = { Authorization = \"Bearer x\" }\n") == "ok");
    CHECK(problem("webhook", "") == "provider 'p': 'url' is missing");
    CHECK(problem("webhook", "url = \"ftp://127.0.0.1/x\"\n") ==
          "provider 'p': 'url' must start with http:// or https://, not 'ftp://127.0.0.1/x'");
    CHECK(problem("webhook", "url = \"http://127.0.0.1/\"\nheaders = { X-Team = 5 }\n") ==
          "provider 'p': 'headers.X-Team' must be a string");
    CHECK(problem("webhook", "url = \"http://127.0.0.1/\"\nheaders = \"X-Team: a\"\n") ==
          "provider 'p': 'headers' must be a table of strings");
    CHECK(problem("webhook", "url = \"http://127.0.0.1/\"\nheaders = { \"Bad Name\" = \"a\" }\n") ==
          "provider 'p': 'headers': 'Bad Name' is not a header name");
    CHECK(problem("webhook",
                  "url = \"http://127.0.0.1/\"\nheaders = { X-Notify-Signature = \"a\" }\n") ==
          "provider 'p': 'headers.X-Notify-Signature' is set by the adapter itself");
    CHECK(problem("file", "path = \"/tmp/x.jsonl\"\n") == "ok");
    CHECK(problem("file", "") == "provider 'p': 'path' is missing");
    CHECK(problem("file", "path = \"\"\n") == "provider 'p': 'path' is empty");
}

TEST_CASE("file adapter appends one JSON line per delivery") {
    char tmpl[] = "/tmp/notify-test-file-XXXXXX";
    REQUIRE(mkdtemp(tmpl));
    std::string dir = tmpl;
    std::string path = dir + "/sub/outbox.jsonl";
    auto adapter = channels::make_adapter(provider("file", "path = \"" + path + "\"\n"), {});
    REQUIRE(adapter);

    wire::Job job;
    job.delivery_id = "01JABC.1";
    job.notification_id = "01JABC";
    job.channel = "outbox";
    job.to = "ops@example.com";
    job.subject = "hi";
    job.body = "line\nwith newline";
    job.data_json = R"({"n":1})";
    job.priority = Priority::low;

    for (int i = 0; i < 2; ++i) {
        auto started = (*adapter)->start(job);
        auto* done = std::get_if<channels::Attempt>(&started);
        REQUIRE(done);
        CHECK(done->outcome == wire::Outcome::sent);
        CHECK(done->provider_message_id == job.delivery_id);
        job.delivery_id = "01JABC.2";
    }
    std::ifstream in(path);
    std::string line;
    std::vector<nlohmann::json> lines;
    while (std::getline(in, line)) lines.push_back(nlohmann::json::parse(line));
    REQUIRE(lines.size() == 2);
    CHECK(lines[0]["id"] == "01JABC.1");
    CHECK(lines[1]["id"] == "01JABC.2");
    CHECK(lines[0]["body"] == "line\nwith newline");
    CHECK(lines[0]["data"]["n"] == 1);
    CHECK(lines[0]["priority"] == "low");
    CHECK_FALSE(lines[0].contains("html"));
    CHECK(lines[0]["at"].get<std::string>().back() == 'Z');

    SECTION("an I/O error is retryable with the errno text") {
        auto bad =
            channels::make_adapter(provider("file", "path = \"/dev/null/x/out.jsonl\"\n"), {});
        REQUIRE(bad);
        auto started = (*bad)->start(job);
        auto* done = std::get_if<channels::Attempt>(&started);
        REQUIRE(done);
        CHECK(done->outcome == wire::Outcome::retryable);
        CHECK(done->message.find("Not a directory") != std::string::npos);
    }
    std::remove(path.c_str());
    rmdir((dir + "/sub").c_str());
    rmdir(dir.c_str());
}

TEST_CASE("curl adapters hand back a prepared transfer") {
    auto hook = channels::make_adapter(provider("webhook", "url = \"http://127.0.0.1:9/h\"\n"), {});
    REQUIRE(hook);
    wire::Job job;
    job.delivery_id = "01JABC.1";
    job.to = "ops@example.com";
    auto started = (*hook)->start(job);
    auto* transfer = std::get_if<std::unique_ptr<channels::Transfer>>(&started);
    REQUIRE(transfer);
    REQUIRE((*transfer)->handle() != nullptr);

    auto mail = channels::make_adapter(provider("smtp", kSmtp), {});
    REQUIRE(mail);
    SECTION("an SMTP job without a usable address ends at once, permanently") {
        job.to = "not an address";
        auto refused = (*mail)->start(job);
        auto* done = std::get_if<channels::Attempt>(&refused);
        REQUIRE(done);
        CHECK(done->outcome == wire::Outcome::permanent);
        CHECK(done->message == "invalid recipient address 'not an address'");
    }
    SECTION("a valid one becomes a transfer") {
        auto s = (*mail)->start(job);
        CHECK(std::holds_alternative<std::unique_ptr<channels::Transfer>>(s));
    }
}
