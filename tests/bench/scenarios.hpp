// scenarios.hpp - the benchmark's scenarios, each measuring one target against a
// running stack (see tests/bench/run for how the stack is set up).
//
//   accept-http   closed-loop single POST /v1/notifications     >= 10,000/s
//   accept-batch  closed-loop POST /v1/notifications/batch      >= 50,000/s
//   accept-zmq    DEALER load on ingest.listen                  >= 10,000/s
//   latency       open loop at 10,000/s over HTTP               p99 <= 10 ms
//   e2e           N notifications to deliveries at the receiver >= 5,000/s
//   push          N notifications through the APNs adapter, then N through
//                 FCM's, to a local HTTP/2 mock: sends/s each  >= 5,000/s
//   priority      high-priority accept->sent under a low backlog  p99 <= 50 ms
//                 (with --store, split at each one's dispatch to a worker)
//   bulk          a send to a group: accept time < 2 s, expansion >= 100,000/s
//   render        a stored template rendered per user                <= 10 us
//   otp           open loop POST /v1/otp at 1,000/s, each to its own recipient
//                 p99 < 5 ms; then POST /v1/otp/verify at that rate  p99 < 2 ms
//   reports       reports over a month of 10,000,000 deliveries      < 200 ms
//   schedules     the next 1,000 firings of a cron expression         < 5 ms
//   schedule-burst 10,000 schedules due at one instant, all delivered  < 2 s
//   future        1,000,000 future deliveries: router memory   < 256 MB,
//                 each fired within 100 ms of its send_at
//   inbox         10,000 open inbox streams: ingest memory < 300 MB; a new
//                 item on its user's stream under a 5,000/s load  p99 <= 100 ms
//   dashboard     the dashboard's pages over that month: overview < 100 ms,
//                 notifications with filters < 300 ms
//   cli           notifyctl --version <= 2 ms, send <= 4 ms, send --wait to
//                 the outbox <= 10 ms, each from spawn to exit (median)
//
// Every scenario is bounded by a count and a time limit. Each returns 0 when it
// ran (targets met or not) and 1 when it could not run at all.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "http_load.hpp"
#include "receiver.hpp"

namespace notify::bench {

struct Options {
    Target http;                      // the ingest's HTTP API
    std::string zmq;                  // the ingest's ZeroMQ endpoint (ingest.listen)
    Target receiver{"127.0.0.1", 0};  // the bench's webhook receiver (port 0: none)
    std::string channel = "bench";
    // 0 or empty: the scenario's own default.
    int connections = 0;
    long count = 0;
    double seconds = 0;
    double rate = 0;
    int batch_size = 100;
    long backlog = 100000;
    double high_rate = 200;
    double high_seconds = 5;
    std::string group;   // bulk: the group to send to ("everyone")
    std::string output;  // gen-users: the file to write
    std::string store;   // render: the store holding the starter templates; reports: a store
    std::string key;     // dashboard: an API key of scope read or admin to sign in with
    long pid = 0;        // future: the router's process; inbox: the ingest's
    std::string secret;  // inbox: inbox.secret, to make the users' tokens
    // push: the APNs and FCM mock, and its folder of device tokens (a file named
    // for each, served as POST /3/device/TOKEN).
    Target mock{"127.0.0.1", 0};
    std::string devices;
    // cli: notifyctl, and the stack's configuration file it is given.
    std::string notifyctl;
    std::string config;
};

class EventLoop;

// The receiver at o.receiver, or null (with a progress line when `required`).
std::unique_ptr<Receiver> start_receiver(const std::string& scenario, const Options& o,
                                         bool required);
// Polls `done` every 5 ms until it holds or `seconds` pass; true if it held.
bool wait_for(const std::function<bool()>& done, double seconds);
// One request on `pool`, waited for on `loop`; status 0 when no reply came
// within `seconds`.
HttpReply request(EventLoop& loop, HttpPool& pool, const std::string& method,
                  const std::string& path, const std::string& body, double seconds);
// Closed-loop batches of o.batch_size (100) over 4 connections until `count`
// notifications are accepted or `seconds` pass; `notification(seq)` is the
// JSON of number seq.
LoadResult enqueue(const Options& o, long count, double seconds,
                   const std::function<std::string(long seq)>& notification);
// A field of /proc/PID/status ("VmRSS", "VmHWM") in MiB; -1 when it cannot be read.
double memory_mib(long pid, const std::string& field);
// The id gen-users gives its user number i: "u0000042".
std::string bench_user_id(long i);

int accept_http(const Options& o);
int accept_batch(const Options& o);
int accept_zmq(const Options& o);
int latency(const Options& o);
int end_to_end(const Options& o);
int push(const Options& o);
int priority(const Options& o);
int bulk(const Options& o);
int render(const Options& o);
int otp(const Options& o);
int reports(const Options& o);
int schedules(const Options& o);
int schedule_burst(const Options& o);
int future(const Options& o);
int inbox(const Options& o);
int dashboard(const Options& o);
int cli(const Options& o);
// Writes `count` users as JSON Lines to `path` (o.output), each with an identity
// on o.channel, for `notifyctl user import`.
int gen_users(const Options& o);

}  // namespace notify::bench
