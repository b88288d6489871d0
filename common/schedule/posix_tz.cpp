#include "schedule/posix_tz.hpp"

#include <date/date.h>

#include <cctype>
#include <fstream>
#include <iterator>

namespace notify::schedule {

namespace {

constexpr std::int64_t kDay = 86'400;

// A zone's abbreviation: three or more letters, or anything quoted in <>.
bool skip_name(std::string_view text, std::size_t& at) {
    if (at < text.size() && text[at] == '<') {
        const auto close = text.find('>', at);
        if (close == std::string_view::npos || close - at < 4) return false;
        at = close + 1;
        return true;
    }
    const std::size_t start = at;
    while (at < text.size() && std::isalpha(static_cast<unsigned char>(text[at]))) ++at;
    return at - start >= 3;
}

bool read_number(std::string_view text, std::size_t& at, int max_digits, int& out) {
    const std::size_t start = at;
    out = 0;
    while (at < text.size() && at - start < static_cast<std::size_t>(max_digits) &&
           std::isdigit(static_cast<unsigned char>(text[at])))
        out = out * 10 + (text[at++] - '0');
    return at > start;
}

// [+-]hh[:mm[:ss]], hours up to 167 (RFC 8536's extension of POSIX's 24).
bool read_duration(std::string_view text, std::size_t& at, long& out) {
    int sign = 1;
    if (at < text.size() && (text[at] == '+' || text[at] == '-')) sign = text[at++] == '-' ? -1 : 1;
    int h = 0, m = 0, s = 0;
    if (!read_number(text, at, 3, h) || h > 167) return false;
    if (at < text.size() && text[at] == ':') {
        ++at;
        if (!read_number(text, at, 2, m) || m > 59) return false;
        if (at < text.size() && text[at] == ':') {
            ++at;
            if (!read_number(text, at, 2, s) || s > 59) return false;
        }
    }
    out = sign * (h * 3600L + m * 60L + s);
    return true;
}

bool read_rule(std::string_view text, std::size_t& at, PosixRule& rule) {
    if (at < text.size() && text[at] == 'J') {
        ++at;
        rule.kind = PosixRule::Kind::julian;
        if (!read_number(text, at, 3, rule.day) || rule.day < 1 || rule.day > 365) return false;
    } else if (at < text.size() && text[at] == 'M') {
        ++at;
        rule.kind = PosixRule::Kind::month_week_day;
        if (!read_number(text, at, 2, rule.month) || rule.month < 1 || rule.month > 12 ||
            at >= text.size() || text[at++] != '.' || !read_number(text, at, 1, rule.week) ||
            rule.week < 1 || rule.week > 5 || at >= text.size() || text[at++] != '.' ||
            !read_number(text, at, 1, rule.weekday) || rule.weekday > 6)
            return false;
    } else {
        rule.kind = PosixRule::Kind::day_of_year;
        if (!read_number(text, at, 3, rule.day) || rule.day > 365) return false;
    }
    rule.time = 7200;
    if (at < text.size() && text[at] == '/') {
        ++at;
        if (!read_duration(text, at, rule.time)) return false;
    }
    return true;
}

// The local midnight (as seconds, as if UTC) of the day a rule names in `year`.
std::int64_t rule_day(const PosixRule& r, int year) {
    using namespace date;
    const auto y = date::year(year);
    sys_days day;
    switch (r.kind) {
        case PosixRule::Kind::julian:
            // February 29 is never counted: day 60 is always March 1.
            day = sys_days(y / January / 1) + days(r.day - 1) +
                  days(y.is_leap() && r.day >= 60 ? 1 : 0);
            break;
        case PosixRule::Kind::day_of_year:
            day = sys_days(y / January / 1) + days(r.day);
            break;
        default: {
            const auto wd = date::weekday(static_cast<unsigned>(r.weekday));
            day = r.week == 5 ? sys_days(y / date::month(r.month) / wd[last])
                              : sys_days(y / date::month(r.month) / wd[r.week]);
        }
    }
    return day.time_since_epoch().count() * kDay;
}

}  // namespace

std::pair<std::int64_t, std::int64_t> PosixTz::changes(int year) const {
    // Each change is at its local time as it was before the change.
    return {rule_day(start, year) + start.time - std_offset,
            rule_day(end, year) + end.time - dst_offset};
}

long PosixTz::offset_at(std::int64_t t) const {
    if (!has_dst) return std_offset;
    const auto day =
        date::floor<date::days>(date::sys_seconds(std::chrono::seconds(t + std_offset)));
    const int year = static_cast<int>(date::year_month_day(day).year());
    const auto [into, out_of] = changes(year);
    const bool dst = into < out_of ? (t >= into && t < out_of) : !(t >= out_of && t < into);
    return dst ? dst_offset : std_offset;
}

std::optional<PosixTz> parse_posix_tz(std::string_view text) {
    PosixTz tz;
    std::size_t at = 0;
    long offset = 0;
    if (!skip_name(text, at) || !read_duration(text, at, offset)) return std::nullopt;
    tz.std_offset = -offset;
    if (at == text.size()) return tz;
    if (!skip_name(text, at)) return std::nullopt;
    tz.has_dst = true;
    tz.dst_offset = tz.std_offset + 3600;
    if (at < text.size() && text[at] != ',') {
        if (!read_duration(text, at, offset)) return std::nullopt;
        tz.dst_offset = -offset;
    }
    // Without rules POSIX leaves the changes to the implementation; zone files
    // always give them.
    if (at >= text.size() || text[at++] != ',' || !read_rule(text, at, tz.start) ||
        at >= text.size() || text[at++] != ',' || !read_rule(text, at, tz.end) || at != text.size())
        return std::nullopt;
    return tz;
}

std::optional<PosixTz> read_tzif_rule(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    // The rule is the last line, between the file's last two newlines; zone
    // files are a few kilobytes, and only the end is read.
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::int64_t>(in.tellg());
    const std::int64_t from = size > 256 ? size - 256 : 0;
    in.seekg(from);
    std::string tail((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (tail.size() < 2 || tail.back() != '\n') return std::nullopt;
    const auto start = tail.rfind('\n', tail.size() - 2);
    if (start == std::string::npos) return std::nullopt;
    return parse_posix_tz(std::string_view(tail).substr(start + 1, tail.size() - start - 2));
}

}  // namespace notify::schedule
