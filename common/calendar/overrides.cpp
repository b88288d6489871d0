#include "calendar/overrides.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "calendar/override_list.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace notify::calendar {

namespace {

const char* kind_word(OverrideKind kind) {
    return kind == OverrideKind::workday ? "workday" : "holiday";
}

// "2026-10-01" or "2026-10-01..2026-10-07": the first day and how many.
Status read_days(std::string_view text, int line, Date& first, std::int64_t& count,
                 const OverrideList& list) {
    const auto dots = text.find("..");
    const std::string_view from = text.substr(0, dots);
    auto start = parse_date(from);
    if (!start) return list.error(line, "'" + log::clip(from) + "' is not a date (YYYY-MM-DD)");
    first = *start;
    count = 1;
    if (dots == std::string_view::npos) return ok();
    const std::string_view to = text.substr(dots + 2);
    auto last = parse_date(to);
    if (!last) return list.error(line, "'" + log::clip(to) + "' is not a date (YYYY-MM-DD)");
    count = day_number(*last) - day_number(first) + 1;
    if (count < 1)
        return list.error(line, "the range '" + log::clip(text) + "' ends before it begins");
    return ok();
}

// One line of the plain form: DAY[..DAY] KIND [NAME].
Status read_plain_line(std::string_view text, int line, OverrideList& list) {
    const auto space = [](std::string_view s) { return s.find_first_of(" \t"); };
    const std::string_view days = text.substr(0, space(text));
    Date first;
    std::int64_t count = 0;
    if (auto st = read_days(days, line, first, count, list); !st) return st;
    std::string rest = util::trim(text.substr(days.size()));
    if (rest.empty())
        return list.error(line, "'" + std::string(days) + "' needs a kind (holiday or workday)");
    const std::string word = rest.substr(0, space(rest));
    auto kind = kind_named(word);
    if (!kind)
        return list.error(line, "unknown kind '" + log::clip(word) + "' (holiday or workday)");
    return list.add(first, count, *kind, util::trim(std::string_view(rest).substr(word.size())),
                    line);
}

Status read_plain(std::string_view text, OverrideList& list) {
    int line = 0;
    for (const std::string& raw : util::split(text, '\n')) {
        ++line;
        const std::string entry = util::trim(raw);
        if (entry.empty() || entry[0] == '#') continue;
        if (auto st = read_plain_line(entry, line, list); !st) return st;
    }
    return ok();
}

bool is_icalendar(std::string_view text) {
    const auto start = text.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) return false;
    const auto end = text.find_first_of("\r\n", start);
    return util::to_upper(util::trim(text.substr(start, end - start))) == "BEGIN:VCALENDAR";
}

}  // namespace

std::optional<OverrideKind> kind_named(std::string_view word) {
    const std::string lower = util::to_lower(word);
    if (lower == "holiday") return OverrideKind::holiday;
    if (lower == "workday") return OverrideKind::workday;
    return std::nullopt;
}

Status OverrideList::add(const Date& first, std::int64_t count, OverrideKind kind,
                         const std::string& name, int line) {
    // Each day keeps its own copy of the name: bounded, so that a range of a
    // long name cannot take hundreds of megabytes.
    if (name.size() > kMaxNameBytes)
        return error(line, "the name is " + std::to_string(name.size()) + " bytes (at most " +
                               std::to_string(kMaxNameBytes) + ")");
    std::string shown = name;
    for (char& c : shown)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    if (count > kMaxRangeDays)
        return error(line, format_date(first) + ".." +
                               format_date(date_of(day_number(first) + count - 1)) + " is " +
                               std::to_string(count) + " days (at most " +
                               std::to_string(kMaxRangeDays) + " at once)");
    if (days_.size() + static_cast<std::size_t>(count) > kMaxDays)
        return error(line, "more than " + std::to_string(kMaxDays) + " days listed (at most " +
                               std::to_string(kMaxDays) + " in a file)");
    const std::int64_t from = day_number(first);
    for (std::int64_t day = from; day < from + count; ++day)
        days_.push_back(Override{date_of(day), kind, shown, line});
    return ok();
}

Error OverrideList::error(int line, const std::string& what) const {
    return make_error(ErrorKind::invalid, "invalid_calendar",
                      file_ + ":" + std::to_string(line) + ": " + what);
}

Expected<std::vector<Override>> OverrideList::finish() {
    std::stable_sort(days_.begin(), days_.end(),
                     [](const Override& a, const Override& b) { return a.date < b.date; });
    std::vector<Override> out;
    for (Override& day : days_) {
        if (out.empty() || out.back().date != day.date) {
            out.push_back(std::move(day));
            continue;
        }
        const Override& first = out.back();
        if (first.kind != day.kind) {
            // Name the later line, where the reader is likely to have erred.
            const bool later = day.line >= first.line;
            const Override& here = later ? day : first;
            const Override& there = later ? first : day;
            return error(here.line, format_date(day.date) + " is a " + kind_word(here.kind) +
                                        " here and a " + kind_word(there.kind) + " on line " +
                                        std::to_string(there.line));
        }
    }
    return out;
}

Expected<std::vector<Override>> read_overrides(std::string_view text, const std::string& name) {
    OverrideList list(name);
    if (text.size() > kMaxFileBytes)
        return make_error(ErrorKind::invalid, "invalid_calendar",
                          name + ": larger than " + std::to_string(kMaxFileBytes) + " bytes");
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a byte order mark
    if (auto bad = util::invalid_utf8_at(text); bad != std::string_view::npos)
        return list.error(1 + static_cast<int>(std::count(text.begin(), text.begin() + bad, '\n')),
                          "not UTF-8 text");
    auto st = is_icalendar(text) ? read_icalendar(text, list) : read_plain(text, list);
    if (!st) return st.error();
    return list.finish();
}

Expected<std::vector<Override>> load_overrides(const std::string& path) {
    auto cannot = [&](const std::string& why) {
        return make_error(ErrorKind::no_input, "no_calendar",
                          "cannot read calendar file '" + path + "': " + why);
    };
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return cannot(std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        return cannot(S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
    if (static_cast<std::size_t>(st.st_size) > kMaxFileBytes)
        return make_error(ErrorKind::invalid, "invalid_calendar",
                          path + ": larger than " + std::to_string(kMaxFileBytes) + " bytes");
    std::ifstream in(path, std::ios::binary);
    if (!in) return cannot(std::strerror(errno));
    std::string text(kMaxFileBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return read_overrides(text, path);
}

}  // namespace notify::calendar
