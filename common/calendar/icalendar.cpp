// icalendar.cpp - the iCalendar form of the override file (overrides.hpp):
// content lines unfolded (RFC 5545 section 3.1), components nested, and each
// all-day VEVENT directly inside a VCALENDAR made days of an OverrideList.
// Everything else a calendar program writes (VTIMEZONE, VALARM, UID, ...) is
// passed over.
#include <optional>
#include <utility>

#include "calendar/override_list.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace notify::calendar {

namespace {

struct ContentLine {
    std::string text;  // unfolded
    int line = 0;      // where it begins in the file
};

// Lines end in CRLF (a bare LF is taken too); one that begins with a space or
// a tab continues the line before it, less that one character.
Expected<std::vector<ContentLine>> unfold(std::string_view text, const OverrideList& list) {
    std::vector<ContentLine> out;
    int number = 0;
    for (std::string& raw : util::split(text, '\n')) {
        ++number;
        if (!raw.empty() && raw.back() == '\r') raw.pop_back();
        if (raw.empty()) continue;
        if (raw[0] == ' ' || raw[0] == '\t') {
            if (out.empty()) return list.error(number, "a folded line continues no line");
            out.back().text.append(raw, 1);
            continue;
        }
        out.push_back(ContentLine{std::move(raw), number});
    }
    return out;
}

// NAME *(";" PARAM "=" VALUE) ":" VALUE; names in capitals.
struct Property {
    std::string name;
    std::vector<std::pair<std::string, std::string>> params;
    std::string value;
    int line = 0;

    std::string param(std::string_view key) const {
        for (const auto& [k, v] : params)
            if (k == key) return v;
        return "";
    }
};

Expected<Property> read_property(const ContentLine& content, const OverrideList& list) {
    const std::string& s = content.text;
    auto bad = [&] {
        return list.error(content.line,
                          "'" + log::clip(s, 60) + "' is not an iCalendar line (NAME:VALUE)");
    };
    Property p;
    p.line = content.line;
    std::size_t i = s.find_first_of(";:");
    if (i == 0 || i == std::string::npos) return bad();
    p.name = util::to_upper(s.substr(0, i));
    while (s[i] == ';') {
        const std::size_t eq = s.find_first_of("=;:", i + 1);
        if (eq == std::string::npos || s[eq] != '=') return bad();
        std::string key = util::to_upper(s.substr(i + 1, eq - i - 1)), value;
        bool quoted = false;
        for (i = eq + 1; i < s.size() && (quoted || (s[i] != ';' && s[i] != ':')); ++i) {
            if (s[i] == '"')
                quoted = !quoted;
            else
                value += s[i];
        }
        if (i == s.size()) return bad();
        p.params.emplace_back(std::move(key), std::move(value));
    }
    p.value = s.substr(i + 1);
    return p;
}

// TEXT values escape \\ \; \, and write a line break as \n; a name is one line.
std::string unescape(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\\' && i + 1 < text.size()) {
            c = text[++i];
            if (c == 'n' || c == 'N') c = ' ';
        }
        out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
    }
    return util::trim(out);
}

struct Event {
    int line = 0;  // of its BEGIN:VEVENT
    std::optional<Date> start, end;
    std::optional<std::int64_t> days;  // from DURATION
    int end_line = 0;                  // of DTEND or DURATION, for its errors
    std::string summary;
    bool workday_category = false;
    std::optional<OverrideKind> kind;  // X-NOTIFY-KIND
    bool cancelled = false;
};

// DTSTART and DTEND of an all-day event: VALUE=DATE, YYYYMMDD.
Expected<Date> read_date(const Property& p, const OverrideList& list) {
    if (p.value.find('T') != std::string::npos || p.param("VALUE") == "DATE-TIME")
        return list.error(p.line, p.name + " '" + log::clip(p.value, 40) +
                                      "' is a time of day; only all-day events "
                                      "(VALUE=DATE) are read");
    auto date = parse_basic_date(p.value);
    if (!date)
        return list.error(p.line,
                          p.name + " '" + log::clip(p.value, 40) + "' is not a date (YYYYMMDD)");
    return *date;
}

// "P3D", "P2W", "+P1D": whole days or weeks.
Expected<std::int64_t> read_duration(const Property& p, const OverrideList& list) {
    std::string_view text = p.value;
    if (!text.empty() && text[0] == '+') text.remove_prefix(1);
    const char unit = text.empty() ? '\0' : text.back();
    auto n = (text.size() > 2 && text[0] == 'P' && (unit == 'D' || unit == 'W'))
                 ? util::parse_whole(text.substr(1, text.size() - 2), 1, 100'000)
                 : std::nullopt;
    if (!n)
        return list.error(p.line, "DURATION '" + log::clip(p.value, 40) +
                                      "' is not whole days (P1D) or weeks (P1W)");
    return unit == 'W' ? *n * 7 : *n;
}

template <class T>
Status set_once(std::optional<T>& slot, Expected<T> value, const Property& p,
                const OverrideList& list) {
    if (!value) return value.error();
    if (slot) return list.error(p.line, p.name + " is given twice in one event");
    slot = *value;
    return ok();
}

Status read_event_property(const Property& p, Event& event, const OverrideList& list) {
    if (p.name == "DTSTART") return set_once(event.start, read_date(p, list), p, list);
    if (p.name == "DTEND" || p.name == "DURATION") event.end_line = p.line;
    if (p.name == "DTEND") return set_once(event.end, read_date(p, list), p, list);
    if (p.name == "DURATION") return set_once(event.days, read_duration(p, list), p, list);
    if (p.name == "SUMMARY") {
        event.summary = unescape(p.value);
    } else if (p.name == "CATEGORIES") {
        // Split on the commas that separate values, not an escaped one (\,).
        std::string category;
        for (std::size_t i = 0; i <= p.value.size(); ++i) {
            if (i == p.value.size() || p.value[i] == ',') {
                if (util::to_upper(unescape(category)) == "WORKDAY") event.workday_category = true;
                category.clear();
                continue;
            }
            if (p.value[i] == '\\' && i + 1 < p.value.size()) category += p.value[i++];
            category += p.value[i];
        }
    } else if (p.name == "X-NOTIFY-KIND") {
        auto kind = kind_named(util::trim(p.value));
        if (!kind)
            return list.error(
                p.line, "X-NOTIFY-KIND '" + log::clip(p.value, 40) + "' is not holiday or workday");
        event.kind = kind;
    } else if (p.name == "STATUS") {
        event.cancelled = util::to_upper(util::trim(p.value)) == "CANCELLED";
    } else if (p.name == "RRULE" || p.name == "RDATE") {
        return list.error(p.line, "a recurring event (" + p.name +
                                      ") is not read; list each year's days as events of their "
                                      "own");
    }
    return ok();
}

Status add_event(const Event& event, OverrideList& list) {
    if (event.cancelled) return ok();
    if (!event.start) return list.error(event.line, "the event has no DTSTART");
    if (event.end && event.days)
        return list.error(event.end_line, "the event has both DTEND and DURATION");
    std::int64_t days = event.days.value_or(1);
    if (event.end) {
        // DTEND is exclusive; one equal to DTSTART (as some programs write a
        // one-day event) is that day.
        days = std::max<std::int64_t>(1, day_number(*event.end) - day_number(*event.start));
        if (*event.end < *event.start)
            return list.error(event.end_line, "the event's DTEND " + format_date(*event.end) +
                                                  " is before its DTSTART " +
                                                  format_date(*event.start));
    }
    const OverrideKind kind =
        event.kind.value_or(event.workday_category ? OverrideKind::workday : OverrideKind::holiday);
    return list.add(*event.start, days, kind, event.summary, event.line);
}

}  // namespace

Status read_icalendar(std::string_view text, OverrideList& list) {
    auto lines = unfold(text, list);
    if (!lines) return lines.error();
    std::vector<std::pair<std::string, int>> open;  // components begun, and their lines
    std::optional<Event> event;
    for (const ContentLine& content : *lines) {
        auto p = read_property(content, list);
        if (!p) return p.error();
        const std::string component = util::to_upper(util::trim(p->value));
        if (p->name == "BEGIN") {
            if (open.empty() != (component == "VCALENDAR"))
                return list.error(p->line, "BEGIN:" + log::clip(component, 40) +
                                               (open.empty() ? " outside" : " inside") +
                                               " a VCALENDAR");
            if (component == "VEVENT" && open.size() == 1) {
                event.emplace();
                event->line = p->line;
            }
            open.emplace_back(component, p->line);
        } else if (p->name == "END") {
            if (open.empty() || open.back().first != component)
                return list.error(
                    p->line,
                    "END:" + log::clip(component, 40) +
                        (open.empty() ? " ends nothing"
                                      : " does not end BEGIN:" + open.back().first + " on line " +
                                            std::to_string(open.back().second)));
            if (component == "VEVENT" && open.size() == 2) {
                if (auto st = add_event(*event, list); !st) return st;
                event.reset();
            }
            open.pop_back();
        } else if (open.empty()) {
            return list.error(p->line, p->name + " outside BEGIN:VCALENDAR and END:VCALENDAR");
        } else if (event && open.size() == 2) {
            if (auto st = read_event_property(*p, *event, list); !st) return st;
        }
    }
    if (!open.empty())
        return list.error(open.back().second, "BEGIN:" + open.back().first + " has no END:" +
                                                  open.back().first + " (is the file cut short?)");
    return ok();
}

}  // namespace notify::calendar
