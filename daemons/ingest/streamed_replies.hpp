// streamed_replies.hpp - answers whose body comes as it is made on another
// thread (StreamedBody, a long report): 200 and the headers at once, then each
// piece as a chunk as it comes, and the end once the maker finishes. A maker
// that fails part way has its answer cut off (the connection closed before
// the last chunk), so no client takes it for whole. The connection is closed
// after the answer, has no read timeout meanwhile (HttpConnections::stream),
// and a client that goes cancels the making. Loop thread only.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>

#include "util/log.hpp"

struct evbuffer;
struct evbuffer_cb_info;
struct evhttp_connection;
struct evhttp_request;

namespace notify::ingest {

class HttpConnections;
struct Response;
class StreamedBody;

class StreamedReplies {
  public:
    explicit StreamedReplies(HttpConnections& connections) : connections_(connections) {}
    ~StreamedReplies();
    StreamedReplies(const StreamedReplies&) = delete;
    StreamedReplies& operator=(const StreamedReplies&) = delete;

    // Starts the answer `resp` (its headers and streamed body) to `req`.
    void start(evhttp_request* req, const Response& resp);
    // Ends every answer being sent, cut off, and those that start from now
    // on (the daemon stops).
    void close_all();

  private:
    struct Sending {
        evhttp_request* req = nullptr;
        std::shared_ptr<StreamedBody> body;
        evbuffer* output = nullptr;  // the connection's, watched for what leaves it
        bool cut_here = false;       // closed here, and said why
    };
    // Bytes left the connection's output (evbuffer_add_cb): the body hears of
    // each step, not only of an empty buffer, so a slow but steady client is
    // never taken for one that reads nothing.
    static void on_drained(evbuffer* output, const evbuffer_cb_info* info, void* arg);
    // Sends what the body has; ends the answer when it is finished.
    void pump(evhttp_connection* evcon);
    // The connection went (or was closed here): an answer cut off this way
    // (the client went, or took nothing for ingest.http_idle_timeout) is logged.
    void closed(evhttp_connection* evcon);
    // Logs why an answer is cut off, and closes its connection.
    void cut_off(evhttp_connection* evcon, Sending& s, const std::string& why, log::Level level);

    HttpConnections& connections_;
    std::unordered_map<evhttp_connection*, Sending> sending_;
    // Of sending_, by output buffer. A buffer keeps its watch until it is
    // freed with its connection; a watch that finds no entry does nothing.
    std::unordered_map<evbuffer*, evhttp_connection*> by_output_;
    bool closing_ = false;  // close_all() ran: answers that start now are cut off
};

}  // namespace notify::ingest
