// key_limits.hpp - per API key limits, so that one team cannot starve the others:
// requests per period (api.rate_limit, "100/1s") and recipients accepted per
// UTC day (api.recipients_per_day), each overridable per key (notifyctl apikey
// create --rate-limit, --recipients-per-day). Only API keys are limited; the
// ipc socket (notifyctl) and anonymous requests are not.
//
// The counters live in memory on the loop thread and cost a hash lookup per
// request: a restart of notify-ingest starts every key afresh, both its request
// window and its count of the day's recipients. A refusal is 429 "rate_limited"
// with the limit's name as the error's field and a Retry-After in seconds.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>

#include "auth.hpp"
#include "config.hpp"
#include "util/error.hpp"

namespace notify::ingest {

struct LimitRefusal {
    Error error;           // rate_limited; field "rate_limit" or "recipients_per_day"
    long retry_after = 1;  // seconds
};

class KeyLimits {
  public:
    explicit KeyLimits(const Config& config) : defaults_(config.api) {}

    // Counts one request of `who`; a refusal when its rate limit is reached.
    std::optional<LimitRefusal> admit_request(const Principal& who, Millis now);
    // Takes `count` recipients from `who`'s allowance of the UTC day of `now`;
    // a refusal (and nothing taken) when that would exceed it.
    std::optional<LimitRefusal> reserve_recipients(const Principal& who, long count, Millis now);
    // Gives back recipients reserved but not stored (a replay, a conflict, a
    // failed commit).
    void release_recipients(const Principal& who, long count, Millis now);

  private:
    struct Counters {
        Millis window_start = 0;
        long requests = 0;
        long day = -1;  // days since the epoch of `recipients`
        long recipients = 0;
    };

    Config::Api defaults_;
    std::unordered_map<std::string, Counters> by_key_;
};

}  // namespace notify::ingest
