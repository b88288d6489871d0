// notifyctl and sends to users and groups: send prints the id (and says when a
// send waits for approval), --wait follows a fan-out through approval and
// expansion, approve and reject shape their requests, status shows the
// fan-out and ls lists what waits for approval. An in-test ZeroMQ ROUTER
// stands in for notify-ingest.
#include <CLI/CLI.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
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
using notify::cli::test::Outcome;
using notify::cli::test::ScratchDir;
using Setup = notify::cli::test::IngestSetup;

namespace {

json fanout(const std::string& state, std::int64_t total, std::int64_t expanded) {
    return {{"state", state},        {"total", total},        {"expanded", expanded},
            {"decided_by", nullptr}, {"decided_at", nullptr}, {"reason", nullptr}};
}

json delivery(const std::string& id, const std::string& user, const std::string& state) {
    return {{"id", id},        {"channel", "email"}, {"to", user + "@example.com"},
            {"user_id", user}, {"state", state},     {"attempts", 1},
            {"provider", "m"}, {"last_error", ""}};
}

// `notifyctl approve|reject ARGS...`: through the command table when it has the
// command, else through its setup function as the table would call it.
Outcome decide(const Setup& s, const std::string& verb, const std::vector<std::string>& args) {
    bool registered = false;
    for (const auto& c : notify::cli::commands())
        if (c.name == verb) registered = true;
    if (registered) {
        std::vector<std::string> all = {"--config", s.config, verb};
        all.insert(all.end(), args.begin(), args.end());
        return notifyctl(all);
    }
    std::istringstream in;
    std::ostringstream out, err;
    notify::cli::Context ctx{notify::cli::Globals{}, in, out, err};
    ctx.globals.config_path = s.config;
    CLI::App app{"notifyctl"};
    CLI::App* sub = app.add_subcommand(verb);
    auto runner = verb == "approve" ? notify::cli::setup_approve(*sub, ctx)
                                    : notify::cli::setup_reject(*sub, ctx);
    std::vector<std::string> argv = {verb};
    argv.insert(argv.end(), args.begin(), args.end());
    std::reverse(argv.begin(), argv.end());  // CLI11 takes a vector last argument first
    Outcome o;
    try {
        app.parse(argv);
        o.rc = runner();
    } catch (const CLI::ParseError&) {
        o.rc = notify::cli::exit_usage;
    }
    o.out = out.str();
    o.err = err.str();
    return o;
}

}  // namespace

TEST_CASE("send to users and groups prints the id; a held send says so", "[cli][fanout]") {
    Setup s;
    FakeIngest ingest(s.endpoint, [](const json&) -> json {
        return {{"status", 202},
                {"body",
                 {{"id", "F1"},
                  {"deliveries", json::array()},
                  {"state", "pending-approval"},
                  {"recipients", 12000}}}};
    });
    auto r = notifyctl({"--config", s.config, "send", "--channel", "email", "--to", "user:alice",
                        "--to", "group:ops", "--subject", "s"});
    CHECK(r.rc == 0);
    CHECK(r.out == "F1\n");
    CHECK(r.err.find("'F1' waits for approval (12000 recipients)") != std::string::npos);
    CHECK(r.err.find("notifyctl approve F1") != std::string::npos);
    CHECK(ingest.requests().at(0)["body"]["to"] == json::array({"user:alice", "group:ops"}));

    auto j = notifyctl(
        {"--config", s.config, "--json", "send", "--channel", "email", "--to", "group:ops", "x"});
    CHECK(j.rc == 0);
    CHECK(json::parse(j.out)["recipients"] == 12000);
    CHECK(j.err.empty());
    auto q = notifyctl(
        {"--config", s.config, "-q", "send", "--channel", "email", "--to", "group:ops", "x"});
    CHECK(q.err.empty());
}

TEST_CASE("send --wait follows a fan-out through approval and expansion", "[cli][fanout]") {
    Setup s;
    std::atomic<int> polls{0};
    std::string ending;  // the fan-out state after two polls
    FakeIngest ingest(s.endpoint, [&](const json& q) -> json {
        if (q["method"] == "POST")
            return {{"status", 202},
                    {"body",
                     {{"id", "F2"},
                      {"deliveries", json::array()},
                      {"state", "pending-approval"},
                      {"recipients", 2}}}};
        int n = ++polls;
        json body = {{"id", "F2"}, {"states", json::object()}, {"deliveries", json::array()}};
        if (n == 1) {
            body["fanout"] = fanout("pending-approval", 2, 0);
        } else if (n == 2) {
            body["fanout"] = fanout("expanding", 2, 1);
            body["deliveries"] = {delivery("F2.1", "alice", "queued")};
        } else if (ending == "rejected") {
            body["fanout"] = fanout("rejected", 2, 0);
            body["fanout"]["decided_by"] = "bob";
            body["fanout"]["reason"] = "wrong audience";
        } else if (ending == "empty") {
            body["fanout"] = fanout("done", 0, 0);
        } else if (ending == "pending") {
            body["fanout"] = fanout("pending-approval", 2, 0);
        } else {
            body["fanout"] = fanout("done", 2, 2);
            body["deliveries"] = {delivery("F2.1", "alice", "sent"),
                                  delivery("F2.2", "bob", ending)};
        }
        return {{"status", 200}, {"body", body}};
    });
    auto send = [&](std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"--config", s.config, "send",      "--channel",
                                         "email",    "--to",   "group:ops", "--wait"};
        args.insert(args.end(), extra.begin(), extra.end());
        args.push_back("x");
        return notifyctl(args);
    };
    SECTION("approved, expanded, all sent is 0") {
        ending = "sent";
        auto r = send();
        CHECK(r.rc == 0);
        CHECK(r.out == "F2\n");
        CHECK(r.err.find("'F2' waits for approval") != std::string::npos);
        CHECK(r.err.find("F2.2  bob@example.com  sent") != std::string::npos);
        CHECK(polls >= 3);
    }
    SECTION("a failed delivery is 1") {
        ending = "failed";
        CHECK(send().rc == 1);
    }
    SECTION("a rejected send is 1 and names who refused it and why") {
        ending = "rejected";
        auto r = send();
        CHECK(r.rc == 1);
        CHECK(r.err.find("'F2' was rejected by 'bob': wrong audience; nothing was sent") !=
              std::string::npos);
    }
    SECTION("groups without members end at once with nothing to wait for") {
        ending = "empty";
        auto r = send();
        CHECK(r.rc == 0);
        CHECK(r.err.find("has no deliveries") != std::string::npos);
    }
    SECTION("still waiting for approval after --wait-timeout is 75") {
        ending = "pending";
        auto r = send({"--wait-timeout", "400ms"});
        CHECK(r.rc == 75);
        CHECK(r.err.find("'F2' still waits for approval after 400ms") != std::string::npos);
    }
}

TEST_CASE("approve and reject send the decision and say what happened", "[cli][fanout]") {
    Setup s;
    FakeIngest ingest(s.endpoint, [](const json& q) -> json {
        std::string path = q["path"];
        if (path.find("/NOPE/") != std::string::npos)
            return {{"status", 409},
                    {"body",
                     {{"error",
                       {{"code", "not_pending_approval"},
                        {"message", "notification 'NOPE' is not pending approval"},
                        {"field", nullptr}}}}}};
        bool reject = path.size() > 7 && path.substr(path.size() - 7) == "/reject";
        return {{"status", 200},
                {"body", {{"id", "F3"}, {"state", reject ? "rejected" : "expanding"}}}};
    });
    SECTION("approve") {
        auto r = decide(s, "approve", {"F3"});
        CHECK(r.rc == 0);
        CHECK(r.out == "approved F3 (now expanding)\n");
        json q = ingest.requests().at(0);
        CHECK(q["method"] == "POST");
        CHECK(q["path"] == "/v1/notifications/F3/approve");
        CHECK(q["body"]["by"].is_string());
        CHECK_FALSE(q["body"]["by"].get<std::string>().empty());
        CHECK_FALSE(q["body"].contains("reason"));
    }
    SECTION("reject with a reason") {
        auto r = decide(s, "reject", {"F3", "--reason", "wrong audience"});
        CHECK(r.rc == 0);
        CHECK(r.out == "rejected F3 (now rejected)\n");
        CHECK(ingest.requests().at(0)["body"]["reason"] == "wrong audience");
    }
    SECTION("reject without a reason is a usage error before anything is sent") {
        CHECK(decide(s, "reject", {"F3"}).rc == 64);
        auto blank = decide(s, "reject", {"F3", "--reason", "  "});
        CHECK(blank.rc == 64);
        CHECK(blank.err.find("--reason must not be empty") != std::string::npos);
        CHECK(ingest.requests().empty());
    }
    SECTION("a refusal is one line and exit 65") {
        auto r = decide(s, "approve", {"NOPE"});
        CHECK(r.rc == 65);
        CHECK(r.err.find("approve 'NOPE': notification 'NOPE' is not pending approval") !=
              std::string::npos);
    }
}

TEST_CASE("status shows a fan-out; ls lists sends pending approval", "[cli][fanout]") {
    Setup s;
    FakeIngest ingest(s.endpoint, [](const json& q) -> json {
        json f = fanout("rejected", 12000, 0);
        f["decided_by"] = "bob";
        f["decided_at"] = "2027-01-15T08:00:00Z";
        f["reason"] = "wrong audience";
        json n = {{"id", "F4"},
                  {"channel", "email"},
                  {"priority", "medium"},
                  {"created_at", "2027-01-15T07:00:00Z"},
                  {"to", {"group:all", "user:alice"}},
                  {"states", json::object()},
                  {"deliveries", json::array()},
                  {"fanout", f}};
        if (q["path"] == "/v1/notifications") {
            json held = n;
            held["id"] = "F5";
            held["fanout"] = fanout("pending-approval", 12000, 0);
            return {{"status", 200},
                    {"body", {{"notifications", {held}}, {"next_cursor", nullptr}}}};
        }
        return {{"status", 200}, {"body", n}};
    });
    auto st = notifyctl({"--config", s.config, "status", "F4"});
    CHECK(st.rc == 0);
    CHECK(st.out.find("to:        group:all, user:alice\n") != std::string::npos);
    CHECK(st.out.find("fan-out:   rejected, 12000 recipients\n") != std::string::npos);
    CHECK(st.out.find("decision:  rejected by bob at 2027-01-15T08:00:00Z: wrong audience\n") !=
          std::string::npos);

    CHECK(st.out.find("no deliveries: it was rejected\n") != std::string::npos);

    auto ls = notifyctl({"--config", s.config, "ls", "--status", "pending-approval"});
    CHECK(ls.rc == 0);
    CHECK(ingest.requests().back()["query"]["status"] == "pending-approval");
    CHECK(ls.out.find("F5") != std::string::npos);
    CHECK(ls.out.find("pending-approval") != std::string::npos);

    auto bad = notifyctl({"--config", s.config, "ls", "--status", "pending-aproval"});
    CHECK(bad.rc == 64);
    CHECK(bad.err.find("did you mean 'pending-approval'?") != std::string::npos);
}

TEST_CASE("status and ls show a canceled fan-out", "[cli][fanout]") {
    Setup s;
    FakeIngest ingest(s.endpoint, [](const json& q) -> json {
        json n = {{"id", "F9"},
                  {"channel", "email"},
                  {"priority", "medium"},
                  {"created_at", "2027-01-15T07:00:00Z"},
                  {"to", {"group:all"}},
                  {"states", json::object()},
                  {"deliveries", json::array()},
                  {"fanout", fanout("canceled", 12000, 0)}};
        if (q["path"] == "/v1/notifications")
            return {{"status", 200}, {"body", {{"notifications", {n}}, {"next_cursor", nullptr}}}};
        return {{"status", 200}, {"body", n}};
    });
    auto st = notifyctl({"--config", s.config, "status", "F9"});
    CHECK(st.rc == 0);
    CHECK(st.out.find("fan-out:   canceled, 12000 recipients\n") != std::string::npos);
    CHECK(st.out.find("no deliveries: it was canceled\n") != std::string::npos);

    auto ls = notifyctl({"--config", s.config, "ls", "--status", "canceled"});
    CHECK(ls.rc == 0);
    CHECK(ingest.requests().back()["query"]["status"] == "canceled");
    CHECK(ls.out.find("F9") != std::string::npos);
    CHECK(ls.out.find("canceled") != std::string::npos);
}

TEST_CASE("status names the user of each delivery; a delivery id finds its notification",
          "[cli][fanout]") {
    Setup s;
    FakeIngest ingest(s.endpoint, [](const json&) -> json {
        json n = {{"id", "F6"},
                  {"channel", "email"},
                  {"to", {"group:ops"}},
                  {"states", {{"sent", 1}}},
                  {"deliveries", {delivery("F6.1", "alice", "sent")}},
                  {"fanout", fanout("done", 1, 1)}};
        return {{"status", 200}, {"body", n}};
    });
    auto st = notifyctl({"--config", s.config, "status", "F6"});
    CHECK(st.rc == 0);
    CHECK(st.out.find("fan-out:   done, 1 delivery made for 1 recipient\n") != std::string::npos);
    CHECK(st.out.find("ID    USER   TO") != std::string::npos);
    CHECK(st.out.find("F6.1  alice  alice@example.com  sent") != std::string::npos);

    // A delivery id shows its notification.
    CHECK(notifyctl({"--config", s.config, "status", "F6.1"}).rc == 0);
    CHECK(ingest.requests().back()["path"] == "/v1/notifications/F6");
    CHECK(notifyctl({"--config", s.config, "status", "v1.2-beta"}).rc == 0);
    CHECK(ingest.requests().back()["path"] == "/v1/notifications/v1.2-beta");
}
