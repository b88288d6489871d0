// http_load.hpp - the two ways the benchmark drives the HTTP API.
//
// Closed loop: every connection sends its next request as soon as the previous
// reply is in; measures the most the server accepts.
//
// Open loop: request i is due at start + i/rate whatever the server does. Due
// requests queue for a free connection, and latency is taken from the due time,
// not the send time, so a server stall shows in full instead of slowing the
// client down (no coordinated omission). Requests still unanswered at the
// deadline are recorded with their latency so far and counted as unfinished.
#pragma once

#include <functional>
#include <string>

#include "http_pool.hpp"
#include "latency_recorder.hpp"

namespace notify::bench {

struct Target {
    std::string host = "127.0.0.1";
    int port = 8025;
};

struct LoadSpec {
    std::string path;
    std::function<std::string(long index)> body;  // request number -> JSON body
    // Items a reply accepted (1 for a 202 single, the entries for a batch).
    std::function<long(const HttpReply&)> accepted_in;
    int connections = 64;
    long requests = 10000;  // at most
    double seconds = 10;    // sending stops after this; replies get a grace period
    double rate = 0;        // open loop only: requests per second
    // Runs for each reply (open loop: with the request's due time).
    std::function<void(long index, const HttpReply&, Micros due)> on_reply;
};

struct LoadResult {
    long sent = 0;
    long replied = 0;
    long accepted = 0;    // items, as counted by accepted_in
    long failed = 0;      // replies that accepted nothing, and broken connections
    long unfinished = 0;  // open loop: due but not answered by the deadline
    Micros start = 0;
    Micros first_accept = 0;  // when the first accepting reply was read
    Micros last_reply = 0;
    LatencyRecorder latency;
    std::string first_failure;  // "status 503: {...}", for the log

    double elapsed() const { return seconds_between(start, last_reply); }
    double accepted_per_second() const;
};

LoadResult run_closed_loop(const Target& target, const LoadSpec& spec);
LoadResult run_open_loop(const Target& target, const LoadSpec& spec);

}  // namespace notify::bench
