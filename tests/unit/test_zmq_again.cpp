// test_zmq_again.cpp - a ZeroMQ call a signal interrupted is made again; any
// other failure goes on to the caller.
#include <catch2/catch.hpp>

#include <cerrno>

#include "util/zmq_again.hpp"

using notify::util::zmq_again;
using notify::util::zmq_c_again;

namespace {
// A call that fails with `error` the first `failures` times, then answers 42.
struct Flaky {
    int error;
    int failures;
    int calls = 0;
    int operator()() {
        if (++calls <= failures) {
            errno = error;
            throw zmq::error_t();
        }
        return 42;
    }
};
}  // namespace

TEST_CASE("a ZeroMQ call interrupted by a signal is made again") {
    Flaky interrupted{EINTR, 3};
    CHECK(zmq_again([&] { return interrupted(); }) == 42);
    CHECK(interrupted.calls == 4);
    Flaky refused{EHOSTUNREACH, 1};
    CHECK_THROWS_AS(zmq_again([&] { return refused(); }), zmq::error_t);
    CHECK(refused.calls == 1);
}

TEST_CASE("a call of ZeroMQ's C API interrupted by a signal is made again") {
    int calls = 0;
    auto fails_with = [&calls](int error, int failures) {
        return [&calls, error, failures] {
            if (++calls <= failures) {
                errno = error;
                return -1;
            }
            return 7;
        };
    };
    CHECK(zmq_c_again(fails_with(EINTR, 3)) == 7);
    CHECK(calls == 4);
    calls = 0;
    CHECK(zmq_c_again(fails_with(EAGAIN, 1)) == -1);
    CHECK(errno == EAGAIN);
    CHECK(calls == 1);
}
