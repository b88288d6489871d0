// sse_streams.hpp - many Server-Sent Events streams held open at once, as the
// browsers and apps of many users hold GET /v1/inbox/{user}/stream: one
// connection per path, read on a thread of its own with its own event_base,
// so that the load a scenario sends meanwhile does not delay the reading.
//
// At most `opening` streams are being opened at a time (connecting, or waiting
// for their "ready" event), so the opens do not overflow the server's listen
// queue. Each answer is read as HTTP/1.1: status line and headers, then the
// body, chunked or (without Transfer-Encoding) as it comes, parsed as
// text/event-stream: "event" and "data" fields, a blank line ending each event;
// comments (the heartbeats), "id" and "retry" are skipped.
//
// A stream whose answer is not 200, or that ends before its "ready" event, has
// failed; one that ends after it is lost. Streams are not reopened.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "clock.hpp"
#include "http_load.hpp"

struct event_base;
struct bufferevent;

namespace notify::bench {

class SseStreams {
  public:
    // Runs on the streams' thread for each event ("ready" included), with the
    // index of its stream's path and the time it was read.
    using OnEvent = std::function<void(std::size_t stream, const std::string& kind,
                                       const std::string& data, Micros at)>;

    SseStreams(Target target, std::vector<std::string> paths, int opening, OnEvent on_event);
    ~SseStreams();
    SseStreams(const SseStreams&) = delete;
    SseStreams& operator=(const SseStreams&) = delete;

    // Starts the thread: it opens every stream and reads them until stop() or
    // `deadline`.
    void start(Micros deadline);
    // Closes every stream and joins the thread; what on_event wrote is then
    // the caller's to read.
    void stop();

    long ready() const { return ready_; }    // have had their "ready" event
    long failed() const { return failed_; }  // refused, or ended before "ready"
    long lost() const { return lost_; }      // ended after "ready"
    // Indices of the streams that have had their "ready" event.
    std::vector<std::size_t> ready_streams() const;
    // The first failure ("status 503: {...}", "connection refused"); "" if none.
    std::string first_failure() const;

  private:
    struct Stream;

    void run(Micros deadline);
    void open_more();
    void open(Stream& s);
    void on_read(Stream& s);
    // One line of the head or of the chunk framing; false when it ended the stream.
    bool on_line(Stream& s, const std::string& line);
    void parse_events(Stream& s);
    void dispatch(Stream& s);
    void end(Stream& s, const std::string& why);

    static void read_cb(bufferevent* bev, void* arg);
    static void event_cb(bufferevent* bev, short what, void* arg);

    Target target_;
    std::vector<std::string> paths_;
    int opening_;
    OnEvent on_event_;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<long> ready_{0};
    std::atomic<long> failed_{0};
    std::atomic<long> lost_{0};
    mutable std::mutex mutex_;  // guards ready_streams_ and first_failure_
    std::vector<std::size_t> ready_streams_;
    std::string first_failure_;

    // The streams' thread alone:
    event_base* base_ = nullptr;
    std::vector<Stream> streams_;
    std::size_t next_ = 0;  // the next stream to open
    int in_opening_ = 0;    // opened and not yet ready or failed
};

}  // namespace notify::bench
