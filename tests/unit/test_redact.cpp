// util/redact: how a secret is shown when it must be named.
#include <catch2/catch.hpp>

#include "util/log.hpp"
#include "util/redact.hpp"

using namespace notify::util;

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
