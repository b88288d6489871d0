// test_json_writer.cpp - JSON written without a document: what the escaping
// gives for every kind of byte, checked against nlohmann's reading and writing,
// and the frames between the daemons read back as they were written.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "util/json_writer.hpp"
#include "wire.hpp"

using namespace notify;

namespace {

std::string as_json(std::string_view s) {
    std::string out;
    util::append_json_string(out, s);
    return out;
}

}  // namespace

TEST_CASE("A JSON string is written as nlohmann writes it, for valid UTF-8") {
    std::string every_ascii;
    for (int c = 1; c < 0x80; ++c) every_ascii += static_cast<char>(c);
    for (std::string s : {std::string(), std::string("plain"), std::string("a\"b\\c/d"),
                          std::string("line\nfeed\r\ttab\b\f"), std::string("nul\0in", 6),
                          every_ascii, std::string("\xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x94\x94"),
                          std::string("\xe2\x80\xa8 \xef\xbf\xbf \xf4\x8f\xbf\xbf")}) {
        INFO(s);
        CHECK(as_json(s) == nlohmann::json(s).dump());
        CHECK(nlohmann::json::parse(as_json(s)).get<std::string>() == s);
    }
}

TEST_CASE("Bytes that are not UTF-8 become U+FFFD and the text still parses") {
    const std::string fffd = "\xef\xbf\xbd";
    struct Case {
        std::string in, out;
    };
    for (const Case& c : {
             Case{"\xff", fffd},                                       // never in UTF-8
             Case{"a\x80z", "a" + fffd + "z"},                         // a lone continuation
             Case{"\xc3", fffd},                                       // cut short at the end
             Case{"\xc3(", fffd + "("},                                // cut short by ASCII
             Case{"\xe2\x82(", fffd + "("},                            // one for the part read
             Case{"\xf0\x9f\x94", fffd},                               // cut short at the end
             Case{"\xf0\x9f\x94\xe4\xbd\xa0", fffd + "\xe4\xbd\xa0"},  // then a whole one
             Case{"\xc0\xaf", fffd + fffd},                            // overlong '/'
             Case{"\xe0\x80\xaf", fffd + fffd + fffd},                 // overlong, 3 bytes
             Case{"\xed\xa0\x80", fffd + fffd + fffd},                 // a surrogate
             Case{"\xf4\x90\x80\x80", fffd + fffd + fffd + fffd},      // past U+10FFFF
             Case{"\xf5\x80\x80\x80", fffd + fffd + fffd + fffd},
         }) {
        const std::string written = as_json(c.in);
        INFO(c.in);
        CHECK(written == "\"" + c.out + "\"");
        // As nlohmann's writer replaces (what webhook bodies were written with).
        CHECK(written ==
              nlohmann::json(c.in).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
        CHECK(nlohmann::json::parse(written).get<std::string>() == c.out);
    }
}

TEST_CASE("An object is written member by member") {
    std::string out = "x";
    util::JsonObject o(out);
    o.text("a", "1")
        .text_if("skipped", "")
        .text_if("b", "2")
        .number("n", -9007199254740993)
        .boolean("t", true)
        .boolean("f", false)
        .texts("list", {"x", "y\"z"})
        .texts("none", {})
        .json("raw", R"({"k":[1,2]})");
    o.close();
    CHECK(out == R"(x{"a":"1","b":"2","n":-9007199254740993,"t":true,"f":false,)"
                 R"("list":["x","y\"z"],"none":[],"raw":{"k":[1,2]}})");
    std::string empty;
    util::JsonObject(empty).close();
    CHECK(empty == "{}");
}

TEST_CASE("Frames between the daemons are read back as they were written") {
    wire::Job job;
    job.delivery_id = "01JDELIVERY";
    job.notification_id = "01JNOTE";
    job.channel = "ops-mail";
    job.provider = "smtp-main";
    job.to = "ana@example.com";
    job.subject = "Disk \"sda\" at 91%";
    job.body = "line one\nline two\t\xe2\x9c\x93";
    job.html = "<p>hi</p>";
    job.data_json = R"({"host":"db1","n":3})";
    job.category = "alerts";
    job.module = "storage";
    job.user_id = "ana";
    job.payload = "";
    job.locale = "zh-CN";
    job.template_name = "disk-full";
    job.unsubscribe_url = "https://notify.example.com/u/abc";
    job.priority = Priority::high;
    job.attempt = 3;
    job.created_at = 1764892800123;
    job.expires_at = 1764896400000;
    job.deadline = 1764892830000;

    const wire::Frame f = wire::decode(wire::encode(job));
    CHECK(f.type == "job");
    REQUIRE(f.job);
    const wire::Job& b = *f.job;
    CHECK(b.delivery_id == job.delivery_id);
    CHECK(b.notification_id == job.notification_id);
    CHECK(b.channel == job.channel);
    CHECK(b.provider == job.provider);
    CHECK(b.to == job.to);
    CHECK(b.subject == job.subject);
    CHECK(b.body == job.body);
    CHECK(b.html == job.html);
    CHECK(b.data_json == job.data_json);
    CHECK(b.category == job.category);
    CHECK(b.module == job.module);
    CHECK(b.user_id == job.user_id);
    CHECK(b.locale == job.locale);
    CHECK(b.template_name == job.template_name);
    CHECK(b.unsubscribe_url == job.unsubscribe_url);
    CHECK(b.priority == Priority::high);
    CHECK(b.attempt == 3);
    CHECK(b.created_at == job.created_at);
    CHECK(b.expires_at == job.expires_at);
    CHECK(b.deadline == job.deadline);

    wire::Result r;
    r.delivery_id = "01JDELIVERY";
    r.attempt = 2;
    r.outcome = wire::Outcome::permanent;
    r.provider = "apns";
    r.code = "410";
    r.message = "Unregistered";
    r.retry_after = 1500;
    r.detail = "segments=2";
    r.provider_fault = true;
    r.address_gone = true;
    r.gone_since = 1764892800000;
    r.parts = 2;
    r.took = 0;
    const wire::Frame g = wire::decode(wire::encode(r));
    CHECK(g.type == "result");
    REQUIRE(g.result);
    CHECK(g.result->delivery_id == r.delivery_id);
    CHECK(g.result->attempt == 2);
    CHECK(g.result->outcome == wire::Outcome::permanent);
    CHECK(g.result->provider == "apns");
    CHECK(g.result->code == "410");
    CHECK(g.result->message == "Unregistered");
    CHECK(g.result->retry_after == 1500);
    CHECK(g.result->detail == "segments=2");
    CHECK(g.result->provider_fault);
    CHECK(g.result->address_gone);
    CHECK(g.result->gone_since == r.gone_since);
    CHECK(g.result->parts == 2);
    CHECK(g.result->took == 0);

    const wire::Frame h = wire::decode(wire::encode(wire::Ready{"w1", 64, {"mail", "sms"}}));
    CHECK(h.type == "ready");
    REQUIRE(h.ready);
    CHECK(h.ready->worker == "w1");
    CHECK(h.ready->credit == 64);
    CHECK(h.ready->channels == std::vector<std::string>{"mail", "sms"});

    // Text that is not UTF-8 goes through replaced, rather than making a frame
    // the other side refuses.
    job.body = "bad \xff byte";
    const wire::Frame k = wire::decode(wire::encode(job));
    REQUIRE(k.job);
    CHECK(k.job->body == "bad \xef\xbf\xbd byte");

    CHECK(wire::decode("not json").type.empty());
    CHECK(wire::decode(R"({"type":"job"})").type == "job");
    CHECK_FALSE(wire::decode(R"({"type":"job"})").job);
    CHECK(wire::decode(R"({"type":"bye","worker":"w1"})").type == "bye");
    // Numbers the whole parser reads as doubles: a fraction cut off, one out of
    // range none at all (the field's default).
    const wire::Frame odd =
        wire::decode(R"({"type":"job","delivery_id":"d","attempt":2.9,"deadline":1.7e32})");
    REQUIRE(odd.job);
    CHECK(odd.job->attempt == 2);
    CHECK(odd.job->deadline == 0);
}
