#include "config.hpp"
#include "config_calendar.hpp"
#include "config_link.hpp"
#include "config_secret.hpp"
#include "config_tables.hpp"
#include "provider_type.hpp"
#include "store/mysql_url.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <toml++/toml.h>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "util/log.hpp"
#include "util/strings.hpp"

namespace notify {

namespace {

// string_list: a TOML array of strings; one_or_list: a string or such an array.
// Both are held as text, the strings joined by commas.
enum class KeyType { string, integer, boolean, duration, string_list, one_or_list };

struct KeyDef {
    const char* key;
    KeyType type;
    const char* def;      // default as text; "{runtime_dir}" and "{state_dir}" are expanded
    bool secret = false;  // `config show` and messages print "********" or its reference
};

// Every scalar key, declared once. notify.toml(5) documents each.
const KeyDef kKeys[] = {
    {"runtime_dir", KeyType::string, "{default_runtime_dir}"},
    {"log.level", KeyType::string, "info"},
    {"store.backend", KeyType::string, "sqlite"},
    {"store.path", KeyType::string, "{default_store_path}"},
    {"store.url", KeyType::string, ""},
    {"store.password", KeyType::string, "", true},
    {"store.synchronous", KeyType::string, "full"},
    {"store.busy_timeout", KeyType::duration, "5s"},
    {"store.replicas", KeyType::string_list, ""},
    {"store.max_replica_lag", KeyType::duration, "2s"},
    {"ingest.listen", KeyType::string, "ipc://{runtime_dir}/ingest.sock"},
    {"notifyctl.ingest", KeyType::one_or_list, "{ingest.listen}"},
    {"ingest.http", KeyType::string, "127.0.0.1:8025"},
    {"ingest.max_body_bytes", KeyType::integer, "1048576"},
    {"ingest.max_recipients", KeyType::integer, "1000"},
    {"ingest.batch_max", KeyType::integer, "2000"},
    {"ingest.require_api_key", KeyType::boolean, "true"},
    {"ingest.max_connections", KeyType::integer, "1024"},
    {"ingest.http_idle_timeout", KeyType::duration, "30s"},
    {"ingest.http_request_timeout", KeyType::duration, "30s"},
    {"ingest.http_max_header_bytes", KeyType::integer, "16384"},
    {"ingest.http_max_headers", KeyType::integer, "100"},
    {"ingest.http_max_url_bytes", KeyType::integer, "8192"},
    {"ingest.secure_cookies", KeyType::boolean, "false"},
    {"api.rate_limit", KeyType::string, "none"},
    {"api.recipients_per_day", KeyType::integer, "0"},
    {"router.listen", KeyType::string, "ipc://{runtime_dir}/router.sock"},
    {"router.control", KeyType::string, "ipc://{runtime_dir}/router-control.sock"},
    {"ingest.router", KeyType::one_or_list, "{router.control}"},
    {"router.lease", KeyType::duration, "60s"},
    {"router.partition_lease", KeyType::duration, "5s"},
    {"router.partitions", KeyType::integer, "1"},
    {"router.retry_min", KeyType::duration, "5s"},
    {"router.retry_max", KeyType::duration, "10m"},
    {"router.max_attempts", KeyType::integer, "8"},
    {"router.max_lifetime", KeyType::duration, "1d"},
    {"router.share_medium", KeyType::integer, "10"},
    {"router.share_low", KeyType::integer, "5"},
    {"router.reserve_high", KeyType::integer, "10"},
    {"router.sweep_interval", KeyType::duration, "1s"},
    {"router.flush_interval", KeyType::duration, "5ms"},
    {"router.worker_timeout", KeyType::duration, "10s"},
    {"router.max_worker_deaths", KeyType::integer, "3"},
    {"router.rollup_interval", KeyType::duration, "1s"},
    {"router.breaker_failures", KeyType::integer, "3"},
    {"router.breaker_cooldown", KeyType::duration, "30s"},
    {"router.breaker_cooldown_max", KeyType::duration, "10m"},
    {"worker.router", KeyType::one_or_list, "{router.listen}"},
    {"worker.concurrency", KeyType::integer, "256"},
    {"worker.timeout", KeyType::duration, "30s"},
    {"worker.heartbeat", KeyType::duration, "1s"},
    {"worker.channels", KeyType::string_list, ""},
    {"router.curve_secret_key", KeyType::string, "", true},
    {"router.curve_workers", KeyType::string_list, ""},
    {"worker.curve_secret_key", KeyType::string, "", true},
    {"worker.router_public_key", KeyType::one_or_list, ""},
    {"templates.default_locale", KeyType::string, "en"},
    {"preferences.mandatory_categories", KeyType::string_list, "security,one-time-code"},
    {"preferences.frequency_cap", KeyType::string, ""},
    {"preferences.dedup_window", KeyType::duration, "0s"},
    {"preferences.unsubscribe_url", KeyType::string, "http://{ingest.http}/v1/unsubscribe"},
    {"preferences.unsubscribe_secret", KeyType::string, "", true},
    {"preferences.quiet_hours", KeyType::string, ""},
    {"preferences.quiet_hours_exempt", KeyType::string_list, "security,one-time-code"},
    {"tracking.opens", KeyType::boolean, "false"},
    {"tracking.clicks", KeyType::boolean, "false"},
    {"tracking.url", KeyType::string, "http://{ingest.http}/v1/track"},
    {"tracking.secret", KeyType::string, "", true},
    {"inbox.secret", KeyType::string, "", true},
    {"inbox.cors_origins", KeyType::string_list, ""},
    {"inbox.stream_heartbeat", KeyType::duration, "15s"},
    {"inbox.max_streams", KeyType::integer, "10000"},
    {"otp.secret", KeyType::string, "", true},
    {"otp.template", KeyType::string, "one-time-code"},
    {"otp.ttl", KeyType::duration, "5m"},
    {"otp.length", KeyType::integer, "6"},
    {"otp.max_attempts", KeyType::integer, "5"},
    {"otp.resend_after", KeyType::duration, "30s"},
    {"otp.hourly_sends", KeyType::integer, "5"},
    {"otp.key_rate", KeyType::string, "600/1m"},
    {"bulk.approval_threshold", KeyType::integer, "10000"},
    {"bulk.expand_batch", KeyType::integer, "5000"},
    {"report.timezone", KeyType::string, ""},
    {"schedules.misfire_grace", KeyType::duration, "1m"},
    {"schedules.misfire_cap", KeyType::integer, "100"},
    {"schedules.max", KeyType::integer, "100000"},
    {"calendar.timezone", KeyType::string, ""},
    {"calendar.workdays", KeyType::string_list, "MON,TUE,WED,THU,FRI"},
    {"calendar.hours", KeyType::string, "09:00-18:00"},
    {"calendar.file", KeyType::string, ""},
    {"calendar.bulk_min", KeyType::integer, "1000"},
    {"calendar.hold_bulk", KeyType::boolean, "false"},  // true when [calendar] is set
};

std::string env_name(const std::string& key) {
    std::string out = "NOTIFY_";
    for (char c : key) out += (c == '.') ? '_' : static_cast<char>(std::toupper(c));
    return out;
}

// Under systemd, RuntimeDirectory= and StateDirectory= name the folders (the units
// run as an unprivileged user and with a private /tmp).
std::string default_runtime_dir() {
    if (const char* s = std::getenv("RUNTIME_DIRECTORY"); s && *s) return s;
    if (geteuid() == 0) return "/run/notify";
    if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x) return std::string(x) + "/notify";
    return "/tmp/notify-" + std::to_string(geteuid());
}

std::string default_store_path() {
    if (const char* s = std::getenv("STATE_DIRECTORY"); s && *s)
        return std::string(s) + "/notify.db";
    if (geteuid() == 0) return "/var/lib/notify/notify.db";
    if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x)
        return std::string(x) + "/notify/notify.db";
    if (const char* h = std::getenv("HOME"); h && *h)
        return std::string(h) + "/.local/state/notify/notify.db";
    return "notify.db";
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    size_t pos = 0;
    while ((pos = s.find(from, pos)) != std::string::npos) {
        s.replace(pos, from.size(), to);
        pos += to.size();
    }
    return s;
}

std::vector<std::string> key_names() {
    std::vector<std::string> out;
    for (const auto& k : kKeys) out.emplace_back(k.key);
    return out;
}

// Text form of a TOML scalar or string array, checked against the key's type.
Expected<std::string> scalar_text(const toml::node& node, KeyType type, const std::string& at,
                                  const std::string& key) {
    auto wrong = [&](const char* expect) {
        return config_error(at, "'" + key + "' must be " + expect);
    };
    switch (type) {
        case KeyType::string:
        case KeyType::duration:
            if (auto s = node.value<std::string>()) return *s;
            return wrong(type == KeyType::string ? "a string" : "a duration string like \"30s\"");
        case KeyType::integer:
            if (auto i = node.value<int64_t>()) return std::to_string(*i);
            return wrong("an integer");
        case KeyType::boolean:
            if (auto b = node.value<bool>()) return std::string(*b ? "true" : "false");
            return wrong("true or false");
        case KeyType::one_or_list:
            if (auto s = node.value<std::string>()) return *s;
            [[fallthrough]];
        case KeyType::string_list: {
            const auto* arr = node.as_array();
            const char* expect = type == KeyType::string_list ? "an array of strings"
                                                              : "a string or an array of strings";
            if (!arr) return wrong(expect);
            std::vector<std::string> parts;
            for (const auto& el : *arr) {
                auto s = el.value<std::string>();
                if (!s) return wrong(expect);
                // The strings are held joined by commas: one of its own would split it.
                if (s->find(',') != std::string::npos)
                    return config_error(at, "'" + key + "': '" + log::clip(*s, 200) +
                                                "' holds a comma, which no element may");
                parts.push_back(*s);
            }
            return util::join(parts, ",");
        }
    }
    return wrong("a value");
}

struct Values {
    std::map<std::string, Setting> by_key;
    const std::string& get(const std::string& k) const { return by_key.at(k).value; }
};

Status check_type(const KeyDef& def, const Setting& s) {
    auto bad = [&](const std::string& why) {
        return config_error(s.origin, "'" + s.key + "': " + why);
    };
    switch (def.type) {
        case KeyType::duration: {
            auto d = util::parse_duration(s.value);
            if (!d) return bad(d.error().message);
            break;
        }
        case KeyType::integer: {
            char* end = nullptr;
            std::strtol(s.value.c_str(), &end, 10);
            if (s.value.empty() || *end) return bad("'" + s.value + "' is not an integer");
            break;
        }
        case KeyType::boolean:
            if (s.value != "true" && s.value != "false") return bad("must be true or false");
            break;
        default:
            break;
    }
    return ok();
}

// [otp]'s bounds; key_rate is read here too.
Status check_otp(Config::Otp& o, const Values& v) {
    auto at = [&](const char* key) { return v.by_key.at(key).origin; };
    if (o.ttl < 10'000 || o.ttl > 3'600'000)
        return config_error(at("otp.ttl"), "'otp.ttl' must be from 10s to 1h");
    if (o.length < 4 || o.length > 10)
        return config_error(at("otp.length"), "'otp.length' must be from 4 to 10 digits");
    if (o.max_attempts < 1 || o.max_attempts > 100)
        return config_error(at("otp.max_attempts"), "'otp.max_attempts' must be from 1 to 100");
    if (o.resend_after < 0)
        return config_error(at("otp.resend_after"), "'otp.resend_after' must not be negative");
    if (o.hourly_sends < 1)
        return config_error(at("otp.hourly_sends"), "'otp.hourly_sends' must be at least 1");
    if (o.template_name.empty())
        return config_error(at("otp.template"), "'otp.template' must name a template");
    auto rate = parse_key_rate_limit(v.get("otp.key_rate"));
    if (!rate || rate->count <= 0)
        return config_error(at("otp.key_rate"),
                            "'otp.key_rate' must be N/PERIOD, such as \"600/1m\"");
    o.key_rate = *rate;
    return ok();
}

// store.replicas, each a URL as store.url is; only for a MySQL store.
Status bind_replicas(Config::Store& s, const store::MariaTarget& leader, const Values& v) {
    const std::string& origin = v.by_key.at("store.replicas").origin;
    const std::string& listed = v.get("store.replicas");
    if (listed.empty()) return ok();
    for (const auto& url : util::split(listed, ',')) {
        auto target = store::parse_mysql_url(url, "store.replicas");
        if (!target) return config_error(origin, target.error().message);
        if (target->host == leader.host && target->port == leader.port &&
            target->socket == leader.socket && target->database == leader.database)
            return config_error(origin, "'store.replicas' lists the leader, store.url");
        s.replicas.push_back(url);
    }
    return ok();
}

// store.backend, and for "mysql" the URL it needs.
Status bind_store_backend(Config::Store& s, const Values& v) {
    const std::string& backend = v.get("store.backend");
    const std::string& url = v.get("store.url");
    const std::string& url_origin = v.by_key.at("store.url").origin;
    if (backend == "sqlite") {
        if (!url.empty())
            return config_error(url_origin,
                                "'store.url' is for store.backend = \"mysql\"; the SQLite "
                                "store is store.path");
        if (!v.get("store.replicas").empty())
            return config_error(v.by_key.at("store.replicas").origin,
                                "'store.replicas' is for store.backend = \"mysql\"; a SQLite "
                                "store has no replicas");
        return ok();
    }
    if (backend != "mysql")
        return config_error(v.by_key.at("store.backend").origin,
                            "'store.backend' must be \"sqlite\" or \"mysql\"");
    s.backend = Config::Store::Backend::mysql;
    if (url.empty())
        return config_error(v.by_key.at("store.backend").origin,
                            "store.backend = \"mysql\" needs 'store.url' "
                            "(mysql://USER@HOST[:PORT]/DATABASE)");
    auto target = store::parse_mysql_url(url);
    if (!target) return config_error(url_origin, target.error().message);
    s.url = url;
    s.password = v.get("store.password");
    return bind_replicas(s, *target, v);
}

Status bind(Config& c, const Values& v) {
    auto dur = [&](const char* k) { return *util::parse_duration(v.get(k)); };
    auto num = [&](const char* k) { return std::strtol(v.get(k).c_str(), nullptr, 10); };
    c.runtime_dir = v.get("runtime_dir");
    c.log_level = v.get("log.level");
    c.store.path = v.get("store.path");
    if (auto st = bind_store_backend(c.store, v); !st) return st;
    const std::string& sync = v.get("store.synchronous");
    if (sync != "full" && sync != "normal")
        return config_error(v.by_key.at("store.synchronous").origin,
                            "'store.synchronous' must be \"full\" or \"normal\"");
    c.store.synchronous_full = sync == "full";
    c.store.busy_timeout = dur("store.busy_timeout");
    c.store.max_replica_lag = dur("store.max_replica_lag");
    c.ingest.listen = v.get("ingest.listen");
    c.ingest.http = v.get("ingest.http");
    c.ingest.max_body_bytes = num("ingest.max_body_bytes");
    c.ingest.max_recipients = num("ingest.max_recipients");
    c.ingest.batch_max = num("ingest.batch_max");
    c.ingest.require_api_key = v.get("ingest.require_api_key") == "true";
    c.ingest.secure_cookies = v.get("ingest.secure_cookies") == "true";
    c.ingest.max_connections = num("ingest.max_connections");
    c.ingest.http_idle_timeout = dur("ingest.http_idle_timeout");
    c.ingest.http_request_timeout = dur("ingest.http_request_timeout");
    c.ingest.http_max_header_bytes = num("ingest.http_max_header_bytes");
    c.ingest.http_max_headers = num("ingest.http_max_headers");
    c.ingest.http_max_url_bytes = num("ingest.http_max_url_bytes");
    auto key_rate = parse_key_rate_limit(v.get("api.rate_limit"));
    if (!key_rate)
        return config_error(v.by_key.at("api.rate_limit").origin,
                            "'api.rate_limit': " + key_rate.error().message);
    c.api.rate_limit = *key_rate;
    c.api.recipients_per_day = num("api.recipients_per_day");
    if (c.api.recipients_per_day < 0)
        return config_error(v.by_key.at("api.recipients_per_day").origin,
                            "'api.recipients_per_day' must be 0 (no limit) or more");
    c.router.listen = v.get("router.listen");
    c.router.control = v.get("router.control");
    c.router.lease = dur("router.lease");
    c.router.partition_lease = dur("router.partition_lease");
    if (c.router.partition_lease < 1000 || c.router.partition_lease > 600'000)
        return config_error(v.by_key.at("router.partition_lease").origin,
                            "'router.partition_lease' must be between 1s and 10m");
    c.router.partitions = num("router.partitions");
    if (c.router.partitions < 1 || c.router.partitions > Config::Router::kMaxPartitions)
        return config_error(v.by_key.at("router.partitions").origin,
                            "'router.partitions' must be between 1 and " +
                                std::to_string(Config::Router::kMaxPartitions));
    c.router.retry_min = dur("router.retry_min");
    c.router.retry_max = dur("router.retry_max");
    c.router.max_attempts = num("router.max_attempts");
    c.router.max_lifetime = dur("router.max_lifetime");
    c.router.share_medium = num("router.share_medium");
    c.router.share_low = num("router.share_low");
    c.router.reserve_high = num("router.reserve_high");
    c.router.sweep_interval = dur("router.sweep_interval");
    c.router.flush_interval = dur("router.flush_interval");
    c.router.worker_timeout = dur("router.worker_timeout");
    c.router.max_worker_deaths = num("router.max_worker_deaths");
    c.router.rollup_interval = dur("router.rollup_interval");
    if (c.router.max_worker_deaths < 1)
        return config_error(v.by_key.at("router.max_worker_deaths").origin,
                            "'router.max_worker_deaths' must be at least 1");
    c.router.breaker_failures = num("router.breaker_failures");
    c.router.breaker_cooldown = dur("router.breaker_cooldown");
    c.router.breaker_cooldown_max = dur("router.breaker_cooldown_max");
    if (c.router.breaker_failures < 1 || c.router.breaker_failures > 1000)
        return config_error(v.by_key.at("router.breaker_failures").origin,
                            "'router.breaker_failures' must be between 1 and 1000");
    if (c.router.breaker_cooldown < 100 || c.router.breaker_cooldown > 3'600'000)
        return config_error(v.by_key.at("router.breaker_cooldown").origin,
                            "'router.breaker_cooldown' must be between 100ms and 1h");
    if (c.router.breaker_cooldown_max < c.router.breaker_cooldown ||
        c.router.breaker_cooldown_max > 86'400'000)
        return config_error(v.by_key.at("router.breaker_cooldown_max").origin,
                            "'router.breaker_cooldown_max' must be at least "
                            "'router.breaker_cooldown' and at most 1d");
    c.worker.concurrency = num("worker.concurrency");
    c.worker.timeout = dur("worker.timeout");
    c.worker.heartbeat = dur("worker.heartbeat");
    c.templates.default_locale = v.get("templates.default_locale");
    const std::string& mandatory = v.get("preferences.mandatory_categories");
    if (!mandatory.empty()) c.preferences.mandatory_categories = util::split(mandatory, ',');
    auto cap = parse_frequency_cap(v.get("preferences.frequency_cap"));
    if (!cap)
        return config_error(v.by_key.at("preferences.frequency_cap").origin, cap.error().message);
    c.preferences.frequency_cap = *cap;
    if (const std::string& quiet = v.get("preferences.quiet_hours"); !quiet.empty()) {
        auto window = util::parse_day_window(quiet, util::WindowRule::across_midnight);
        if (!window)
            return config_error(v.by_key.at("preferences.quiet_hours").origin,
                                "'preferences.quiet_hours': " + window.error().message);
        c.preferences.quiet_hours = *window;
    }
    if (const std::string& exempt = v.get("preferences.quiet_hours_exempt"); !exempt.empty())
        c.preferences.quiet_hours_exempt = util::split(exempt, ',');
    c.preferences.dedup_window = dur("preferences.dedup_window");
    c.preferences.unsubscribe_url = v.get("preferences.unsubscribe_url");
    c.preferences.unsubscribe_secret = v.get("preferences.unsubscribe_secret");
    c.tracking.opens = v.get("tracking.opens") == "true";
    c.tracking.clicks = v.get("tracking.clicks") == "true";
    c.tracking.url = v.get("tracking.url");
    c.tracking.secret = v.get("tracking.secret");
    if ((c.tracking.opens || c.tracking.clicks) && !util::starts_with(c.tracking.url, "http://") &&
        !util::starts_with(c.tracking.url, "https://"))
        return config_error(v.by_key.at("tracking.url").origin,
                            "'tracking.url' must be an http:// or https:// address");
    c.inbox.secret = v.get("inbox.secret");
    if (const std::string& origins = v.get("inbox.cors_origins"); !origins.empty())
        c.inbox.cors_origins = util::split(origins, ',');
    for (const auto& origin : c.inbox.cors_origins)
        if (origin != "*" && !util::starts_with(origin, "http://") &&
            !util::starts_with(origin, "https://"))
            return config_error(v.by_key.at("inbox.cors_origins").origin,
                                "'inbox.cors_origins': '" + origin +
                                    "' is not \"*\" or an origin such as "
                                    "\"https://app.example.com\"");
    c.inbox.stream_heartbeat = dur("inbox.stream_heartbeat");
    if (c.inbox.stream_heartbeat < 1000)
        return config_error(v.by_key.at("inbox.stream_heartbeat").origin,
                            "'inbox.stream_heartbeat' must be at least 1s");
    c.inbox.max_streams = num("inbox.max_streams");
    if (c.inbox.max_streams < 0)
        return config_error(v.by_key.at("inbox.max_streams").origin,
                            "'inbox.max_streams' must be 0 (no streams) or more");
    c.otp.secret = v.get("otp.secret");
    c.otp.template_name = v.get("otp.template");
    c.otp.ttl = dur("otp.ttl");
    c.otp.length = num("otp.length");
    c.otp.max_attempts = num("otp.max_attempts");
    c.otp.resend_after = dur("otp.resend_after");
    c.otp.hourly_sends = num("otp.hourly_sends");
    if (auto st = check_otp(c.otp, v); !st) return st.error();
    if (auto st = bind_link(c, v.by_key); !st) return st.error();
    c.bulk.approval_threshold = num("bulk.approval_threshold");
    c.bulk.expand_batch = num("bulk.expand_batch");
    if (c.bulk.expand_batch < 1)
        return config_error(v.by_key.at("bulk.expand_batch").origin,
                            "'bulk.expand_batch' must be at least 1");
    c.schedules.misfire_grace = dur("schedules.misfire_grace");
    c.schedules.misfire_cap = num("schedules.misfire_cap");
    c.schedules.max = num("schedules.max");
    for (const char* key : {"schedules.misfire_cap", "schedules.max"})
        if (num(key) < 1)
            return config_error(v.by_key.at(key).origin,
                                std::string("'") + key + "' must be at least 1");
    if (c.schedules.misfire_cap > 1000)
        return config_error(v.by_key.at("schedules.misfire_cap").origin,
                            "'schedules.misfire_cap' must be at most 1000");
    c.report.timezone = v.get("report.timezone");
    if (auto zone = util::check_zone(c.report.timezone); !zone)
        return config_error(v.by_key.at("report.timezone").origin, zone.error().message);
    const std::string& chans = v.get("worker.channels");
    if (!chans.empty()) c.worker.channels = util::split(chans, ',');
    if (c.ingest.max_body_bytes < 1024)
        return config_error(v.by_key.at("ingest.max_body_bytes").origin,
                            "'ingest.max_body_bytes' must be at least 1024");
    for (const char* key : {"ingest.max_connections", "ingest.http_max_header_bytes",
                            "ingest.http_max_headers", "ingest.http_max_url_bytes"})
        if (num(key) < 1)
            return config_error(v.by_key.at(key).origin,
                                std::string("'") + key + "' must be at least 1");
    for (const char* key : {"ingest.http_idle_timeout", "ingest.http_request_timeout"})
        if (dur(key) < 1000)
            return config_error(v.by_key.at(key).origin,
                                std::string("'") + key + "' must be at least 1s");
    if (c.router.max_attempts < 1 || c.worker.concurrency < 1 || c.ingest.batch_max < 1)
        return config_error(c.file.empty() ? "config" : c.file,
                            "router.max_attempts, worker.concurrency and ingest.batch_max must "
                            "be at least 1");
    if (c.router.lease <= 0 || c.router.retry_min <= 0 || c.router.retry_max < c.router.retry_min)
        return config_error(c.file.empty() ? "config" : c.file,
                            "router.lease and router.retry_min must be positive, and "
                            "router.retry_max at least router.retry_min");
    if (c.worker.timeout >= c.router.lease)
        return config_error(v.by_key.at("worker.timeout").origin,
                            "'worker.timeout' (" + util::format_duration(c.worker.timeout) +
                                ") must be shorter than 'router.lease' (" +
                                util::format_duration(c.router.lease) + ")");
    if (c.router.reserve_high < 0 || c.router.reserve_high > 90)
        return config_error(v.by_key.at("router.reserve_high").origin,
                            "'router.reserve_high' must be between 0 and 90");
    if (c.router.share_medium < 0 || c.router.share_low < 0 ||
        c.router.share_medium + c.router.share_low > 90)
        return config_error(c.file.empty() ? "config" : c.file,
                            "router.share_medium + router.share_low must be between 0 and 90");
    return bind_calendar(c, v.by_key);
}

// Walks the file's scalar keys, checks each is declared, and records it.
Status read_scalars(Values& values, const toml::table& tbl, const std::string& prefix,
                    const std::string& name) {
    for (const auto& [k, node] : tbl) {
        std::string key =
            prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
        if (prefix.empty() &&
            (key == "providers" || key == "channels" || key == "recipient_limits"))
            continue;
        if (node.is_table()) {
            if (!prefix.empty())
                return config_error(where(name, node), "unknown table '" + key + "'");
            auto st = read_scalars(values, *node.as_table(), key, name);
            if (!st) return st;
            continue;
        }
        const KeyDef* def = nullptr;
        for (const auto& d : kKeys)
            if (key == d.key) def = &d;
        if (!def)
            return config_error(where(name, node),
                                "unknown key '" + key + "'" + util::did_you_mean(key, key_names()));
        std::string at = where(name, node);
        auto text = scalar_text(node, def->type, at, key);
        if (!text) return text.error();
        values.by_key[key] = Setting{key, *text, at};
    }
    return ok();
}

Expected<Config> build(const toml::table* root, const std::string& name) {
    Config c;
    c.file = name;
    Values values;
    if (root) {
        auto st = read_scalars(values, *root, "", name);
        if (!st) return st.error();
    }
    // Environment beats the file; defaults fill the rest.
    for (const auto& d : kKeys) {
        std::string env = env_name(d.key);
        if (const char* e = std::getenv(env.c_str()))
            values.by_key[d.key] = Setting{d.key, e, "env " + env};
        else if (!values.by_key.count(d.key))
            values.by_key[d.key] = Setting{d.key, d.def, "default"};
    }
    default_hold_bulk(values.by_key);
    // Expand references in the order of declaration (runtime_dir first).
    for (const auto& d : kKeys) {
        Setting& s = values.by_key[d.key];
        s.value = replace_all(s.value, "{default_runtime_dir}", default_runtime_dir());
        s.value = replace_all(s.value, "{default_store_path}", default_store_path());
        s.value = replace_all(s.value, "{runtime_dir}", values.by_key["runtime_dir"].value);
        s.value = replace_all(s.value, "{router.listen}", values.by_key["router.listen"].value);
        s.value = replace_all(s.value, "{router.control}", values.by_key["router.control"].value);
        s.value = replace_all(s.value, "{ingest.listen}", values.by_key["ingest.listen"].value);
        s.value = replace_all(s.value, "{ingest.http}", values.by_key["ingest.http"].value);
        auto st = check_type(d, s);
        if (!st) return st.error();
    }
    auto st = bind(c, values);
    if (!st) return st.error();
    for (const auto& d : kKeys) c.settings.push_back(values.by_key[d.key]);
    if (root) {
        st = read_providers(c, *root, name);
        if (!st) return st.error();
        st = read_channels(c, *root, name);
        if (!st) return st.error();
        st = read_recipient_limits(c, *root, name);
        if (!st) return st.error();
    }
    if (c.providers.empty() && c.channels.empty()) {
        // The embedded default: an outbox file beside the store.
        std::string dir = std::filesystem::path(c.store.path).parent_path().string();
        std::string outbox = (dir.empty() ? std::string(".") : dir) + "/outbox.jsonl";
        c.providers["outbox"] =
            ProviderConfig{"outbox", "file", "{\"type\":\"file\",\"path\":\"" + outbox + "\"}", 0,
                           default_rate_limit("file")};
        c.channels["outbox"] = ChannelConfig{"outbox", {"outbox"}, {}, {}};
    }
    return c;
}

Expected<Config> parse_text(const std::string& text, const std::string& name) {
    try {
        toml::table root = toml::parse(text, name);
        return build(&root, name);
    } catch (const toml::parse_error& e) {
        return config_error(name + ":" + std::to_string(e.source().begin.line),
                            std::string(e.description()));
    }
}

}  // namespace

std::vector<std::string> Config::channel_names() const {
    std::vector<std::string> out;
    for (const auto& [n, _] : channels) out.push_back(n);
    return out;
}

const ProviderConfig* Config::provider(const std::string& name) const {
    auto it = providers.find(name);
    return it == providers.end() ? nullptr : &it->second;
}

const ChannelConfig* Config::channel(const std::string& name) const {
    auto it = channels.find(name);
    return it == channels.end() ? nullptr : &it->second;
}

std::string Config::channel_type(const std::string& name) const {
    const ChannelConfig* ch = channel(name);
    if (!ch || ch->providers.empty()) return "";
    const ProviderConfig* p = provider(ch->providers.front());
    return p ? p->type : "";
}

Expected<FrequencyCap> parse_frequency_cap(const std::string& text) {
    if (text.empty()) return FrequencyCap{};
    auto slash = text.find('/');
    auto bad = [&] {
        return make_error(
            ErrorKind::invalid, "invalid_config",
            "frequency cap '" + text + "' must be COUNT/PERIOD, like \"5/1h\" (five per hour)");
    };
    if (slash == std::string::npos || slash == 0) return bad();
    char* end = nullptr;
    long count = std::strtol(text.c_str(), &end, 10);
    if (end != text.c_str() + slash || count < 1) return bad();
    auto period = util::parse_duration(text.substr(slash + 1));
    if (!period || *period <= 0) return bad();
    return FrequencyCap{count, *period};
}

Expected<FrequencyCap> parse_key_rate_limit(const std::string& text) {
    if (text.empty() || text == "none") return FrequencyCap{};
    auto cap = parse_frequency_cap(text);
    if (!cap)
        return make_error(ErrorKind::invalid, "invalid_rate_limit",
                          "rate limit '" + text +
                              "' must be COUNT/PERIOD, like \"100/1s\" (a hundred requests a "
                              "second), or \"none\"");
    return cap;
}

std::string frequency_cap_text(const FrequencyCap& cap) {
    return std::to_string(cap.count) + "/" + util::format_duration(cap.period);
}

std::string rate_limit_text(const std::vector<FrequencyCap>& limits) {
    std::vector<std::string> parts;
    for (const auto& l : limits) parts.push_back(frequency_cap_text(l));
    return parts.empty() ? "none" : util::join(parts, ", ");
}

std::vector<FrequencyCap> default_rate_limit(const std::string& type) {
    const ProviderType* t = find_provider_type(type);
    return t ? t->rate_limit : std::vector<FrequencyCap>{};
}

Status Config::check_channel(const std::string& name, const std::string& field) const {
    if (channel(name)) return ok();
    return make_error(ErrorKind::invalid, "unknown_channel",
                      "unknown channel '" + name + "'" + util::did_you_mean(name, channel_names()) +
                          " (known: " + util::join(channel_names(), ", ") + ")",
                      field);
}

const FrequencyCap& Config::frequency_cap(const std::string& channel_name) const {
    const ChannelConfig* ch = channel(channel_name);
    if (ch && ch->frequency_cap.count) return ch->frequency_cap;
    return preferences.frequency_cap;
}

const std::vector<FrequencyCap>& Config::recipient_limits_of(const std::string& category) const {
    static const std::vector<FrequencyCap> none;
    auto it = recipient_limits.find(category);
    if (it == recipient_limits.end()) it = recipient_limits.find("*");
    return it == recipient_limits.end() ? none : it->second;
}

bool Config::is_mandatory(const std::string& category) const {
    if (category.empty()) return false;
    for (const auto& m : preferences.mandatory_categories)
        if (m == category) return true;
    return false;
}

Expected<Config> parse_config(const std::string& toml_text, const std::string& name) {
    return parse_text(toml_text, name);
}

Expected<Config> load_config(const std::string& explicit_path, bool given) {
    if (given && explicit_path.empty())
        return make_error(ErrorKind::no_input, "no_config",
                          "cannot read config '': --config names no file");
    return load_config(explicit_path);
}

Expected<Config> load_config(const std::string& explicit_path) {
    std::string path = explicit_path;
    bool must_exist = !path.empty();
    if (path.empty()) {
        if (const char* e = std::getenv("NOTIFY_CONFIG"); e && *e) {
            path = e;
            must_exist = true;
        }
    }
    if (path.empty()) {
        for (const char* candidate : {"./notify.toml", "/etc/notify/notify.toml"}) {
            if (access(candidate, F_OK) == 0) {
                path = candidate;
                break;
            }
        }
    }
    if (path.empty()) return build(nullptr, "");
    // A directory or a device reads as empty text, which would pass for a
    // config of defaults: refuse what is not a regular file.
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
        return make_error(ErrorKind::no_input, "no_config",
                          "cannot read config '" + path + "': " +
                              (S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file"));
    std::string text;
    if (!util::read_file(path, text)) {
        if (must_exist || access(path.c_str(), F_OK) == 0)
            return make_error(ErrorKind::no_input, "no_config",
                              "cannot read config '" + path + "': " + std::strerror(errno));
        return build(nullptr, "");
    }
    return parse_text(text, path);
}

bool is_secret_setting(const std::string& key) {
    for (const auto& d : kKeys)
        if (key == d.key) return d.secret;
    return false;
}

Expected<std::string> resolve_secret(const std::string& value) {
    if (util::starts_with(value, "env:")) {
        std::string name = value.substr(4);
        const char* v = std::getenv(name.c_str());
        if (!v)
            return make_error(ErrorKind::invalid, "missing_secret",
                              "environment variable '" + name + "' is not set");
        return std::string(v);
    }
    if (util::starts_with(value, "file:")) {
        std::string path = value.substr(5), text;
        if (!util::read_file(path, text))
            return make_error(ErrorKind::invalid, "missing_secret",
                              "cannot read secret file '" + path + "'");
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
        return text;
    }
    return value;
}

}  // namespace notify
