// day_window.cpp - see day_window.hpp.
#include "util/day_window.hpp"

#include <cstdio>
#include <optional>

#include "util/log.hpp"
#include "util/strings.hpp"

namespace notify::util {

namespace {

// "9:00", "09:00" or "09:00:30" as seconds after midnight; "24:00" only as an end.
std::optional<int> read_clock(std::string_view text, bool end) {
    const std::vector<std::string> parts = split(text, ':');
    if (parts.size() != 2 && parts.size() != 3) return std::nullopt;
    if (parts[0].empty() || parts[0].size() > 2) return std::nullopt;
    for (std::size_t i = 1; i < parts.size(); ++i)
        if (parts[i].size() != 2) return std::nullopt;
    auto hour = parse_whole(parts[0], 0, 24);
    auto minute = parse_whole(parts[1], 0, 59);
    auto second = parts.size() == 3 ? parse_whole(parts[2], 0, 59) : std::optional<std::int64_t>(0);
    if (!hour || !minute || !second) return std::nullopt;
    if (*hour == 24 && (!end || *minute != 0 || *second != 0)) return std::nullopt;
    return static_cast<int>(*hour * 3600 + *minute * 60 + *second);
}

Error invalid(std::string_view text, const std::string& what) {
    return make_error(ErrorKind::invalid, "invalid_day_window",
                      "'" + log::clip(std::string(text), 40) + "' " + what);
}

}  // namespace

Expected<DayWindow> parse_day_window(std::string_view text, WindowRule rule) {
    const auto dash = text.find('-');
    auto start = read_clock(trim(text.substr(0, dash)), false);
    auto end = dash == std::string_view::npos ? std::nullopt
                                              : read_clock(trim(text.substr(dash + 1)), true);
    if (!start || !end)
        return invalid(text, rule == WindowRule::within_a_day
                                 ? "is not HH:MM-HH:MM, like \"09:00-18:00\" (seconds too: "
                                   "\"09:00:00-18:00:30\")"
                                 : "is not HH:MM-HH:MM, like \"22:00-07:30\" (seconds too: "
                                   "\"22:00:00-07:30:30\")");
    if (rule == WindowRule::within_a_day && *start >= *end)
        return invalid(text, "must begin before it ends (at most 00:00-24:00)");
    if (rule == WindowRule::across_midnight && *start == *end % kSecondsPerDay)
        return invalid(text, "begins where it ends: it would be empty or the whole day");
    return DayWindow{*start, *end};
}

std::string format_clock(int second_of_day) {
    char text[16];
    const int h = second_of_day / 3600, m = second_of_day / 60 % 60, s = second_of_day % 60;
    if (s)
        std::snprintf(text, sizeof text, "%02d:%02d:%02d", h, m, s);
    else
        std::snprintf(text, sizeof text, "%02d:%02d", h, m);
    return text;
}

std::string format_day_window(const DayWindow& window) {
    return format_clock(window.start) + "-" + format_clock(window.end);
}

}  // namespace notify::util
