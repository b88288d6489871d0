// Tests for notifyctl against an in-test ZeroMQ ROUTER standing in for
// notify-ingest: the frames it sends, how it reads replies, --wait, and the
// timeout when nothing answers.
#include <catch2/catch.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>
#include <zmq.hpp>

#include "client.hpp"
#include "test_cli_fake_ingest.hpp"
#include "test_cli_helpers.hpp"

using nlohmann::json;
using notify::cli::test::FakeIngest;
using notify::cli::test::notifyctl;
using notify::cli::test::ScratchDir;
using Setup = notify::cli::test::IngestSetup;

namespace {

json delivery(const std::string& id, const std::string& to, const std::string& state) {
    return {{"id", id},
            {"channel", "email"},
            {"to", to},
            {"state", state},
            {"attempts", 1},
            {"provider", "corp-mail"},
            {"provider_message_id", state == "sent" ? json("250 ok") : json(nullptr)},
            {"last_error", state == "failed" ? json("550 no such user") : json(nullptr)}};
}

}  // namespace

TEST_CASE("send sends one HTTP-shaped frame and prints the id", "[cli]") {
    Setup s;
    FakeIngest ingest(s.endpoint, [](const json&) {
        return json::parse(R"({"status": 202, "body": {"id": "01JDTEST", "deliveries": [
            {"id": "01JDTEST.1", "channel": "email", "to": "a@example.com", "state": "queued"}]}})");
    });
    ScratchDir files;
    std::string html = files.write("b.html", "<p>disk</p>");
    auto r = notifyctl({"--config",
                        s.config,
                        "send",
                        "--channel",
                        "email",
                        "--to",
                        "a@example.com",
                        "--to",
                        "b@example.com",
                        "--subject",
                        "disk full",
                        "--html",
                        "@" + html,
                        "--data",
                        "{\"host\":\"db1\"}",
                        "--priority",
                        "high",
                        "--at",
                        "2030-01-02 03:04",
                        "--tz",
                        "Asia/Shanghai",
                        "--expires-in",
                        "90m",
                        "--category",
                        "ops",
                        "--module",
                        "backup",
                        "--bulk",
                        "--idempotency-key",
                        "k1",
                        "-"},
                       "sda1 at 97%\n");
    REQUIRE(r.rc == 0);
    CHECK(r.out == "01JDTEST\n");
    auto reqs = ingest.requests();
    REQUIRE(reqs.size() == 1);
    const json& q = reqs[0];
    CHECK(q["method"] == "POST");
    CHECK(q["path"] == "/v1/notifications");
    CHECK(q["query"] == json::object());
    const json& b = q["body"];
    CHECK(b["channel"] == "email");
    CHECK(b["to"] == json{"a@example.com", "b@example.com"});
    CHECK(b["subject"] == "disk full");
    CHECK(b["body"] == "sda1 at 97%\n");
    CHECK(b["html"] == "<p>disk</p>");
    CHECK(b["data"] == json{{"host", "db1"}});
    CHECK(b["priority"] == "high");
    CHECK(b["send_at"] == "2030-01-01T19:04:00Z");
    CHECK(b["expires_in"] == "1h30m");
    CHECK(b["category"] == "ops");
    CHECK(b["module"] == "backup");
    CHECK(b["bulk"] == true);
    CHECK(b["idempotency_key"] == "k1");

    SECTION("--json prints the 202 body") {
        auto j = notifyctl({"--config", s.config, "--json", "send", "--channel", "email", "x"});
        REQUIRE(j.rc == 0);
        CHECK(json::parse(j.out)["deliveries"][0]["id"] == "01JDTEST.1");
    }
}

TEST_CASE("error replies map to exit codes and one line", "[cli]") {
    Setup s;
    json answer;
    FakeIngest ingest(s.endpoint, [&](const json&) { return answer; });
    SECTION("422 with a field") {
        answer = {{"status", 422},
                  {"body",
                   {{"error",
                     {{"code", "invalid_address"},
                      {"message", "'bob' is not an email address"},
                      {"field", "to"}}}}}};
        auto r =
            notifyctl({"--config", s.config, "send", "--channel", "email", "--to", "bob", "x"});
        CHECK(r.rc == 65);
        CHECK(r.err == "notifyctl: error: send: field 'to': 'bob' is not an email address\n");
        CHECK(r.out.empty());
    }
    SECTION("404 on status") {
        answer = {
            {"status", 404},
            {"body", {{"error", {{"code", "not_found"}, {"message", "no notification 'X'"}}}}}};
        auto r = notifyctl({"--config", s.config, "status", "X"});
        CHECK(r.rc == 65);
        CHECK(r.err == "notifyctl: error: status 'X': no notification 'X'\n");
    }
    SECTION("503 store unavailable is temporary") {
        answer = {{"status", 503},
                  {"body", {{"error", {{"code", "store_unavailable"}, {"message", "busy"}}}}}};
        CHECK(notifyctl({"--config", s.config, "queue"}).rc == 75);
    }
    SECTION("403 is permission denied") {
        answer = {{"status", 403},
                  {"body", {{"error", {{"code", "forbidden"}, {"message", "needs admin"}}}}}};
        CHECK(notifyctl({"--config", s.config, "cancel", "X"}).rc == 77);
    }
    SECTION("a 2xx body that is not the API's shape") {
        answer = {{"status", 200}, {"body", {1, 2, 3}}};
        auto r = notifyctl({"--config", s.config, "queue"});
        CHECK(r.rc == 70);
        CHECK(r.err.rfind("notifyctl: error: queue: unexpected reply", 0) == 0);
    }
    SECTION("a reply that is not the protocol") {
        answer = {{"hello", 1}};
        auto r = notifyctl({"--config", s.config, "queue"});
        CHECK(r.rc == 70);
        CHECK(r.err.find("malformed reply") != std::string::npos);
    }
}

TEST_CASE("nobody answering is 69 within --timeout", "[cli]") {
    Setup s;
    // The socket file is there (a stale file) but nobody listens: no connection
    // comes up, so nothing was sent.
    s.dir.write("ingest.sock", "");
    auto start = std::chrono::steady_clock::now();
    auto r =
        notifyctl({"--config", s.config, "--timeout", "300ms", "send", "--channel", "email", "x"});
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(r.rc == 69);
    CHECK(r.err == "notifyctl: error: notify-ingest is not reachable at '" + s.endpoint +
                       "': no connection within 300ms (is it running? try 'notifyctl up')\n");
    CHECK(took < std::chrono::seconds(3));
}

TEST_CASE("a daemon that takes the request but never answers is 75", "[cli]") {
    Setup s;
    zmq::context_t context{1};
    zmq::socket_t hung{context, zmq::socket_type::router};
    hung.set(zmq::sockopt::linger, 0);
    hung.bind(s.endpoint);
    auto start = std::chrono::steady_clock::now();
    auto r =
        notifyctl({"--config", s.config, "--timeout", "300ms", "send", "--channel", "email", "x"});
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(r.rc == 75);
    CHECK(r.err == "notifyctl: error: notify-ingest at '" + s.endpoint +
                       "' did not answer within 300ms; the notification may "
                       "have been stored (check 'notifyctl ls' before sending again, or use "
                       "--idempotency-key)\n");
    CHECK(took >= std::chrono::milliseconds(250));
    CHECK(took < std::chrono::seconds(3));
    // The request did reach it.
    zmq::pollitem_t item{hung.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(1000));
    CHECK((item.revents & ZMQ_POLLIN) != 0);
    SECTION("a read says so without the warning about storing") {
        auto q = notifyctl({"--config", s.config, "--timeout", "200ms", "queue"});
        CHECK(q.rc == 75);
        CHECK(q.err.find("did not answer within 200ms") != std::string::npos);
        CHECK(q.err.find("may have been stored") == std::string::npos);
    }
}

TEST_CASE("a request over ingest's frame limit is 65 at once, unsent", "[cli]") {
    Setup s;
    // ingest.max_body_bytes = 1024 gives a frame limit of 2 * 1024 + 64 KiB.
    std::string config =
        s.dir.write("small.toml", "runtime_dir = \"" + s.dir.path() + "\"\n[ingest]\nlisten = \"" +
                                      s.endpoint + "\"\nmax_body_bytes = 1024\n");
    FakeIngest ingest(s.endpoint, [](const json&) {
        return json::parse(R"({"status": 202, "body": {"id": "01JDTEST", "deliveries": []}})");
    });
    SECTION("over the limit") {
        auto start = std::chrono::steady_clock::now();
        auto r = notifyctl({"--config", config, "--timeout", "5s", "send", "--channel", "email",
                            std::string(2 * 1024 + 64 * 1024, 'x')});
        CHECK(r.rc == 65);
        CHECK(r.err.find("notifyctl: error: request of ") == 0);
        CHECK(r.err.find(" bytes is over the limit of 67584 (twice ingest.max_body_bytes of "
                         "1024, plus 64 KiB)\n") != std::string::npos);
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
        CHECK(ingest.requests().empty());
    }
    SECTION("within it, the request goes out") {
        auto r = notifyctl(
            {"--config", config, "send", "--channel", "email", std::string(60 * 1024, 'x')});
        CHECK(r.rc == 0);
        CHECK(ingest.requests().size() == 1);
    }
}

TEST_CASE("a missing local socket is 69 at once", "[cli]") {
    Setup s;
    auto start = std::chrono::steady_clock::now();
    auto r = notifyctl({"--config", s.config, "send", "--channel", "email", "x"});
    CHECK(r.rc == 69);
    CHECK(r.err == "notifyctl: error: notify-ingest is not reachable at '" + s.endpoint +
                       "': no such socket (is it running? try 'notifyctl up')\n");
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("read commands shape their requests and output", "[cli]") {
    Setup s;
    FakeIngest ingest(s.endpoint, [](const json& q) -> json {
        std::string path = q["path"];
        if (path == "/v1/queue")
            return {{"status", 200},
                    {"body",
                     {{"queue",
                       {{{"priority", "high"},
                         {"channel", "sms"},
                         {"state", "queued"},
                         {"count", 3},
                         {"oldest", "2030-01-01T00:00:00Z"},
                         {"oldest_age_seconds", 75}}}}}}};
        if (path == "/v1/notifications")
            return {{"status", 200},
                    {"body",
                     {{"notifications",
                       {{{"id", "N1"},
                         {"created_at", "2030-01-01T00:00:00Z"},
                         {"channel", "sms"},
                         {"priority", "high"},
                         {"states", {{"sent", 2}}},
                         {"subject", "hi"}},
                        {{"id", "N2"},
                         {"created_at", "2030-01-01T00:00:01Z"},
                         {"channel", "sms"},
                         {"priority", "low"},
                         {"states", {{"failed", 1}}},
                         {"subject", nullptr}}}},
                      {"next_cursor", "N2"}}}};
        if (path == "/v1/notifications/N1/cancel")
            return {{"status", 200}, {"body", {{"id", "N1"}, {"canceled", 2}, {"in_flight", 0}}}};
        if (path == "/v1/notifications/N2/cancel")
            return {{"status", 200}, {"body", {{"id", "N2"}, {"canceled", 1}, {"in_flight", 1}}}};
        if (path == "/v1/notifications/N3/cancel")
            return {{"status", 200},
                    {"body",
                     {{"id", "N3"}, {"canceled", 0}, {"in_flight", 0}, {"fanout", "canceled"}}}};
        if (path == "/v1/notifications/N1/resend")
            return {{"status", 200}, {"body", {{"id", "N1"}, {"requeued", 1}}}};
        return {{"status", 404}, {"body", {{"error", {{"code", "not_found"}, {"message", path}}}}}};
    });
    SECTION("queue") {
        auto r = notifyctl({"--config", s.config, "queue"});
        CHECK(r.rc == 0);
        CHECK(r.out ==
              "PRIORITY  CHANNEL  STATE   COUNT  OLDEST-AGE\n"
              "high      sms      queued  3      1m15s\n"
              "-- 3 deliveries waiting\n");
        r = notifyctl({"--config", s.config, "queue", "--json"});
        CHECK(json::parse(r.out)["count"] == 3);
    }
    SECTION("ls sends filters as the query and prints JSON Lines") {
        auto r = notifyctl({"--config", s.config, "ls", "--status", "failed", "--channel", "sms",
                            "--since", "2030-01-01T08:00:00+08:00", "--limit", "2", "--json"});
        CHECK(r.rc == 0);
        auto q = ingest.requests().back();
        CHECK(q["method"] == "GET");
        CHECK(q["query"] == json{{"status", "failed"},
                                 {"channel", "sms"},
                                 {"since", "2030-01-01T00:00:00Z"},
                                 {"limit", "2"}});
        CHECK(r.out.find('\n') != std::string::npos);
        std::istringstream lines(r.out);
        std::string line;
        int n = 0;
        while (std::getline(lines, line))
            CHECK(json::parse(line)["id"] == (++n == 1 ? "N1" : "N2"));
        CHECK(n == 2);
        CHECK(r.err.find("--cursor N2") != std::string::npos);
    }
    SECTION("ls as a table") {
        auto r = notifyctl({"--config", s.config, "ls"});
        CHECK(r.out ==
              "ID  CREATED               CHANNEL  PRIORITY  STATES    SUBJECT\n"
              "N1  2030-01-01T00:00:00Z  sms      high      sent:2    hi\n"
              "N2  2030-01-01T00:00:01Z  sms      low       failed:1  -\n");
    }
    SECTION("cancel and resend say what happened") {
        auto r = notifyctl({"--config", s.config, "cancel", "N1"});
        CHECK(r.rc == 0);
        CHECK(r.out == "canceled 2 deliveries of N1\n");
        CHECK(ingest.requests().back()["method"] == "POST");
        r = notifyctl({"--config", s.config, "resend", "N1"});
        CHECK(r.out == "requeued 1 delivery of N1\n");
    }
    SECTION("cancel counts deliveries in flight apart") {
        auto r = notifyctl({"--config", s.config, "cancel", "N2"});
        CHECK(r.rc == 0);
        CHECK(r.out ==
              "canceled 1 delivery of N2; 1 in flight will be canceled if its attempt fails\n");
        r = notifyctl({"--config", s.config, "cancel", "N2", "--json"});
        CHECK(json::parse(r.out) == json{{"id", "N2"}, {"canceled", 1}, {"in_flight", 1}});
    }
    SECTION("cancel says when it stopped a send to users or groups") {
        auto r = notifyctl({"--config", s.config, "cancel", "N3"});
        CHECK(r.rc == 0);
        CHECK(r.out == "canceled 0 deliveries of N3; no more of its recipients will be expanded\n");
    }
}

TEST_CASE("send --wait follows the deliveries to their end", "[cli]") {
    Setup s;
    std::atomic<int> polls{0};
    std::string final_state;
    FakeIngest ingest(s.endpoint, [&](const json& q) -> json {
        if (q["method"] == "POST")
            return {{"status", 202}, {"body", {{"id", "W1"}, {"deliveries", json::array()}}}};
        int n = ++polls;
        std::string second = n < 3 ? "queued" : final_state;
        json states{{"sent", 1}};
        states[second] = states.value(second, 0) + 1;
        return {{"status", 200},
                {"body",
                 {{"id", "W1"},
                  {"states", states},
                  {"deliveries",
                   {delivery("W1.1", "a@example.com", "sent"),
                    delivery("W1.2", "b@example.com", second)}}}}};
    });
    SECTION("all sent is 0") {
        final_state = "sent";
        auto r = notifyctl({"--config", s.config, "send", "--channel", "email", "--wait", "x"});
        CHECK(r.rc == 0);
        CHECK(r.out == "W1\n");
        CHECK(polls == 3);
        CHECK(r.err.find("W1.2  b@example.com  sent") != std::string::npos);
        CHECK(ingest.requests().back()["path"] == "/v1/notifications/W1");
    }
    SECTION("a failed delivery is 1") {
        final_state = "failed";
        auto r = notifyctl({"--config", s.config, "send", "--channel", "email", "--wait", "x"});
        CHECK(r.rc == 1);
        CHECK(r.err.find("W1.2  b@example.com  failed: 550 no such user") != std::string::npos);
    }
    SECTION("suppressed counts as success") {
        final_state = "suppressed";
        CHECK(notifyctl({"--config", s.config, "send", "--channel", "email", "--wait", "x"}).rc ==
              0);
    }
    SECTION("still queued after --wait-timeout is 75") {
        final_state = "queued";
        auto r = notifyctl({"--config", s.config, "send", "--channel", "email", "--wait",
                            "--wait-timeout", "300ms", "x"});
        CHECK(r.rc == 75);
        CHECK(r.err.find("still pending after 300ms") != std::string::npos);
    }
    SECTION("--json prints the deliveries as JSON Lines on stdout") {
        final_state = "expired";
        auto r = notifyctl(
            {"--config", s.config, "--json", "send", "--channel", "email", "--wait", "x"});
        CHECK(r.rc == 1);
        std::istringstream lines(r.out);
        std::string line;
        std::vector<json> got;
        while (std::getline(lines, line)) got.push_back(json::parse(line));
        REQUIRE(got.size() == 3);
        CHECK(got[0]["id"] == "W1");
        CHECK(got[2]["state"] == "expired");
    }
}

TEST_CASE("status prints a summary, deliveries, and events with -v", "[cli]") {
    Setup s;
    FakeIngest ingest(s.endpoint, [](const json&) -> json {
        return {{"status", 200},
                {"body",
                 {{"id", "S1"},
                  {"created_at", "2030-01-01T00:00:00Z"},
                  {"channel", "email"},
                  {"to", {"a@example.com"}},
                  {"subject", "disk"},
                  {"priority", "high"},
                  {"source", "cli"},
                  {"states", {{"failed", 1}}},
                  {"deliveries", {delivery("S1.1", "a@example.com", "failed")}},
                  {"events",
                   {{{"delivery_id", "S1.1"},
                     {"at", "2030-01-01T00:00:01Z"},
                     {"type", "failed"},
                     {"detail", "550"}}}}}}};
    });
    auto r = notifyctl({"--config", s.config, "status", "S1"});
    CHECK(r.rc == 0);
    CHECK(r.out.find("id:        S1\n") != std::string::npos);
    CHECK(r.out.find("priority:  high\n") != std::string::npos);
    CHECK(r.out.find("S1.1  a@example.com  failed  1         corp-mail  550 no such user\n") !=
          std::string::npos);
    CHECK(r.out.find("EVENT") == std::string::npos);
    r = notifyctl({"--config", s.config, "status", "-v", "S1"});
    CHECK(r.out.find("AT                    DELIVERY  EVENT   DETAIL\n") != std::string::npos);
    r = notifyctl({"--config", s.config, "status", "--json", "S1"});
    CHECK(json::parse(r.out)["events"].size() == 1);
}
