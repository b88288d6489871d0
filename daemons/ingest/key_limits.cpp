// key_limits.cpp - a fixed window of requests and a daily count of recipients
// per API key.
#include "key_limits.hpp"

#include <algorithm>

namespace notify::ingest {

namespace {

constexpr Millis kDay = 24 * 3600 * 1000;

long seconds_until(Millis later, Millis now) {
    return later <= now ? 1 : (later - now + 999) / 1000;
}

}  // namespace

std::optional<LimitRefusal> KeyLimits::admit_request(const Principal& who, Millis now) {
    if (!who.is_key()) return std::nullopt;
    const FrequencyCap& cap = who.rate_limit ? *who.rate_limit : defaults_.rate_limit;
    if (cap.count <= 0 || cap.period <= 0) return std::nullopt;
    Counters& c = by_key_[who.id];
    if (now < c.window_start || now >= c.window_start + cap.period) {
        c.window_start = now;
        c.requests = 0;
    }
    if (c.requests >= cap.count) {
        return LimitRefusal{
            make_error(ErrorKind::temporary, "rate_limited",
                       "API key '" + who.name + "' made more than " + std::to_string(cap.count) +
                           " requests in " + util::format_duration(cap.period) +
                           " (its rate_limit); try again after the Retry-After seconds",
                       "rate_limit"),
            seconds_until(c.window_start + cap.period, now)};
    }
    ++c.requests;
    return std::nullopt;
}

std::optional<LimitRefusal> KeyLimits::reserve_recipients(const Principal& who, long count,
                                                          Millis now) {
    if (!who.is_key() || count <= 0) return std::nullopt;
    long limit = who.recipients_per_day ? *who.recipients_per_day : defaults_.recipients_per_day;
    if (limit <= 0) return std::nullopt;
    Counters& c = by_key_[who.id];
    long today = static_cast<long>(now / kDay);
    if (c.day != today) {
        c.day = today;
        c.recipients = 0;
    }
    if (c.recipients + count > limit) {
        return LimitRefusal{
            make_error(ErrorKind::temporary, "rate_limited",
                       "API key '" + who.name + "' may send to " + std::to_string(limit) +
                           " recipients a day (its recipients_per_day); " +
                           std::to_string(c.recipients) + " are sent today and this request has " +
                           std::to_string(count),
                       "recipients_per_day"),
            seconds_until((today + 1) * kDay, now)};
    }
    c.recipients += count;
    return std::nullopt;
}

void KeyLimits::release_recipients(const Principal& who, long count, Millis now) {
    if (!who.is_key() || count <= 0) return;
    auto it = by_key_.find(who.id);
    if (it == by_key_.end() || it->second.day != static_cast<long>(now / kDay)) return;
    it->second.recipients = std::max(0L, it->second.recipients - count);
}

}  // namespace notify::ingest
