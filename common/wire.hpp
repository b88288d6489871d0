// wire.hpp - the messages the daemons exchange over ZeroMQ. Each message is one
// frame of JSON (after the ROUTER's identity frame where there is one).
//
// router.listen (ROUTER, bound by the router; workers connect DEALER):
//   worker -> router  Ready     {"type":"ready","worker":NAME,"credit":N,"channels":[...]}
//                               adds N credits; sent once at start and again as a heartbeat
//                               (credit 0) every worker.heartbeat
//   router -> worker  Job       {"type":"job", ...}: one delivery to attempt
//   worker -> router  Result    {"type":"result", ...}: the outcome (with the provider's
//                               code, message, retry_after, detail, and the attempt's time
//                               in the worker); gives back one credit
//   worker -> router  Bye       {"type":"bye","worker":NAME}: draining, send no more
//   router -> worker  Reconnect {"type":"reconnect"}: the router does not know this worker
//                               (it restarted); the worker answers with a Ready carrying its
//                               full credit (results of older jobs give none back)
// router.control (ROUTER, bound by the router; ingest and notifyctl connect):
//   {"op":"nudge","high":[SEQ,...]}      new work is in the store (no reply); "high" names
//                                        the queued high-priority deliveries just stored
//                                        (ingest names at most kNudgeHighMax), which the
//                                        router may take in ahead of what it has not read
//   {"op":"cancel","id":NOTIFICATION}    reply {"ok":true,"canceled":N} or {"error":...}
//   {"op":"resend","id":NOTIFICATION}    reply {"ok":true,"requeued":N}
//   {"op":"queue"}                       reply: counts per priority, channel and state
//   {"op":"ping"}                        reply {"ok":true}
//   {"op":"metrics"}                     reply: the router's figures, Prometheus text
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model.hpp"
#include "util/error.hpp"

namespace notify::wire {

struct Ready {
    std::string worker;
    int credit = 0;
    std::vector<std::string> channels;  // empty: any
};

struct Job {
    std::string delivery_id;
    std::string notification_id;
    std::string channel;
    std::string provider;
    std::string to;
    std::string subject;
    std::string body;
    std::string html;
    std::string payload;    // a webhook body rendered from the template, sent as is; or ""
    std::string data_json;  // the notification's data object, or ""
    std::string category;
    std::string module;
    std::string user_id;          // the directory user, or "" for a raw address
    std::string locale;           // the locale the content is in
    std::string template_name;    // the template it was rendered from, or ""
    std::string unsubscribe_url;  // one-click unsubscribe link (RFC 8058), or ""
    Priority priority = Priority::medium;
    int attempt = 1;  // 1 for the first try
    Millis created_at = 0;
    Millis expires_at = 0;  // 0: none
    Millis deadline = 0;    // the lease's end (wall clock); a result after it is ignored
};

enum class Outcome { sent, retryable, permanent };
const char* to_string(Outcome o);

// The longest vendor message id a result keeps (the store's column).
constexpr std::size_t kMaxProviderMessageId = 1024;

struct Result {
    std::string delivery_id;
    int attempt = 1;
    Outcome outcome = Outcome::sent;
    std::string provider;
    // When sent; empty when the vendor's id is longer than kMaxProviderMessageId.
    std::string provider_message_id;
    std::string code;             // the provider's code: HTTP status, vendor errcode, SMTP reply
    std::string message;          // the provider's reason
    Millis retry_after = 0;       // the provider asked to wait this long (429 Retry-After)
    std::string detail;           // facts the router records with the outcome ("segments=2 ...")
    bool provider_fault = false;  // permanent for this provider only: fail over
    // The vendor says the recipient's address is gone for good (a device token
    // unregistered, a push subscription expired): the router removes it from
    // the user's identity on the channel.
    bool address_gone = false;
    // When the vendor last found the address invalid (APNs' 410 timestamp), so
    // that one registered again since is kept; 0: not said.
    Millis gone_since = 0;
    int parts = 1;     // requests the vendor received (a split text: more than one)
    Millis took = -1;  // the attempt's time in the worker, all its requests; -1: unknown
};

std::string encode(const Ready& m);
std::string encode(const Job& m);
std::string encode(const Result& m);
std::string encode_bye(const std::string& worker);
constexpr std::size_t kNudgeHighMax = 64;
// A nudge naming the first kNudgeHighMax of `high`.
std::string encode_nudge(const std::vector<std::int64_t>& high);
std::string encode_reconnect();
// A control request refused: {"error":{"code","message","kind","field"}}
// (field null when the error names none), text that is not UTF-8 replaced.
std::string encode_error(const Error& e);

// A frame read once: its type ("ready", "job", "result", "bye", "reconnect",
// or "" when malformed) and, for a ready, job or result, the message (none when
// the frame is not a valid one of its type).
struct Frame {
    std::string type;
    std::optional<Ready> ready;
    std::optional<Job> job;
    std::optional<Result> result;
};
Frame decode(const std::string& frame);

}  // namespace notify::wire
