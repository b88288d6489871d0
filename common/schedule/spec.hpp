// spec.hpp - when a schedule fires: a cron expression in a time zone
// (firings.hpp), a period measured in absolute time from an anchor (`every`:
// 15m fires every 900 s whatever the wall clock does), or once at an instant
// (`at`); none after `until`.
#pragma once

#include <optional>
#include <string>

#include "schedule/cron.hpp"
#include "schedule/zone.hpp"

namespace notify::schedule {

struct Spec {
    enum class Kind { cron, every, at };
    Kind kind = Kind::at;
    std::optional<Cron> cron;  // cron
    std::optional<Zone> zone;  // cron
    Millis period = 0;         // every
    Millis anchor = 0;         // every: firings at anchor + k * period (k >= 1); at: the instant
    Millis until = 0;          // 0: no end

    // The first firing strictly after `t`; none once the schedule is spent.
    std::optional<Millis> next_after(Millis t) const;
    // "cron 0 9 * * MON-FRI Asia/Shanghai", "every 15m", "at 2026-12-05T10:00:00Z".
    std::string describe() const;
};

// A spec as a user writes it: exactly one of cron, every (a duration of at
// least one second) and at (a time, in the future); tz (an IANA zone, for
// cron; default the machine's) and until (a time after now). `anchor` is when
// an `every` counts from (the schedule's creation). Errors are invalid and
// name the field as `names` calls it.
struct SpecText {
    std::string cron, every, at, tz, until;
};
struct SpecNames {
    std::string cron, every, at, tz, until;
};
const SpecNames& spec_flag_names();   // --cron, --every, --at, --tz, --until
const SpecNames& spec_field_names();  // cron, every, at, timezone, until
Expected<Spec> parse_spec(const SpecText& text, Millis now, Millis anchor, const SpecNames& names);

constexpr Millis kMinPeriod = 1000;

// Invalid ("invalid_name", naming `field`) unless `name` is a schedule's name:
// 1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or a digit.
Status check_schedule_name(const std::string& name, const std::string& field);

}  // namespace notify::schedule
