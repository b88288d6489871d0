// holds.cpp - working hours for low-priority bulk, quiet hours for users; see
// holds.hpp.
#include "holds.hpp"

#include <algorithm>

#include "calendar/window.hpp"
#include "util/log.hpp"

namespace notify::router {

namespace {

// Two rules that leave no time free between them (working hours 09:00-18:00
// every day, quiet hours 18:00-09:00) would hold forever: past this, quiet
// hours alone decide.
constexpr Millis kMaxCombinedHold = 7LL * 24 * 60 * 60 * 1000;
// How long the answer "no user keeps quiet hours of their own" is trusted.
constexpr Millis kQuietHoursCheck = 1000;

std::string origin_of(const Config& config, const std::string& key) {
    for (const Setting& s : config.settings)
        if (s.key == key) return s.origin;
    return "default";
}

}  // namespace

Holds::Holds(const Config& config, store::DirectoryStore& directory)
    : config_(config), directory_(directory) {}

Status Holds::start() {
    // The file matters only to bulk holds: without them a mistake in it
    // (which `config check` reports) does not keep the router from starting.
    Config::Calendar settings = config_.calendar;
    if (!settings.hold_bulk) settings.file.clear();
    auto cal = calendar::Calendar::load(settings);
    if (!cal) return cal.error();
    calendar_ = std::move(*cal);
    if (settings.hold_bulk)
        NLOG(info, "",
             "holds: low-priority bulk waits for working hours ("
                 << util::format_day_window(settings.hours) << " " << calendar_->zone().name()
                 << ") to end; calendar.hold_bulk=true from "
                 << origin_of(config_, "calendar.hold_bulk"));
    if (config_.preferences.quiet_hours)
        NLOG(info, "",
             "holds: users without quiet hours of their own keep "
                 << util::format_day_window(*config_.preferences.quiet_hours)
                 << " (preferences.quiet_hours)");
    return ok();
}

Millis Holds::working_hours_end(const Delivery& d, const NotificationFacts& facts,
                                Millis at) const {
    if (!config_.calendar.hold_bulk || !facts.bulk || d.priority != Priority::low || !calendar_)
        return at;
    return calendar_->working_hours_end(at);
}

const schedule::Zone& Holds::zone_of(const std::string& name) {
    if (name.empty()) return calendar_->zone();
    auto it = zones_.find(name);
    if (it == zones_.end()) {
        // A zone this machine does not know is remembered as such, and the
        // calendar's stands in for it.
        auto zone = schedule::Zone::named(name);
        it = zones_.emplace(name, zone ? std::optional(std::move(*zone)) : std::nullopt).first;
    }
    return it->second ? *it->second : calendar_->zone();
}

bool Holds::anyone_keeps_quiet_hours() {
    const Millis now = util::now_ms();
    if (now - quiet_checked_at_ >= kQuietHoursCheck) {
        anyone_quiet_ = directory_.any_quiet_hours();
        quiet_checked_at_ = now;
    }
    return anyone_quiet_;
}

std::optional<Holds::QuietHours> Holds::quiet_hours_of(const Delivery& d,
                                                       const NotificationFacts& facts) {
    if (d.user_id.empty() || d.priority == Priority::high || !calendar_) return std::nullopt;
    const auto& exempt = config_.preferences.quiet_hours_exempt;
    if (std::find(exempt.begin(), exempt.end(), facts.category()) != exempt.end())
        return std::nullopt;
    // With no default, only users who keep their own are asked about.
    if (!config_.preferences.quiet_hours && !anyone_keeps_quiet_hours()) return std::nullopt;
    auto user = directory_.quiet_hours_of(d.user_id);
    if (!user || user->quiet_hours == "off") return std::nullopt;
    std::optional<util::DayWindow> window = config_.preferences.quiet_hours;
    if (!user->quiet_hours.empty())
        if (auto own = util::parse_day_window(user->quiet_hours, util::WindowRule::across_midnight))
            window = *own;
    if (!window) return std::nullopt;
    return QuietHours{*window, &zone_of(user->timezone)};
}

std::optional<Hold> Holds::check(const Delivery& d, const NotificationFacts& facts, Millis at) {
    if (d.priority == Priority::high) return std::nullopt;
    const std::optional<QuietHours> quiet = quiet_hours_of(d, facts);
    auto quiet_end = [&](Millis t) {
        return quiet ? calendar::window_end(*quiet->zone, quiet->window, t) : t;
    };
    Millis until = at;
    bool by_quiet = false, by_working = false;
    // A hold that ends inside the other one lasts until that one ends too.
    for (;;) {
        const Millis before = until;
        if (const Millis end = quiet_end(until); end > until) {
            until = end;
            by_quiet = true;
        }
        if (const Millis end = working_hours_end(d, facts, until); end > until) {
            until = end;
            by_working = true;
        }
        if (until == before) break;
        if (until - at <= kMaxCombinedHold) continue;
        // Past a week: working hours alone end where the calendar says (a
        // year ahead at most); the two together may leave no time free.
        if (by_quiet && by_working) {
            NLOG(warning, d.notification_id,
                 "delivery=" << d.id
                             << " quiet hours and working hours leave no time free within a "
                                "week; quiet hours alone hold it");
            until = quiet_end(at);
            by_working = false;
            by_quiet = until > at;
        }
        break;
    }
    if (until <= at) return std::nullopt;
    return Hold{until, by_quiet && by_working ? "quiet hours and working hours"
                       : by_quiet             ? "quiet hours"
                                              : "working hours"};
}

}  // namespace notify::router
