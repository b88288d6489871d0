// test_zmtp.cpp - ZeroMQ's wire protocol as notifyctl speaks it (util/zmtp):
// the bytes it opens with and frames messages in, byte for byte as RFC 23
// lays them out, and the reader of what a peer sends, fed in any pieces.
#include <catch2/catch.hpp>

#include <string>

#include "util/zmtp.hpp"

namespace zmtp = notify::util::zmtp;
using namespace std::string_literals;

namespace {

// A peer's greeting: ZMTP `major`.1 with `mechanism`, as a server.
std::string greeting(unsigned char major = 3, const std::string& mechanism = "NULL") {
    std::string g = "\xff\0\0\0\0\0\0\0\x01\x7f"s;
    g += static_cast<char>(major);
    g += '\x01';
    g += mechanism + std::string(20 - mechanism.size(), '\0');
    g += '\x01';
    g += std::string(31, '\0');
    return g;
}

}  // namespace

TEST_CASE("the opening is a 3.0 NULL greeting and READY naming the socket type", "[zmtp]") {
    const std::string o = zmtp::opening("REQ");
    REQUIRE(o.size() == 64 + 2 + 25);
    CHECK(o.substr(0, 12) == "\xff\0\0\0\0\0\0\0\0\x7f\x03\x00"s);
    CHECK(o.substr(12, 20) == "NULL" + std::string(16, '\0'));
    CHECK(o.substr(32, 32) == std::string(32, '\0'));  // as-server 0, then the filler
    // A short command frame: flags 0x04, size 25, "READY", one property.
    CHECK(o.substr(64) == "\x04\x19\x05READY\x0bSocket-Type\0\0\0\x03REQ"s);
}

TEST_CASE("a message's parts are framed with 'more' on all but the last", "[zmtp]") {
    CHECK(zmtp::message({"", "hi"}) == "\x01\x00\x00\x02hi"s);
    const std::string big(300, 'x');
    // Over 255 bytes: the long flag and an 8-byte size in network order.
    CHECK(zmtp::message({big}) == "\x02\0\0\0\0\0\0\x01\x2c"s + big);
}

TEST_CASE("the reader checks the peer's greeting", "[zmtp]") {
    SECTION("ZMTP 3.1 with NULL, fed one byte at a time") {
        zmtp::Reader r(1024);
        const std::string g = greeting();
        for (size_t i = 0; i + 1 < g.size(); ++i) {
            r.append(g.substr(i, 1));
            auto verdict = r.greeting();
            REQUIRE(verdict);
            CHECK_FALSE(*verdict);
        }
        r.append(g.substr(63));
        auto verdict = r.greeting();
        REQUIRE(verdict);
        CHECK(*verdict);
    }
    SECTION("something that is not ZeroMQ is refused at its first byte") {
        zmtp::Reader r(1024);
        r.append("HTTP/1.1 400 Bad Request\r\n");
        auto verdict = r.greeting();
        REQUIRE_FALSE(verdict);
        CHECK(verdict.error().code == "zmtp");
        CHECK(verdict.error().message.find("not a ZeroMQ peer") != std::string::npos);
    }
    SECTION("an older protocol") {
        zmtp::Reader r(1024);
        r.append(greeting(1));
        auto verdict = r.greeting();
        REQUIRE_FALSE(verdict);
        CHECK(verdict.error().message == "it speaks ZMTP 1, not 3 or later");
    }
    SECTION("another security mechanism") {
        zmtp::Reader r(1024);
        r.append(greeting(3, "CURVE"));
        auto verdict = r.greeting();
        REQUIRE_FALSE(verdict);
        CHECK(verdict.error().message.find("other than NULL") != std::string::npos);
    }
}

TEST_CASE("the reader gives whole frames, however the bytes arrive", "[zmtp]") {
    const std::string big(70000, 'y');
    const std::string stream = greeting() + "\x04\x1c\x05READY\x0bSocket-Type\0\0\0\x06ROUTER"s +
                               zmtp::message({"", "short", big});
    for (size_t piece : {size_t(1), size_t(7), size_t(4096), stream.size()}) {
        zmtp::Reader r(100000);
        std::vector<zmtp::Frame> frames;
        bool greeted = false;
        for (size_t at = 0; at < stream.size(); at += piece) {
            r.append(stream.substr(at, piece));
            if (!greeted) {
                auto verdict = r.greeting();
                REQUIRE(verdict);
                greeted = *verdict;
                if (!greeted) continue;
            }
            for (;;) {
                auto f = r.next();
                REQUIRE(f);
                if (!*f) break;
                frames.push_back(**f);
            }
        }
        REQUIRE(frames.size() == 4);
        CHECK(frames[0].command);
        CHECK_FALSE(frames[0].more);
        CHECK(frames[1].body.empty());
        CHECK(frames[1].more);
        CHECK(frames[2].body == "short");
        CHECK(frames[2].more);
        CHECK(frames[3].body == big);
        CHECK_FALSE(frames[3].more);
        CHECK_FALSE(frames[3].command);
    }
}

TEST_CASE("the reader refuses a frame over its limit before taking it in", "[zmtp]") {
    zmtp::Reader r(1000);
    r.append(greeting());
    REQUIRE(*r.greeting());
    // Only the size is in: the frame's 2^40 bytes are never waited for.
    r.append("\x02\0\0\x01\0\0\0\0\0"s);
    auto f = r.next();
    REQUIRE_FALSE(f);
    CHECK(f.error().message == "a frame of 1099511627776 bytes, over the limit of 1000");
    zmtp::Reader flags(1000);
    flags.append(greeting() + "\x80\x00"s);
    REQUIRE(*flags.greeting());
    CHECK_FALSE(flags.next());
}

TEST_CASE("a READY command's properties are read by name, without case", "[zmtp]") {
    const std::string data = "\x0bSocket-Type\0\0\0\x06ROUTER\x08Identity\0\0\0\0"s;
    auto type = zmtp::ready_property(data, "socket-type");
    REQUIRE(type);
    CHECK(type->value_or("") == "ROUTER");
    auto missing = zmtp::ready_property(data, "Resource");
    REQUIRE(missing);
    CHECK_FALSE(missing->has_value());
    // A value size that runs past the end.
    CHECK_FALSE(zmtp::ready_property("\x0bSocket-Type\0\0\0\x09ROUTER"s, "Socket-Type"));
    auto command = zmtp::read_command("\x05READY"s + data);
    REQUIRE(command);
    CHECK(command->name == "READY");
    CHECK(command->data == data);
    CHECK_FALSE(zmtp::read_command("\x09READY"s));
    CHECK(zmtp::error_reason("\x0cno such user"s) == "no such user");
}
