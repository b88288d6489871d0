// api.hpp - the transport-independent API core of notify-ingest. The HTTP and the
// ZeroMQ transports turn what they receive into a Request and send back the
// Response that handle() produces, so both speak exactly the same API:
//
//   POST /v1/notifications                     accept one notification (202)
//   POST /v1/notifications/batch               accept many (202, per-item results)
//   GET  /v1/notifications/{id}[?deliveries=N] one notification, its first N (1000)
//                                              deliveries and their events, counts by state
//   GET  /v1/notifications?status=&channel=... a page of notifications (also group=, user=,
//                                              template=, text=)
//   GET  /v1/queue                             non-final deliveries by priority/channel/state
//   POST /v1/notifications/{id}/cancel|resend  forwarded to the router's control socket
//                                              (cancel: {"id","canceled","in_flight"})
//   POST /v1/notifications/{id}/approve|reject forwarded to the router (admin scope)
//   /v1/users, /v1/groups                      the user directory (api_directory.cpp)
//   /v1/templates                              versioned templates (api_templates.cpp)
//   GET|POST /v1/unsubscribe/{token}           one-click unsubscribe (RFC 8058); the
//                                              signed token stands for an API key
//   /v1/schedules                              recurring sends (api_schedules.cpp): read
//                                              scope reads, admin changes (through the router)
//   GET  /v1/audit?since=&limit=               the audit log (api_audit.cpp; admin)
//   GET  /v1/reports?since=&until=&by=&...   reports, a page of rows with offset=&limit=
//                                              (api_reports.cpp; read)
//   POST /v1/receipts/{provider}               a vendor's delivery receipts (api_receipts.cpp),
//                                              authenticated by its signature, not a key
//   /v1/inbox/{user}...                        a user's in-app inbox (api_inbox.cpp), with
//                                              the user's inbox token or an API key
//   POST /v1/otp, /v1/otp/verify               one-time codes (api_otp.cpp)
//   GET  /, /login, /static/..., POST /login, /logout
//                                              the web dashboard (api_web.cpp)
//   GET  /healthz, GET /metrics                no authentication; /metrics adds the
//                                              router's figures (api_metrics.cpp)
// Reads need the read scope, sends the send scope; approvals and changes to the
// directory and templates need admin. A send-scope key also reads, and cancels
// and resends, the notifications it made itself, and no others: another's id
// is 404 as if it did not exist. Every API key is held to its rate limits
// (key_limits.hpp); every admin change that succeeds is in the audit log.
//
// Writes go through a Committer and are answered only after their commit, so
// handle() may call `done` later, on the loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "auth.hpp"
#include "commit.hpp"
#include "config.hpp"
#include "door.hpp"
#include "health.hpp"
#include "key_limits.hpp"
#include "metrics.hpp"
#include "request_windows.hpp"
#include "store/directory_store.hpp"
#include "store/inbox_store.hpp"
#include "store/otp_store.hpp"
#include "store/read_stores.hpp"
#include "store/rollup_store.hpp"
#include "store/schedule_store.hpp"
#include "store/store.hpp"
#include "tracking_queue.hpp"
#include "web_assets.hpp"
#include "web_session.hpp"

namespace notify::channels {
class ReceiptReader;
}

namespace notify::ingest {

class ReportMaker;
class StreamedBody;

// One end user's inbox requests with a token: at most so many in a window.
constexpr long kInboxUserRequests = 100;
constexpr Millis kInboxUserWindow = 10'000;

enum class Lang;
struct PageUser;
struct Route;

// The request headers the HTTP server keeps in Request::headers: those that
// vendors sign receipts with, the dashboard's cookies and language, and the
// origin of a page calling the inbox routes, and where an inbox stream resumes.
inline constexpr const char* kKeptHeaders[] = {"x-twilio-signature", "x-notify-timestamp",
                                               "x-notify-signature", "cookie",
                                               "accept-language",    "origin",
                                               "last-event-id"};

struct Request {
    std::string method;  // "GET", "POST", ...
    std::string path;    // without the query
    std::map<std::string, std::string> query;
    std::string body;
    std::string authorization;  // the Authorization header (HTTP)
    bool trusted = false;       // the ipc socket: admin without a key
    // The headers in kKeptHeaders that came, names in lower case.
    std::map<std::string, std::string> headers;
    bool head = false;  // a HEAD request (method says GET): answered, not acted on
    // The transport can send an answer as it is made (StreamedBody): HTTP.
    bool streamable = false;
};

// The inbox token a request of the inbox route `parts` (after /v1/) carries:
// a bearer value that is not an API key, or, on a stream, ?token=; nullopt
// when none.
std::optional<std::string> inbox_token_of(const Request& req,
                                          const std::vector<std::string>& parts);

// An inbox stream to open (inbox_streams.hpp): its user, and the last event
// its client saw.
struct StreamOpen {
    std::string user;
    std::int64_t last_event_id = 0;  // 0: none, start from now
    Millis expires_at = 0;           // the inbox token's expiry: the stream ends then; 0: never
};

struct Response {
    int status = 200;
    std::string body;  // JSON text, except for /metrics
    std::vector<std::pair<std::string, std::string>> headers;
    std::string content_type = "application/json";
    // Set: the answer is this stream, served by the HTTP transport alone;
    // status and body are what other transports answer instead.
    std::optional<StreamOpen> stream = {};
    // Set: the body comes in pieces from another thread (a long report),
    // sent by the transport as they come; status is 200.
    std::shared_ptr<StreamedBody> streamed = {};
};

using Reply = std::function<void(Response)>;

// The router's control socket, for cancel, resend and metrics: sends one JSON request and
// calls `done` on the loop thread with the reply, or an "unavailable" error.
class RouterControl {
  public:
    virtual ~RouterControl() = default;
    virtual void call(const std::string& request,
                      std::function<void(Expected<std::string>)> done) = 0;
};

// Holds an answer back until what it waits for has happened in the store, or
// its wait is over (held_answers.hpp): GET /v1/notifications/{id}?wait=.
class AnswerHolder {
  public:
    // Gives the answer and returns true when what it waits for has happened,
    // or in any case when `last`; returns false to be held on.
    using Attempt = std::function<bool(bool last)>;
    virtual ~AnswerHolder() = default;
    // Holds `attempt` until it answers or `until` (util::steady_ms) has
    // passed; false, holding nothing, when no more can be held.
    virtual bool hold(Millis until, Attempt attempt) = 0;
};

// What the router answered on router.control about `what`: its JSON object
// when "ok"; else its error, of the kind the reply names ("kind"; without it
// not_found, or conflict), or router_unavailable when it did not answer or
// said something this version does not understand.
Expected<nlohmann::json> router_answer(const Expected<std::string>& reply, const std::string& what);
// router_unavailable: the router's answer is not what this version expects.
Error router_misunderstood();

// An answer of `body`; text in it that is not UTF-8 (older stored rows) comes
// out as U+FFFD.
Response json_response(int status, const nlohmann::json& body);
// An error answer: {"error":{"code","message","field"}}. Text the client sent
// (a path, a query value) may be quoted in the message; bytes that are not
// UTF-8 come out as U+FFFD.
Response error_response(int status, const Error& e);
// 500 {"error":{"code":"internal",...}}: what an unexpected exception answers.
Response internal_response();
// 405 "method_not_allowed" for a method not among `allowed` ("GET, POST"), with
// the Allow header.
Response method_not_allowed(const Request& req, const std::string& allowed);
// POST /v1/templates/preview (`parts` after /v1/): it renders and stores
// nothing, so it needs only the read scope and is no change to audit.
bool is_template_preview(const std::string& method, const std::vector<std::string>& parts);

class Api {
  public:
    Api(const Config& config, store::Store& reads, Committer& committer, RouterControl& control,
        Metrics& metrics, Millis key_cache_ttl = kKeyCacheTtl);

    // Answers every request exactly once: an exception while handling it (now or
    // in a later commit or router callback) is logged and answered 500 "internal".
    void handle(const Request& req, Reply done);
    // From now on requests other than /healthz and /metrics get 503 "shutting_down".
    void set_stopping() { stopping_ = true; }
    // Reports are made by `maker`'s threads from now on (without one, on the
    // caller's thread, whole).
    void make_reports_with(ReportMaker& maker) { report_maker_ = &maker; }
    // Without it, ?wait= is answered at once.
    void hold_answers_with(AnswerHolder& holder) { holder_ = &holder; }
    // What /healthz says (health.hpp), and what it is made from.
    nlohmann::json health_report();
    Health& health() { return health_; }
    // Lists (but that of sends waiting for approval), the queue, the audit
    // log and reports are read from the replicas `watch` finds fit
    // (store/read_stores.hpp); without it, from `reads`.
    void read_replicas(store::ReplicaWatch& watch) {
        rollups_.clear();
        trailing_ = std::make_unique<store::ReadStores>(reads_, &watch);
        replica_watch_ = &watch;
    }

  private:
    void route(const Request& req, Reply done);
    // What route() does once it knows who asks: their rate limits, the scope
    // the route needs, the audit of an admin change, the route itself.
    void serve(const Route& route, const Request& req, const Principal& who, Reply done);
    // A /v1/ request made on behalf of `who` (the dashboard's signed-in key):
    // the same checks and answers as over HTTP.
    void call_as(const Request& req, const Principal& who, Reply done);
    // Runs `body`; an exception from it is logged and answered 500 through `done`
    // (which answers once: see handle()). Callbacks that run later use it too.
    template <class F>
    void guarded(const Reply& done, F&& body) {
        try {
            body();
        } catch (const std::exception& e) {
            internal(done, e.what());
        } catch (...) {
            internal(done, "unknown exception");
        }
    }
    void internal(const Reply& done, const char* what);
    void fail(const Reply& done, int status, const Error& e);
    void fail(const Reply& done, const Error& e) { fail(done, http_status(e.kind), e); }
    // True when req.method is one of `allowed` ("GET, POST"); otherwise answers
    // 405 (method_not_allowed) and counts the rejection.
    bool method_allowed(const Request& req, const std::string& allowed, const Reply& done);
    // 429 with Retry-After for a key over one of its limits.
    void refuse(const Reply& done, const LimitRefusal& r);

    // api_send.cpp
    // `keep_code`: send_code's, whose data holds a sealed one-time code (from
    // anyone else such data is refused); it keeps the code in the commit that
    // stores the notification (Submission::also).
    void post_notification(const Request& req, const Principal& who, Reply done,
                           std::function<void(store::Store&)> keep_code = {});
    void post_batch(const Request& req, const Principal& who, Reply done);
    // api_read.cpp
    // ?deliveries=N: at most N deliveries (default 1000) with their events.
    // A send-scope `who` sees only its own notifications.
    void get_notification(const std::string& id, const Request& req, const Principal& who,
                          const Reply& done);
    // GET /v1/notifications/{id} as it stands: its first `limit` deliveries, events.
    void answer_notification(const std::string& id, const Principal& who, long limit,
                             const Reply& done);
    void list_notifications(const Request& req, const Principal& who, const Reply& done);
    void get_queue(const Reply& done);
    // GET /v1/queue's rows (trailing_).
    Expected<std::vector<store::QueueRow>> queue_rows();
    void get_providers(Reply done);
    void health(const Reply& done);
    // api_metrics.cpp: ingest's figures and the router's (asked for once for
    // every scrape waiting), or notify_router_up 0 when it does not answer.
    void get_metrics(Reply done);
    void answer_metrics(const Expected<std::string>& router);
    // api_actions.cpp
    // `who` is named in the events of a fan-out that a cancel stops.
    void control_action(const std::string& id, const std::string& action, const Principal& who,
                        Reply done);
    void answer_action(const Reply& done, const std::string& id, const std::string& action,
                       const std::string& counter, const Expected<std::string>& reply);
    void approval_action(const std::string& id, const std::string& action, const Request& req,
                         const Principal& who, Reply done);
    // A refusal of the router's: a conflict is 409, the rest as their kind.
    void fail_router(const Reply& done, const Error& e);
    // api_schedules.cpp: /v1/schedules (`parts` after /v1/)
    void schedules_request(const Request& req, const std::vector<std::string>& parts,
                           const Principal& who, Reply done);
    void list_schedules(const Request& req, const Reply& done);
    void show_schedule(const std::string& name, const Reply& done);
    void schedule_history(const std::string& name, const Request& req, const Reply& done);
    // put (POST: `name` empty; PUT), remove, pause or resume, through the router.
    void change_schedule(const std::string& action, const std::string& name, const Request& req,
                         const Principal& who, Reply done);
    // The schedules over reads_, made on first use.
    store::ScheduleStore& schedules();
    // The schedule `name` as stored: not_found, or store_unavailable.
    Expected<store::ScheduleRow> stored_schedule(const std::string& name);
    // api_directory.cpp: `parts` are the path's segments after /v1/.
    void directory_request(const Request& req, const std::vector<std::string>& parts,
                           const Principal& who, const Reply& done);
    // api_templates.cpp
    void templates_request(const Request& req, const std::vector<std::string>& parts,
                           const Principal& who, const Reply& done);
    // api_audit.cpp
    void get_audit(const Request& req, const Reply& done);
    // api_reports.cpp
    void get_report(const Request& req, const Reply& done);
    // `done` that first records a successful admin change (approve, reject, the
    // directory, templates) in the audit log, by `who`.
    Reply audited(const Request& req, const std::vector<std::string>& parts, const Principal& who,
                  Reply done);
    // One entry in the audit log; a failure to write it is logged, not answered.
    void audit(const std::string& actor, const std::string& action, const std::string& target,
               const std::string& detail);
    // api_receipts.cpp
    void receipts_request(const Request& req, const std::vector<std::string>& parts,
                          const Reply& done);
    // The reader of a provider's receipts, made on first use; nullptr when
    // there is none (logged once).
    const channels::ReceiptReader* receipt_reader(const std::string& provider);
    // api_web.cpp: the dashboard
    void web_request(const Request& req, const Reply& done);
    Response login(const Request& req, Lang lang);
    // web_overview.cpp: the overview page, and its live figures (GET /live)
    Response overview(Lang lang, const PageUser& user);
    void live(Reply done);
    // api_unsubscribe.cpp
    void unsubscribe_request(const Request& req, const std::vector<std::string>& parts,
                             const Reply& done);

    // api_inbox.cpp: `parts` after /v1/ ("inbox", the user, ...), decoded.
    // `token_expires`: when the caller's inbox token expires (a stream ends
    // then); 0 for an API key.
    void inbox_request(const Request& req, const std::vector<std::string>& parts,
                       Millis token_expires, const Reply& done);
    // The same for a caller with an inbox token, checked first: 401 unless
    // it is the user's own and not expired.
    void inbox_with_token(const Request& req, const std::vector<std::string>& parts,
                          const std::string& token, const Reply& done);
    // The CORS headers of an answer to `req` (inbox.cors_origins): only
    // answers to a request with an inbox token, and preflights, have them.
    std::vector<std::pair<std::string, std::string>> cors_headers(const Request& req) const;
    // 204 to a CORS preflight of an inbox route.
    Response inbox_preflight(const Request& req) const;
    // The inboxes over reads_, made on first use.
    store::InboxStore& inbox();

    // api_otp.cpp: /v1/otp and /v1/otp/verify (`parts` after /v1/).
    void otp_request(const Request& req, const std::vector<std::string>& parts,
                     const Principal& who, Reply done);
    void send_code(const Request& req, const Principal& who, Reply done);
    void verify_code(const Request& req, const Principal& who, Reply done);
    // The OTP secret, read (or made) once.
    Expected<std::string> otp_key();
    // The one-time codes over reads_ (for the limits' reads), made on first use;
    // codes are written in the writer's group commit (Submission::also).
    store::OtpStore& otp_codes();

    // api_tracking.cpp
    void tracking_request(const Request& req, const std::vector<std::string>& parts,
                          const Reply& done);

    // The directory over reads_, made on first use and kept.
    store::DirectoryStore& directory();
    // The reports' rollups on `store` (reads_ or a replica), made on first use.
    store::RollupStore& rollups(store::Store& store);
    // The secret of unsubscribe links, read (or made) once.
    Expected<std::string> link_secret();

    const Config& config_;
    store::Store& reads_;  // the leader: what must see the latest writes
    // Reads that may trail them by a moment: a list of notifications, the
    // queue, the audit log.
    std::unique_ptr<store::ReadStores> trailing_;
    const store::ReplicaWatch* replica_watch_ = nullptr;
    std::unique_ptr<store::DirectoryStore> directory_;
    // The rollups over each store read, made on first use.
    std::map<store::Store*, std::unique_ptr<store::RollupStore>> rollups_;
    ReportMaker* report_maker_ = nullptr;
    AnswerHolder* holder_ = nullptr;
    std::unique_ptr<store::ScheduleStore> schedules_;  // made on first use
    std::unique_ptr<store::InboxStore> inbox_;         // made on first use
    std::string inbox_secret_;                         // read on first use
    std::unique_ptr<store::OtpStore> otp_codes_;       // made on first use
    std::string otp_secret_;                           // read on first use
    Millis next_otp_prune_ = 0;
    // Recipients whose code is on its way to the store: another send to one
    // waits (otp.resend_after) as it would once the code is stored.
    std::unordered_set<std::string> otp_sending_;
    std::string link_secret_;
    std::string tracking_secret_;  // tracking links' secret, read on first use
    std::map<std::string, std::shared_ptr<const channels::ReceiptReader>> receipt_readers_;
    WebSessions sessions_;
    WebAssets assets_;
    Committer& committer_;
    RouterControl& control_;
    Health health_;
    TrackingQueue tracking_queue_;  // opens and clicks for the router (api_tracking.cpp)
    Metrics& metrics_;
    KeyCache keys_;
    KeyLimits limits_;
    RequestWindows inbox_users_{kInboxUserRequests, kInboxUserWindow};  // token requests, per user
    RequestWindows otp_keys_;  // one-time codes sent, per API key (otp.key_rate)
    StoredTemplates templates_;
    std::vector<Reply> metrics_waiting_;  // scrapes waiting for the router's figures
    bool stopping_ = false;
};

}  // namespace notify::ingest
