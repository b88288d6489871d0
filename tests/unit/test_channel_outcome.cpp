// Tests for outcome classification: HTTP status classes, Retry-After forms,
// error reasons from bodies, SMTP replies and curl failures.
#include <catch2/catch.hpp>

#include "channels/outcome.hpp"

using namespace notify;
using notify::channels::Attempt;
using wire::Outcome;

namespace {
const Millis kNow = 1700000000000;  // Tue, 14 Nov 2023 22:13:20 GMT
}

TEST_CASE("retry-after forms") {
    CHECK(channels::parse_retry_after("120", kNow) == 120000);
    CHECK(channels::parse_retry_after(" 0 ", kNow) == 0);
    CHECK(channels::parse_retry_after("Tue, 14 Nov 2023 22:13:50 GMT", kNow) == 30000);
    CHECK(channels::parse_retry_after("Tuesday, 14-Nov-23 22:14:20 GMT", kNow) == 60000);
    CHECK(channels::parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", kNow) == 0);  // past
    CHECK(channels::parse_retry_after("soon", kNow) == 0);
    CHECK(channels::parse_retry_after("", kNow) == 0);
}

TEST_CASE("http status classes") {
    SECTION("2xx is sent, with the JSON id when it is a string") {
        Attempt a = channels::classify_http(200, R"({"id":"msg-7"})", "", kNow);
        CHECK(a.outcome == Outcome::sent);
        CHECK(a.provider_message_id == "msg-7");
        CHECK(a.code == "200");
        CHECK(channels::classify_http(201, R"({"id":7})", "", kNow).provider_message_id.empty());
        CHECK(channels::classify_http(204, "", "", kNow).outcome == Outcome::sent);
    }
    SECTION("408, 425, 429 and 5xx are retryable") {
        for (long status : {408L, 425L, 429L, 500L, 502L, 503L, 599L}) {
            Attempt a = channels::classify_http(status, "busy", "", kNow);
            CAPTURE(status);
            CHECK(a.outcome == Outcome::retryable);
            CHECK(a.code == std::to_string(status));
            CHECK(a.message == "busy");
        }
    }
    SECTION("Retry-After is honoured") {
        CHECK(channels::classify_http(429, "", "7", kNow).retry_after == 7000);
        CHECK(channels::classify_http(503, "", "Tue, 14 Nov 2023 22:15:20 GMT", kNow).retry_after ==
              120000);
    }
    SECTION("other statuses are permanent, with the body's reason") {
        Attempt a = channels::classify_http(400, R"({"message":"bad channel"})", "", kNow);
        CHECK(a.outcome == Outcome::permanent);
        CHECK(a.code == "400");
        CHECK(a.message == "bad channel");
        CHECK(channels::classify_http(403, R"({"error":"forbidden"})", "", kNow).message ==
              "forbidden");
        CHECK(channels::classify_http(422, R"({"error":{"message":"no such user"}})", "", kNow)
                  .message == "no such user");
        CHECK(channels::classify_http(301, "", "", kNow).outcome == Outcome::permanent);
        CHECK(channels::classify_http(404, "", "", kNow).message == "http status 404");
        CHECK(channels::classify_http(410, "", "60", kNow).retry_after == 0);
    }
    SECTION("a plain body is cut to 200 bytes without splitting a character") {
        std::string body = std::string(199, 'x') + "\xC3\xA9" + std::string(50, 'y');
        Attempt a = channels::classify_http(400, body, "", kNow);
        CHECK(a.message == std::string(199, 'x'));
        CHECK(channels::classify_http(400, std::string(300, 'z'), "", kNow).message.size() == 200);
    }
}

TEST_CASE("smtp replies and curl failures") {
    SECTION("accepted") {
        Attempt a = channels::classify_smtp(CURLE_OK, 250, "2.0.0 Ok: queued", "<id@example.com>");
        CHECK(a.outcome == Outcome::sent);
        CHECK(a.provider_message_id == "<id@example.com>");
        CHECK(a.code == "250");
    }
    SECTION("5xx is permanent with the server's text") {
        Attempt a = channels::classify_smtp(CURLE_SEND_ERROR, 550, "5.1.1 no such user", "<x@y>");
        CHECK(a.outcome == Outcome::permanent);
        CHECK(a.code == "550");
        CHECK(a.message == "5.1.1 no such user");
        CHECK(a.provider_message_id.empty());
    }
    SECTION("4xx is retryable") {
        Attempt a = channels::classify_smtp(CURLE_SEND_ERROR, 451, "try later", "<x@y>");
        CHECK(a.outcome == Outcome::retryable);
        CHECK(a.code == "451");
    }
    SECTION("no reply at all: a curl failure, retryable") {
        Attempt a = channels::classify_smtp(CURLE_COULDNT_CONNECT, 0, "", "<x@y>");
        CHECK(a.outcome == Outcome::retryable);
        CHECK(a.code == "curl:7");
        CHECK(a.message == curl_easy_strerror(CURLE_COULDNT_CONNECT));
        CHECK(channels::curl_failure(CURLE_OPERATION_TIMEDOUT).code == "curl:28");
    }
}
