// holds.cpp - working hours for low-priority bulk, quiet hours for users; see
// holds.hpp.
#include "holds.hpp"

#include <algorithm>

#include "calendar/window.hpp"

namespace notify::router {

namespace {

// Rounds of "a hold ends inside the other": two rules settle in a few.
constexpr int kMaxRounds = 8;

}  // namespace

Holds::Holds(const Config& config, store::DirectoryStore& directory)
    : config_(config), directory_(directory) {}

Status Holds::start() {
    auto cal = calendar::Calendar::load(config_.calendar);
    if (!cal) return cal.error();
    calendar_ = std::move(*cal);
    return ok();
}

Millis Holds::working_hours_end(const Delivery& d, const NotificationFacts& facts,
                                Millis at) const {
    if (!config_.calendar.hold_bulk || !facts.bulk || d.priority != Priority::low || !calendar_)
        return at;
    return calendar_->working_hours_end(at);
}

const schedule::Zone& Holds::zone_of(const std::string& name) {
    if (!name.empty()) {
        if (auto it = zones_.find(name); it != zones_.end()) return it->second;
        if (auto zone = schedule::Zone::named(name))
            return zones_.emplace(name, std::move(*zone)).first->second;
    }
    return calendar_->zone();
}

std::optional<Holds::QuietHours> Holds::quiet_hours_of(const Delivery& d,
                                                       const NotificationFacts& facts) {
    if (d.user_id.empty() || d.priority == Priority::high || !calendar_) return std::nullopt;
    const auto& exempt = config_.preferences.quiet_hours_exempt;
    if (std::find(exempt.begin(), exempt.end(), facts.category()) != exempt.end())
        return std::nullopt;
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
    Hold hold{at, {}};
    auto extend = [&](Millis end, const std::string& why) {
        if (end <= hold.until) return false;
        hold.until = end;
        if (!hold.why.ends_with(why)) hold.why += (hold.why.empty() ? "" : ", then ") + why;
        return true;
    };
    for (int round = 0; round < kMaxRounds; ++round) {
        const bool held_quiet =
            quiet &&
            extend(calendar::window_end(*quiet->zone, quiet->window, hold.until), "quiet hours");
        const bool held_working = extend(working_hours_end(d, facts, hold.until), "working hours");
        if (!held_quiet && !held_working) break;
    }
    if (hold.until <= at) return std::nullopt;
    return hold;
}

}  // namespace notify::router
