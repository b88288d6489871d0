#include "schedule/misfire.hpp"

#include "util/strings.hpp"

namespace notify::schedule {

const char* to_string(Misfire m) {
    switch (m) {
        case Misfire::all:
            return "all";
        case Misfire::skip:
            return "skip";
        default:
            return "once";
    }
}

Expected<Misfire> parse_misfire(std::string_view text) {
    for (Misfire m : {Misfire::once, Misfire::all, Misfire::skip})
        if (text == to_string(m)) return m;
    return make_error(ErrorKind::invalid, "invalid_misfire",
                      "the misfire policy is once, all or skip, not '" + std::string(text) + "'" +
                          util::did_you_mean(text, {"once", "all", "skip"}));
}

Plan plan(const Spec& spec, Millis due, Millis now, Misfire policy, Millis grace, std::size_t cap,
          std::int64_t count_limit) {
    Plan p;
    std::vector<Millis> late;  // kept only as far as `all` makes them
    std::optional<Millis> at = due;
    while (at && *at <= now) {
        if (now - *at <= grace) {
            p.make.push_back(*at);  // on time
        } else {
            if (p.late == 0) p.late_first = *at;
            p.late_last = *at;
            ++p.late;
            if (policy == Misfire::all && late.size() < cap)
                late.push_back(*at);
            else if (p.missed_first == 0)
                p.missed_first = *at;
            if (p.late >= count_limit) {
                at = spec.next_after(now);  // the rest are not walked one by one
                break;
            }
        }
        at = spec.next_after(*at);
    }
    p.next = at;
    if (p.late == 0) return p;
    if (policy == Misfire::once) {
        late = {p.late_last};
        p.missed_first = p.late > 1 ? p.late_first : 0;
    }
    if (policy == Misfire::skip) p.missed_first = p.late_first;
    if (policy == Misfire::skip) late.clear();
    p.missed = p.late - static_cast<std::int64_t>(late.size());
    // Late firings come before those on time.
    late.insert(late.end(), p.make.begin(), p.make.end());
    p.make = std::move(late);
    return p;
}

}  // namespace notify::schedule
