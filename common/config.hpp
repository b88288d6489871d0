// config.hpp - notify.toml(5): one file for every program.
//
// Every scalar key is declared once in config_keys.cpp (name, type, default,
// help). Precedence: NOTIFY_* environment (NOTIFY_STORE_PATH for store.path),
// then the file, then the default. The file is --config FILE, else
// $NOTIFY_CONFIG, else ./notify.toml, else /etc/notify/notify.toml, else none
// (the embedded default: a local store, ipc endpoints under runtime_dir, and an
// "outbox" channel whose file provider needs no outside account).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/day_window.hpp"
#include "util/error.hpp"
#include "util/time.hpp"

namespace notify {

using util::Millis;

// At most `count` deliveries per user (or address) and channel in any `period`;
// count 0: no cap.
struct FrequencyCap {
    long count = 0;
    Millis period = 0;
};

// One configured provider account: [providers.NAME]. The adapter named by `type`
// reads its own keys from `settings_json` (the table as JSON text).
struct ProviderConfig {
    std::string name;
    std::string type;
    std::string settings_json;
    int line = 0;  // where the table starts in the file, for messages
    // At most `count` dispatches to this provider in any `period`, for each of
    // these, counted by the router over every worker; none: no limit.
    // `rate_limit = "20/1m"` (or "5/1s, 100/1m"), else default_rate_limit(type).
    std::vector<FrequencyCap> rate_limits;
    // `max_connections`: the most attempts in flight to it at once, counted by
    // the router over every worker; an HTTP/1.1 connection carries one at a
    // time. Types that multiplex over HTTP/2 (ProviderType::multiplexed) are
    // not held to it.
    long max_connections = kDefaultMaxConnections;
    static constexpr long kDefaultMaxConnections = 32;
};

// The keys of a [providers.NAME] table that notify reads itself; the rest are
// its adapter's.
inline constexpr const char* kProviderOwnKeys[] = {"type", "rate_limit", "max_connections"};

// [channels.NAME]: what senders name; providers are tried in order.
struct ChannelConfig {
    std::string name;
    std::vector<std::string> providers;
    FrequencyCap frequency_cap;  // overrides preferences.frequency_cap when set
    // One per provider: first attempts are shared in these proportions (smooth
    // weighted round robin); empty: every first attempt goes to the first provider.
    std::vector<long> weights;
};

// Where a value came from, for `notifyctl config show`.
struct Setting {
    std::string key;
    std::string value;
    std::string origin;  // "default", "env NOTIFY_X", "FILE:LINE"
};

struct Config {
    std::string file;  // the file read, or "" for the embedded default
    std::string runtime_dir;
    std::string log_level;

    // The store (store/configured_store.hpp): the SQLite file at `path`, or
    // the MySQL or MariaDB database at `url`.
    struct Store {
        enum class Backend { sqlite, mysql } backend = Backend::sqlite;
        std::string path;
        std::string url;       // mysql://USER@HOST[:PORT]/DATABASE[?socket=PATH]
        std::string password;  // for `url`: a literal, env:NAME or file:PATH
        bool synchronous_full = true;
        Millis busy_timeout = 5000;
        // Read replicas of the database at `url` (reached with `password`),
        // for reads that may lag: mysql://USER@HOST[:PORT]/DATABASE.
        std::vector<std::string> replicas;
        Millis max_replica_lag = 2000;  // a replica further behind is not read
        bool on_file() const { return backend == Backend::sqlite; }
        // Where it is, for messages: the path, or the URL (it holds no password).
        const std::string& where() const { return on_file() ? path : url; }
    } store;

    struct Ingest {
        std::string listen;  // ZeroMQ endpoint for notifyctl
        std::string http;    // host:port, or "" for none
        long max_body_bytes = 0;
        long max_recipients = 0;
        long batch_max = 0;  // notifications per commit at most
        bool require_api_key = true;
        long max_connections = 0;         // open HTTP connections at most
        Millis http_idle_timeout = 0;     // a silent connection is closed after this
        Millis http_request_timeout = 0;  // one request's head and body must arrive in this
        long http_max_header_bytes = 0;   // all header lines of one request together
        long http_max_headers = 0;        // header lines in one request
        long http_max_url_bytes = 0;      // the request target
        bool secure_cookies = false;      // the dashboard's cookies carry Secure (behind https)
        // The router.control endpoint of each router sharing the store
        // (config_link.hpp): ingest talks to the one that delivers.
        std::vector<std::string> router;
    } ingest;

    // notifyctl, the client (config_link.hpp).
    struct Notifyctl {
        // The notify-ingest endpoints it tries in turn: where one cannot be
        // reached, or did not answer a request that is safe to ask again, the
        // next is asked.
        std::vector<std::string> ingest;
    } notifyctl;

    // Per API key, so that one team cannot starve the others (notify-ingest).
    struct Api {
        FrequencyCap rate_limit;      // requests per period; count 0: no limit
        long recipients_per_day = 0;  // recipients accepted per UTC day; 0: no limit
    } api;

    struct Router {
        std::string listen;   // workers connect here (ROUTER)
        std::string control;  // ingest and notifyctl: nudges, cancel, resend (ROUTER)
        Millis lease = 0;
        // How long the lease on the deliveries lasts without a renewal
        // (store/router_leases.hpp): another router takes over after it.
        Millis partition_lease = 0;
        // How many partitions the deliveries are divided into, each with a
        // lease of its own: every router sharing a store must say the same.
        long partitions = 0;
        static constexpr long kMaxPartitions = 256;
        Millis retry_min = 0;
        Millis retry_max = 0;
        long max_attempts = 0;
        Millis max_lifetime = 0;
        long share_medium = 0;  // percent of dispatches kept for medium when high has work
        long share_low = 0;     // percent kept for low
        long reserve_high = 0;  // percent of each worker's credit kept for high
        Millis sweep_interval = 0;
        Millis flush_interval = 0;
        Millis worker_timeout = 0;      // a silent worker is dropped after this
        long max_worker_deaths = 0;     // workers that may die holding a delivery before it fails
        Millis rollup_interval = 1000;  // how often report counts are written
        // A provider's circuit breaker (breakers.hpp): retryable failures in a
        // row that open it, its first cool-down, and the longest one.
        long breaker_failures = 3;
        Millis breaker_cooldown = 30'000;
        Millis breaker_cooldown_max = 600'000;
        // CURVE on `listen` (worker_auth.hpp): the router's secret key (or an
        // env:/file: reference) and the public keys of the workers let in.
        std::string curve_secret_key;
        std::vector<std::string> curve_workers;
    } router;

    struct Worker {
        // The routers' listen endpoints (config_link.hpp): one, or several,
        // each given an equal share of `concurrency`.
        std::vector<std::string> routers;
        long concurrency = 0;
        Millis timeout = 0;  // per provider request
        Millis heartbeat = 0;
        std::vector<std::string> channels;  // empty: all
        // CURVE to the routers: this worker's secret key (or an env:/file:
        // reference) and the routers' public keys, one for all of them or one
        // for each of `routers` in its order; both empty: none.
        std::string curve_secret_key;
        std::vector<std::string> router_public_keys;
    } worker;

    // Recurring sends (notify-priority-router, common/schedule).
    struct Schedules {
        Millis misfire_grace = 60'000;  // a firing handled later than this is a misfire
        long misfire_cap = 100;         // notifications made at most for missed firings (all)
        long max = 100'000;             // schedules at most
    } schedules;

    // The company calendar ([calendar]; common/calendar): the days and hours
    // people work, in one zone.
    struct Calendar {
        std::string timezone;      // an IANA name; "": this machine's zone
        unsigned workdays = 0x3e;  // bit N set: weekday N (0 Sunday) is a working day
        util::DayWindow hours{9 * 3600, 18 * 3600};  // working hours, within a day
        std::string file;                            // holidays and adjusted workdays; "": none
        long bulk_min = 1000;    // a send to this many recipients or more is bulk
        bool hold_bulk = false;  // low-priority bulk waits for working hours to end
    } calendar;

    struct Report {
        std::string timezone;  // where report days begin; "": the system's zone
    } report;

    struct Templates {
        std::string default_locale;  // tried after the requested locale and its language
    } templates;

    struct Preferences {
        std::vector<std::string> mandatory_categories;  // never opted out of or capped
        FrequencyCap frequency_cap;                     // per user and channel
        Millis dedup_window = 0;         // the same content to the same recipient: 0 is off
        std::string unsubscribe_url;     // base of one-click unsubscribe links
        std::string unsubscribe_secret;  // signs them; "" keeps a generated one in the store
        // Quiet hours of users who set none, in each user's zone: medium and
        // low deliveries wait for them to end. nullopt: none.
        std::optional<util::DayWindow> quiet_hours;
        std::vector<std::string> quiet_hours_exempt;  // categories that never wait
    } preferences;

    struct Tracking {
        bool opens = false;   // an invisible image in HTML email records `read`
        bool clicks = false;  // links in HTML email go through a redirect that records `clicked`
        std::string url;      // base of the tracking links, served by notify-ingest
        std::string secret;   // signs them; "" keeps a generated one in the store
    } tracking;

    // [inbox]: end users' access to their in-app inbox through notify-ingest.
    struct Inbox {
        std::string secret;                     // signs inbox tokens; "" keeps one in the store
        std::vector<std::string> cors_origins;  // origins whose pages may call; "*": any
        Millis stream_heartbeat = 15000;        // a comment line on each open stream this often
        long max_streams = 10000;               // open streams at once
    } inbox;

    // [otp]: one-time codes (POST /v1/otp).
    struct Otp {
        std::string secret;  // seals codes and keys their MACs; "": the store's
        std::string template_name = "one-time-code";  // what carries the code
        Millis ttl = 300000;                          // a code's life, unless the request says
        long length = 6;                              // digits, unless the request says
        long max_attempts = 5;                        // wrong codes before it is locked
        Millis resend_after = 30000;                  // between two codes to one recipient
        long hourly_sends = 5;                        // codes to one recipient in an hour
        FrequencyCap key_rate{600, 60000};            // codes one API key sends
    } otp;

    struct Bulk {
        long approval_threshold = 0;  // a send to more recipients waits for approval; 0: never
        long expand_batch = 0;        // deliveries written per step of a fan-out
    } bulk;

    // [recipient_limits]: per category ("*": every category), the caps on
    // deliveries to one recipient (a user, else an address) across every
    // channel and provider: "one-time-code" = ["5/1h", "10/1d"].
    std::map<std::string, std::vector<FrequencyCap>> recipient_limits;

    std::map<std::string, ProviderConfig> providers;
    std::map<std::string, ChannelConfig> channels;

    std::vector<Setting> settings;  // every scalar key with its origin

    std::vector<std::string> channel_names() const;
    const ProviderConfig* provider(const std::string& name) const;
    const ChannelConfig* channel(const std::string& name) const;
    // The type of the channel's first provider ("smtp", "webhook", "file", ...).
    std::string channel_type(const std::string& channel) const;
    // not ok ("unknown_channel", naming the known ones) unless `channel` is
    // configured; `field` is the input field the error names.
    Status check_channel(const std::string& channel, const std::string& field) const;
    // The cap for `channel`: its own, else preferences.frequency_cap.
    const FrequencyCap& frequency_cap(const std::string& channel) const;
    // True for categories that preferences and caps never suppress.
    bool is_mandatory(const std::string& category) const;
    // The recipient limits of `category`: its own, else those of "*"; none: empty.
    const std::vector<FrequencyCap>& recipient_limits_of(const std::string& category) const;
};

// "SUN", "MON", ... "SAT" for weekdays 0-6, as calendar.workdays names them.
const char* weekday_name(unsigned weekday);

// "5/1h": five per hour; "" is no cap.
Expected<FrequencyCap> parse_frequency_cap(const std::string& text);
// A cap as it is written: "20/1m"; a list of them joined by ", ", "none"
// when it is empty.
std::string frequency_cap_text(const FrequencyCap& cap);
std::string rate_limit_text(const std::vector<FrequencyCap>& limits);
// An API key's request rate: "100/1s"; "" or "none" is no limit.
Expected<FrequencyCap> parse_key_rate_limit(const std::string& text);

// The documented rate limits of a provider type that sets no `rate_limit`: the
// vendors' published limits for a robot or bot ("dingtalk-robot": 20/1m,
// "feishu-bot": 5/1s and 100/1m, ...); none for the others.
std::vector<FrequencyCap> default_rate_limit(const std::string& type);

// Finds and loads the configuration. `explicit_path` is --config (may be empty).
// A path that names a directory, a device or nothing readable is an error
// (no_input, exit 66), never a config of defaults.
Expected<Config> load_config(const std::string& explicit_path);
// The same for a --config that was `given` on the command line: an empty one
// ("--config ''") is an error too.
Expected<Config> load_config(const std::string& explicit_path, bool given);
// Loads from TOML text; `name` is used in messages. For tests.
Expected<Config> parse_config(const std::string& toml_text, const std::string& name);

// Resolves "env:NAME" and "file:/path" secret references; other text is literal.
Expected<std::string> resolve_secret(const std::string& value);

}  // namespace notify
