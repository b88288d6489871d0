// Tests for the webhook payload: the JSON body's fields, a rendered payload sent
// as is, and the signature that receivers verify; and the adapter posting to a
// receiver on the loopback interface.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "channels/adapter.hpp"
#include "channels/registry.hpp"
#include "channels/webhook_payload.hpp"
#include "test_loopback_server.hpp"
#include "util/strings.hpp"

using namespace notify;

namespace {

// An HTTP receiver on 127.0.0.1 that takes one request, keeps it and answers 200.
class OneRequestReceiver {
  public:
    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(server_.port()) + "/hook";
    }
    // The request as received; call after the transfer ended.
    const std::string& request() const { return request_; }

  private:
    void session(int c) {
        char buf[4096];
        size_t want = std::string::npos;
        while (request_.size() < want) {
            ssize_t n = read(c, buf, sizeof buf);
            if (n <= 0) break;
            request_.append(buf, static_cast<size_t>(n));
            size_t end = request_.find("\r\n\r\n");
            if (end != std::string::npos && want == std::string::npos) {
                std::string head = util::to_lower(request_.substr(0, end));
                size_t cl = head.find("content-length:");
                want = end + 4 + (cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 15)));
            }
        }
        const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        (void)!write(c, reply, sizeof reply - 1);
    }

    std::string request_;
    notify::test::LoopbackServer server_{[this](int c) { session(c); }};  // last: it uses request_
};

std::string header_in(const std::string& request, const std::string& name) {
    std::string lower = util::to_lower(request);
    size_t pos = lower.find("\r\n" + util::to_lower(name) + ": ");
    if (pos == std::string::npos) return "<missing>";
    pos += name.size() + 4;
    return request.substr(pos, request.find("\r\n", pos) - pos);
}

}  // namespace

TEST_CASE("webhook signature") {
    // Expected values computed independently:
    //   printf '%s' '1700000000.{"id":"01J0000000000000000000000.1","body":"héllo"}' |
    //     openssl dgst -sha256 -hmac whsec_test
    CHECK(channels::webhook_signature(
              "whsec_test", "1700000000",
              "{\"id\":\"01J0000000000000000000000.1\",\"body\":\"h\xC3\xA9llo\"}") ==
          "sha256=f4982b91303656a54954d9039c20db1e79dd5dbb52cc1997a0cf47294bae5623");
    //   printf '%s' '1700000000.' | openssl dgst -sha256 -hmac k
    CHECK(channels::webhook_signature("k", "1700000000", "") ==
          "sha256=5c2999a43333a6877f49c8003f235c4f6de40f85b1b7414b70bd470a8db53d97");
    CHECK(channels::webhook_signature("k", "1700000001", "") !=
          channels::webhook_signature("k", "1700000000", ""));
}

TEST_CASE("webhook body") {
    wire::Job job;
    job.delivery_id = "01JABC.2";
    job.notification_id = "01JABC";
    job.channel = "ops";
    job.subject = "Deploy done";
    job.body = "build 42 is live";
    job.priority = Priority::high;
    job.created_at = 1700000000000;
    job.attempt = 3;

    SECTION("data stored deeper than the JSON limit is sent as its text, not copied") {
        // Stored before ingest refused such data: copying it recursively would
        // overflow the worker's stack, and the job would kill every worker.
        job.data_json = R"({"k":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
        auto j = nlohmann::json::parse(channels::webhook_body(job));
        CHECK(j["data"] == job.data_json);
    }
    SECTION("the fields, with empty optional ones left out") {
        auto j = nlohmann::json::parse(channels::webhook_body(job));
        CHECK(j["id"] == "01JABC.2");
        CHECK(j["notification_id"] == "01JABC");
        CHECK(j["channel"] == "ops");
        CHECK(j["subject"] == "Deploy done");
        CHECK(j["body"] == "build 42 is live");
        CHECK(j["priority"] == "high");
        CHECK(j["created_at"] == "2023-11-14T22:13:20Z");
        CHECK(j["attempt"] == 3);
        CHECK_FALSE(j.contains("to"));
        CHECK_FALSE(j.contains("data"));
        CHECK_FALSE(j.contains("category"));
        CHECK_FALSE(j.contains("module"));
        CHECK_FALSE(j.contains("user_id"));
        CHECK_FALSE(j.contains("locale"));
        CHECK_FALSE(j.contains("unsubscribe_url"));
    }
    SECTION("data is embedded as an object, and set fields appear") {
        job.to = "https-team";
        job.data_json = R"({"build":42,"tags":["a","b"]})";
        job.category = "deploy";
        job.module = "ci";
        auto j = nlohmann::json::parse(channels::webhook_body(job));
        CHECK(j["to"] == "https-team");
        REQUIRE(j["data"].is_object());
        CHECK(j["data"]["build"] == 42);
        CHECK(j["data"]["tags"][1] == "b");
        CHECK(j["category"] == "deploy");
        CHECK(j["module"] == "ci");
    }
    SECTION("a directory user's delivery says who, in which locale, and how to unsubscribe") {
        job.user_id = "u42";
        job.locale = "zh-CN";
        job.unsubscribe_url = "https://notify.example.com/v1/unsubscribe/t0k";
        auto j = nlohmann::json::parse(channels::webhook_body(job));
        CHECK(j["user_id"] == "u42");
        CHECK(j["locale"] == "zh-CN");
        CHECK(j["unsubscribe_url"] == "https://notify.example.com/v1/unsubscribe/t0k");
        CHECK(j["attempt"] == 3);
    }
    SECTION("a payload rendered from the template is the body, byte for byte") {
        job.payload = "{\"msgtype\":\"text\", \"text\":{\"content\":\"build 42 is live\"}}";
        job.user_id = "u42";
        CHECK(channels::webhook_body(job) == job.payload);
    }
    SECTION("the body starts with the delivery id, in a stable order") {
        CHECK(channels::webhook_body(job).rfind("{\"id\":\"01JABC.2\",\"notification_id\"", 0) ==
              0);
    }
}

TEST_CASE("webhook adapter posts to a receiver") {
    OneRequestReceiver receiver;
    auto config = parse_config("[providers.p]\ntype = \"webhook\"\nurl = \"" + receiver.url() +
                                   "\"\nsecret = \"whsec_test\"\n",
                               "t.toml");
    REQUIRE(config);
    auto adapter = channels::make_adapter(*config->provider("p"), channels::AdapterOptions{});
    REQUIRE(adapter);

    wire::Job job;
    job.delivery_id = "01JABC.1";
    job.notification_id = "01JABC";
    job.channel = "hook";
    job.subject = "ignored when a payload is set";
    job.created_at = 1700000000000;
    SECTION("the rendered payload is sent and signed as is") {
        job.payload = R"({"msg":"disk \"sda\" full","n":3})";
    }
    SECTION("without one the built body is sent") {
        job.user_id = "u7";
    }
    auto started = (*adapter)->start(job);
    REQUIRE(std::holds_alternative<std::unique_ptr<channels::Transfer>>(started));
    auto& transfer = std::get<std::unique_ptr<channels::Transfer>>(started);
    CURLcode result = curl_easy_perform(transfer->handle());
    channels::Attempt attempt = std::get<channels::Attempt>(transfer->finish(result));
    CHECK(attempt.outcome == wire::Outcome::sent);

    const std::string& req = receiver.request();
    std::string body = req.substr(req.find("\r\n\r\n") + 4);
    CHECK(req.rfind("POST /hook HTTP/1.1\r\n", 0) == 0);
    CHECK(header_in(req, "Content-Type") == "application/json");
    CHECK(header_in(req, "X-Notify-Delivery") == "01JABC.1");
    CHECK(body == channels::webhook_body(job));
    if (!job.payload.empty()) CHECK(body == job.payload);
    if (job.payload.empty()) CHECK(nlohmann::json::parse(body)["user_id"] == "u7");
    CHECK(header_in(req, "X-Notify-Signature") ==
          channels::webhook_signature("whsec_test", header_in(req, "X-Notify-Timestamp"), body));
}
