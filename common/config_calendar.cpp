// config_calendar.cpp - [calendar]: the zone, the working days and hours, the
// override file and the size of a bulk send, checked and bound to
// Config::Calendar. The override file itself is read by common/calendar.
#include "config_calendar.hpp"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <optional>

#include "util/log.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify {

namespace {

constexpr const char* kWeekdayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

Error invalid(const Setting& s, const std::string& what) {
    return make_error(ErrorKind::invalid, "invalid_config", s.origin + ": '" + s.key + "'" + what);
}

// ["MON", "TUE", ...] (joined with commas by the key table), any case.
Expected<unsigned> read_workdays(const Setting& s) {
    const std::vector<std::string> names(std::begin(kWeekdayNames), std::end(kWeekdayNames));
    unsigned days = 0;
    for (const std::string& part : util::split(s.value, ',')) {
        const std::string name = util::to_upper(util::trim(part));
        if (name.empty()) continue;
        const auto at = std::find(names.begin(), names.end(), name);
        if (at == names.end())
            return invalid(s, ": unknown day '" + log::clip(part, 40) + "'" +
                                  util::did_you_mean(name, names) +
                                  " (MON, TUE, WED, THU, FRI, SAT, SUN)");
        const unsigned bit = 1u << (at - names.begin());
        if (days & bit) return invalid(s, " names " + name + " twice");
        days |= bit;
    }
    if (!days)
        return invalid(s,
                       " needs at least one day, like [\"MON\", \"TUE\", \"WED\", \"THU\", "
                       "\"FRI\"]");
    return days;
}

Status read_hours(Config::Calendar& calendar, const Setting& s) {
    auto hours = util::parse_day_window(s.value, util::WindowRule::within_a_day);
    if (!hours) return invalid(s, ": " + hours.error().message);
    calendar.hours = *hours;
    return ok();
}

}  // namespace

const char* weekday_name(unsigned weekday) {
    return kWeekdayNames[weekday % 7];
}

void default_hold_bulk(std::map<std::string, Setting>& settings) {
    Setting& hold = settings.at("calendar.hold_bulk");
    if (hold.origin != "default") return;
    for (const auto& [key, setting] : settings)
        if (util::starts_with(key, "calendar.") && setting.origin != "default") {
            hold.value = "true";
            hold.origin = "default ([calendar] is set)";
            return;
        }
}

Status bind_calendar(Config& c, const std::map<std::string, Setting>& settings) {
    Config::Calendar& calendar = c.calendar;
    const Setting& zone = settings.at("calendar.timezone");
    if (auto st = util::check_zone(zone.value); !st)
        return invalid(zone, ": " + st.error().message);
    calendar.timezone = zone.value;
    auto workdays = read_workdays(settings.at("calendar.workdays"));
    if (!workdays) return workdays.error();
    calendar.workdays = *workdays;
    if (auto st = read_hours(calendar, settings.at("calendar.hours")); !st) return st;
    // A relative path in the file is taken from the file's folder, so that
    // the two can move together; from the environment, from the working one.
    const Setting& file = settings.at("calendar.file");
    std::filesystem::path path = file.value;
    if (!path.empty() && path.is_relative() && !util::starts_with(file.origin, "env "))
        path = std::filesystem::path(c.file).parent_path() / path;
    // Absolute, so that a daemon that changes its directory still finds it.
    std::error_code failed;
    if (!path.empty()) path = std::filesystem::absolute(path, failed);
    calendar.file = path.lexically_normal().string();
    const Setting& bulk = settings.at("calendar.bulk_min");
    calendar.bulk_min = std::strtol(bulk.value.c_str(), nullptr, 10);
    if (calendar.bulk_min < 1) return invalid(bulk, " must be at least 1");
    calendar.hold_bulk = settings.at("calendar.hold_bulk").value == "true";
    return ok();
}

}  // namespace notify
