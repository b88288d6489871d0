// util/redact: how a secret is shown when it must be named.
#include <catch2/catch.hpp>

#include "util/log.hpp"
#include "util/redact.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "test_speed.hpp"

using namespace notify::util;

namespace {
// What log::write prints for `text`, read back from stderr.
std::string written(const std::string& text) {
    std::FILE* f = std::tmpfile();
    REQUIRE(f);
    int saved = ::dup(2);
    ::dup2(::fileno(f), 2);
    notify::log::write(notify::log::Level::error, "", text);
    ::dup2(saved, 2);
    ::close(saved);
    std::rewind(f);
    std::string out;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
    std::fclose(f);
    return out;
}
}  // namespace

TEST_CASE("a secret is shown masked, a reference to one as it is", "[util]") {
    CHECK(masked_secret("hunter2") == "********");
    CHECK(masked_secret("env:HOOK_SECRET") == "env:HOOK_SECRET");
    CHECK(masked_secret("file:/etc/notify/token") == "file:/etc/notify/token");
    CHECK(masked_secret("") == "");
}

TEST_CASE("URLs lose their passwords wherever they are", "[util]") {
    CHECK(without_password("https://user:pass@example.com/x") ==
          "https://user:********@example.com/x");
    CHECK(without_password("smtp://a:p@ss@127.0.0.1:25") == "smtp://a:********@127.0.0.1:25");
    CHECK(without_password("not a valid URL 'ftp://u:s3cret@h/' here, http://h/a@b") ==
          "not a valid URL 'ftp://u:********@h/' here, http://h/a@b");
    CHECK(without_password("https://user@example.com/") == "https://user@example.com/");
    CHECK(without_password("http://127.0.0.1:8025/v1") == "http://127.0.0.1:8025/v1");
    CHECK(without_password("plain text") == "plain text");
}

TEST_CASE("log lines hide the secrets they were told of, and URL passwords", "[util]") {
    notify::log::never_show("tok-8842-secret");
    notify::log::never_show("abc");  // too short to hide without hiding words
    CHECK(
        notify::log::hidden_secrets("GET https://api.example.com/bottok-8842-secret/send failed") ==
        "GET https://api.example.com/bot********/send failed");
    CHECK(notify::log::hidden_secrets("tok-8842-secret tok-8842-secret") == "******** ********");
    CHECK(notify::log::hidden_secrets("smtp://ops:pw@127.0.0.1 abc") ==
          "smtp://ops:********@127.0.0.1 abc");
}

TEST_CASE("a long line full of \"://\" is hidden in linear time", "[util]") {
    std::string line;
    line.reserve(1 << 20);
    for (int i = 0; i < 100000; ++i) line += "ab://cdefg";
    line += "https://u:pw@127.0.0.1/";
    line.resize(1 << 20, 'x');
    auto started = std::chrono::steady_clock::now();
    std::string plain = without_password(line);
    std::string hidden = notify::log::hidden_secrets(line);
    std::string logged = written(line);
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    CHECK(took.count() < 1.0 * notify::test::kSlowdown);
    CHECK(plain.size() == line.size() + 6);  // "pw" became "********"
    CHECK(plain.find("u:********@127.0.0.1/") != std::string::npos);
    CHECK(hidden == plain);
    CHECK(logged.size() < notify::log::kMaxLine + 32);
}

TEST_CASE("a cut log line hides a secret or a password that crosses the cut", "[util]") {
    notify::log::never_show("cut-5512-secret-value");
    notify::log::set_program("p");
    // A secret or a password over the cut shows as a part of "********" at most.
    for (size_t lead = 4000; lead < 4100; ++lead) {
        std::string text(lead, 'a');
        text += " cut-5512-secret-value https://u:longpassword@127.0.0.1/ ";
        text += std::string(10000, 'b');
        std::string line = written(text);
        INFO(lead);
        CHECK(line.find("cut-") == std::string::npos);
        CHECK(line.find("longp") == std::string::npos);
        CHECK(line.find(" bytes more)\n") != std::string::npos);
    }
    // What is left out is counted as given when nothing after the cut is hidden.
    std::string text = "https://h/" + std::string(10000, 'a');
    std::string kept = "p: error: " + text.substr(0, notify::log::kMaxLine - 10);
    CHECK(written(text) ==
          kept + "...(" + std::to_string(text.size() - (kept.size() - 10)) + " bytes more)\n");
}
