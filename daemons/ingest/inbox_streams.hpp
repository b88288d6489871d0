// inbox_streams.hpp - the open event streams of users' inboxes,
// GET /v1/inbox/{user}/stream (Server-Sent Events, text/event-stream), held by
// notify-ingest's HTTP server on the loop thread.
//
// One poller follows inbox_events in the store by sequence number (the router
// writes new items, ingest and the router write marks) and writes each event to
// every open stream of its user:
//
//   id: <seq>            the event's sequence number, for Last-Event-ID
//   event: <kind>        new, seen, read, unread, archived, unarchived, read_all
//   data: {"item":{...},"unread":N}      read_all: {"category","unread"}
//
// A stream opens with "retry", then what the user missed after its
// Last-Event-ID (at most kReplay events and kMaxReplayBytes; more, or an id
// this store never gave, is "event: reset": fetch the inbox again), then
// "event: ready" with the unread count. Every inbox.stream_heartbeat a comment
// line and the id of the last event every stream has had keep proxies from
// closing it and move the client's resume point on. A stream whose client
// reads too slowly (kMaxBacklog bytes unsent) is closed; its client resumes
// from its last id. A stream ends when its inbox token expires. At most
// inbox.max_streams are open (503 "too_many_streams"); a user's
// kPerUser+1st closes that user's oldest. Events older than kKeepEvents are
// pruned once an hour.
#pragma once

#include <event2/util.h>

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "api.hpp"
#include "config.hpp"
#include "metrics.hpp"
#include "store/inbox_store.hpp"
#include "store/store.hpp"
#include "util/repeated_failure.hpp"

struct event;
struct event_base;
struct evhttp_request;

namespace notify::ingest {

class HttpConnections;

class InboxStreams {
  public:
    static constexpr int kReplay = 500;
    static constexpr std::size_t kPerUser = 16;
    static constexpr std::size_t kMaxBacklog = 1 << 20;
    static constexpr std::size_t kMaxReplayBytes = 256 * 1024;
    static constexpr util::Millis kPoll = 20;
    static constexpr util::Millis kKeepEvents = 7LL * 24 * 3600 * 1000;

    InboxStreams(event_base* base, store::Store& reads, const Config& config, Metrics& metrics);
    ~InboxStreams();
    InboxStreams(const InboxStreams&) = delete;
    InboxStreams& operator=(const InboxStreams&) = delete;

    // Answers `req` with the stream `open` asks for, `headers` (CORS) in its
    // head, or with a refusal; the status it answered.
    int open(evhttp_request* req, HttpConnections& connections, const StreamOpen& open,
             const std::vector<std::pair<std::string, std::string>>& headers);
    // Ends every stream (shutdown): their clients reconnect elsewhere or later.
    void close_all();
    std::size_t size() const { return streams_.size(); }

  private:
    struct Stream {
        evhttp_request* req = nullptr;
        std::string user;
        util::Millis expires_at = 0;  // its token's; 0: never
    };

    static void on_poll(evutil_socket_t, short, void* arg);
    static void on_heartbeat(evutil_socket_t, short, void* arg);
    void poll();
    void heartbeat();
    // Writes `text` to the stream; false when its client lags too far (then
    // it is to be closed).
    bool write(const Stream& s, const std::string& text);
    // The stream's connection went: forget it.
    void closed(std::uint64_t id);
    // Closes the connections of the streams `ids`, after a walk over streams_.
    void drop(const std::vector<std::uint64_t>& ids, const char* reason);
    // Ends the stream's answer; its connection closes once it is sent.
    void end(std::uint64_t id);
    // What a new stream starts with: retry, what its client missed (or reset),
    // ready. Throws StoreFailure.
    std::string opening(const StreamOpen& o);
    // The SSE text of one event of the user's, with their unread count.
    std::string message(const store::InboxEvent& e, std::int64_t unread);
    void gauge() { metrics_.inbox_streams_open(static_cast<std::int64_t>(streams_.size())); }

    store::InboxStore inbox_;
    const Config& config_;
    Metrics& metrics_;
    event* poll_ = nullptr;
    event* heartbeat_ = nullptr;
    std::int64_t last_seq_ = 0;  // every event up to it has gone to the open streams
    util::Millis next_prune_ = 0;
    std::uint64_t next_id_ = 1;
    std::unordered_map<std::uint64_t, Stream> streams_;
    std::unordered_map<std::string, std::vector<std::uint64_t>> by_user_;
    util::RepeatedFailure failing_{"inbox streams cannot read the store", 60000};
};

}  // namespace notify::ingest
