// Tests for the result frame of a finished attempt: a secret a vendor echoes
// back does not leave the worker.
#include <catch2/catch.hpp>

#include "channels/attempt_result.hpp"
#include "util/log.hpp"

using namespace notify;
using channels::Attempt;

TEST_CASE("a result carries neither a resolved secret nor a URL password", "[worker]") {
    log::never_show("wk-7731-resolved-secret");
    wire::Job job;
    job.delivery_id = "d-1";
    job.attempt = 2;
    job.provider = "hook";
    Attempt a = Attempt::provider_refused(
        "401", "token wk-7731-resolved-secret refused by https://bot:pw9@127.0.0.1/send");
    a.detail = "url=https://127.0.0.1/botwk-7731-resolved-secret/send";
    a.retry_after = 5000;
    a.parts = 3;

    wire::Result r = channels::result_of(job, a);

    CHECK(r.message == "token ******** refused by https://bot:********@127.0.0.1/send");
    CHECK(r.detail == "url=https://127.0.0.1/bot********/send");
    CHECK(wire::encode(r).find("wk-7731-resolved-secret") == std::string::npos);
    CHECK(wire::encode(r).find("pw9") == std::string::npos);
    CHECK(r.delivery_id == "d-1");
    CHECK(r.attempt == 2);
    CHECK(r.provider == "hook");
    CHECK(r.outcome == wire::Outcome::permanent);
    CHECK(r.code == "401");
    CHECK(r.provider_fault);
    CHECK(r.retry_after == 5000);
    CHECK(r.parts == 3);
}

TEST_CASE("a one-time code a vendor quotes back is hidden from the result", "[worker]") {
    wire::Job job;
    job.delivery_id = "d-2";
    job.category = "one-time-code";
    job.data_json = R"({"code":"804213","minutes":5})";
    Attempt a = Attempt::provider_refused("40001", "content 'Your code is 804213' not allowed");
    a.detail = "body=Your code is 804213";

    wire::Result r = channels::result_of(job, a);
    CHECK(r.message == "content 'Your code is [one-time code]' not allowed");
    CHECK(r.detail == "body=Your code is [one-time code]");

    // Another category's data is not a code, nor is what no POST /v1/otp makes.
    job.data_json = R"({"code":"1"})";
    CHECK(channels::result_of(job, Attempt::provider_refused("401", "HTTP 401")).message ==
          "HTTP 401");
    job.data_json = R"({"code":"804213"})";
    job.category = "billing";
    CHECK(channels::result_of(job, a).message == "content 'Your code is 804213' not allowed");
}

TEST_CASE("when a vendor found an address gone travels to the router", "[worker]") {
    wire::Job job;
    job.delivery_id = "d-3";
    wire::Result r = channels::result_of(
        job, Attempt::gone("Unregistered", "http status 410", 1'800'000'000'000));
    CHECK(r.address_gone);
    auto back = wire::decode(wire::encode(r)).result;
    REQUIRE(back);
    CHECK(back->address_gone);
    CHECK(back->gone_since == 1'800'000'000'000);
    CHECK(
        wire::decode(R"({"type":"result","delivery_id":"d","outcome":"permanent","gone_since":-5})")
            .result->gone_since == 0);
}

TEST_CASE("a vendor's message id longer than the store keeps does not reach it", "[worker]") {
    wire::Result r;
    r.delivery_id = "d-4";
    r.provider_message_id = std::string(wire::kMaxProviderMessageId, 'm');
    auto kept = wire::decode(wire::encode(r)).result;
    REQUIRE(kept);
    CHECK(kept->provider_message_id == r.provider_message_id);
    r.provider_message_id += 'm';
    auto dropped = wire::decode(wire::encode(r)).result;
    REQUIRE(dropped);
    CHECK(dropped->provider_message_id.empty());
    CHECK(dropped->outcome == wire::Outcome::sent);
}
