#include "util/time.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include <unistd.h>

namespace notify::util {

namespace {

Error bad_time(std::string_view text, std::string_view why) {
    return make_error(ErrorKind::invalid, "invalid_time",
                      "invalid time '" + std::string(text) + "': " + std::string(why));
}

// Days since the epoch for a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool read_int(std::string_view s, size_t& pos, size_t digits, int& out) {
    if (pos + digits > s.size()) return false;
    int v = 0;
    for (size_t i = 0; i < digits; ++i) {
        char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    pos += digits;
    out = v;
    return true;
}

bool valid_date(int y, int mo, int d, int h, int mi, int s) {
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]) return false;
    if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
    return h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s <= 60;
}

// Local civil time in zone `tz` to UTC, by asking the C library with TZ set
// (UTC by arithmetic: daemons read UTC times on one thread while others read
// local times, and TZ is the whole process's).
Expected<Millis> civil_in_zone(int y, int mo, int d, int h, int mi, int s, std::string_view tz,
                               std::string_view text) {
    if (tz == "UTC")
        return (days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                h * 3600 + mi * 60 + s) *
               1000;
    std::string saved;
    const char* old = std::getenv("TZ");
    bool had = old != nullptr;
    if (had) saved = old;
    if (!tz.empty()) {
        std::string zone(tz);
        if (!check_zone(zone)) return bad_time(text, "unknown time zone '" + zone + "'");
        setenv("TZ", zone.c_str(), 1);
        tzset();
    }
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    tm.tm_isdst = -1;
    std::time_t t = std::mktime(&tm);
    if (!tz.empty()) {
        if (had)
            setenv("TZ", saved.c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }
    if (t == static_cast<std::time_t>(-1)) return bad_time(text, "out of range");
    return static_cast<Millis>(t) * 1000;
}

}  // namespace

Status check_zone(std::string_view zone) {
    if (zone.empty() || zone == "UTC") return ok();
    const std::string name(zone);
    if (name.find("..") == std::string::npos && name.front() != '/' &&
        access(("/usr/share/zoneinfo/" + name).c_str(), R_OK) == 0)
        return ok();
    return make_error(ErrorKind::invalid, "unknown_zone",
                      "unknown time zone '" + name + "' (an IANA name such as 'Asia/Shanghai')");
}

Status use_local_zone(std::string_view zone) {
    if (zone.empty()) return ok();
    if (auto st = check_zone(zone); !st) return st;
    setenv("TZ", std::string(zone).c_str(), 1);
    tzset();
    return ok();
}

Millis now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Millis steady_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string format_rfc3339(Millis t) {
    std::time_t secs = static_cast<std::time_t>(t >= 0 ? t / 1000 : (t - 999) / 1000);
    int ms = static_cast<int>(t - static_cast<Millis>(secs) * 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    if (ms != 0)
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    else
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

long utc_offset(Millis t) {
    std::time_t secs = static_cast<std::time_t>(t >= 0 ? t / 1000 : (t - 999) / 1000);
    std::tm tm{};
    localtime_r(&secs, &tm);
    return tm.tm_gmtoff;
}

std::string format_local(Millis t, long offset) {
    const std::int64_t secs = (t >= 0 ? t / 1000 : (t - 999) / 1000) + offset;
    std::int64_t days = secs / 86400, in_day = secs % 86400;
    if (in_day < 0) {
        in_day += 86400;
        --days;
    }
    // The civil date of a day count, in eras of 400 years (146,097 days) from
    // 0000-03-01, so that leap days fall at the end of each year counted.
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t day_of_era = z - era * 146097;
    const std::int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const std::int64_t day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const std::int64_t mp = (5 * day_of_year + 2) / 153;
    const std::int64_t day = day_of_year - (153 * mp + 2) / 5 + 1;
    const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
    std::string out;
    if (year < 0 || year > 9999) {  // not a time anyone sends, but still one
        char buf[96];
        std::snprintf(buf, sizeof buf, "%lld-%02lld-%02lldT%02lld:%02lld:%02lld",
                      static_cast<long long>(year), static_cast<long long>(month),
                      static_cast<long long>(day), static_cast<long long>(in_day / 3600),
                      static_cast<long long>(in_day / 60 % 60),
                      static_cast<long long>(in_day % 60));
        out = buf;
    } else {
        out = "0000-00-00T00:00:00";
    }
    auto digits = [&](std::size_t end, std::int64_t v, int n) {
        for (; n > 0; --n, v /= 10) out[--end] = static_cast<char>('0' + v % 10);
    };
    if (year >= 0 && year <= 9999) {
        digits(4, year, 4);
        digits(7, month, 2);
        digits(10, day, 2);
        digits(13, in_day / 3600, 2);
        digits(16, in_day / 60 % 60, 2);
        digits(19, in_day % 60, 2);
    }
    if (offset == 0) {
        out += 'Z';
    } else {
        const long a = std::labs(offset);
        out += offset < 0 ? '-' : '+';
        out += "00:00";
        digits(out.size() - 3, a / 3600, 2);
        digits(out.size(), a / 60 % 60, 2);
    }
    return out;
}

Expected<Millis> parse_duration(std::string_view text) {
    auto bad = [&](std::string_view why) {
        return make_error(ErrorKind::invalid, "invalid_duration",
                          "invalid duration '" + std::string(text) + "': " + std::string(why));
    };
    if (text.empty()) return bad("empty");
    Millis total = 0;
    size_t i = 0;
    while (i < text.size()) {
        size_t start = i;
        Millis n = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            n = n * 10 + (text[i] - '0');
            if (n > 1'000'000'000'000LL) return bad("too large");
            ++i;
        }
        if (i == start) return bad("expected a number");
        size_t ustart = i;
        while (i < text.size() && ((text[i] >= 'a' && text[i] <= 'z'))) ++i;
        std::string_view unit = text.substr(ustart, i - ustart);
        Millis mult;
        if (unit == "ms")
            mult = 1;
        else if (unit == "s")
            mult = 1000;
        else if (unit == "m")
            mult = 60'000;
        else if (unit == "h")
            mult = 3'600'000;
        else if (unit == "d")
            mult = 86'400'000;
        else if (unit.empty())
            return bad("missing unit (ms, s, m, h or d)");
        else
            return bad("unknown unit '" + std::string(unit) + "' (ms, s, m, h or d)");
        // About 31,700 years: far beyond any setting, and far from overflowing.
        constexpr Millis kMaxDuration = 1'000'000'000'000'000LL;
        if (n > kMaxDuration / mult || total + n * mult > kMaxDuration) return bad("too large");
        total += n * mult;
    }
    return total;
}

std::string format_duration(Millis d) {
    if (d == 0) return "0s";
    std::string out;
    if (d < 0) {
        out = "-";
        d = -d;
    }
    struct Unit {
        Millis ms;
        const char* name;
    };
    static const Unit units[] = {
        {86'400'000, "d"}, {3'600'000, "h"}, {60'000, "m"}, {1000, "s"}, {1, "ms"}};
    for (const auto& u : units) {
        if (d >= u.ms) {
            out += std::to_string(d / u.ms) + u.name;
            d %= u.ms;
        }
    }
    return out;
}

Expected<Millis> parse_time(std::string_view text, Millis now, std::string_view tz) {
    if (text.empty()) return bad_time(text, "empty");
    if (text == "now") return now;
    if (text.substr(0, 3) == "now" && text.size() > 4 && (text[3] == '+' || text[3] == '-')) {
        auto d = parse_duration(text.substr(4));
        if (!d) return bad_time(text, d.error().message);
        return text[3] == '+' ? now + *d : now - *d;
    }
    size_t pos = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!read_int(text, pos, 4, y) || pos >= text.size() || text[pos++] != '-' ||
        !read_int(text, pos, 2, mo) || pos >= text.size() || text[pos++] != '-' ||
        !read_int(text, pos, 2, d))
        return bad_time(text, "expected RFC 3339, 'now+10m' or 'YYYY-MM-DD HH:MM'");
    if (pos == text.size()) {  // a date alone: its midnight
        if (!valid_date(y, mo, d, 0, 0, 0)) return bad_time(text, "no such date");
        return civil_in_zone(y, mo, d, 0, 0, 0, tz, text);
    }
    bool rfc = text[pos] == 'T' || text[pos] == 't';
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')
        return bad_time(text, "expected a time after the date");
    ++pos;
    if (!read_int(text, pos, 2, h) || pos >= text.size() || text[pos++] != ':' ||
        !read_int(text, pos, 2, mi))
        return bad_time(text, "expected HH:MM");
    if (pos < text.size() && text[pos] == ':') {
        ++pos;
        if (!read_int(text, pos, 2, s)) return bad_time(text, "expected seconds");
    }
    Millis frac = 0;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        int digits = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (digits < 3) frac = frac * 10 + (text[pos] - '0');
            ++digits;
            ++pos;
        }
        if (digits == 0) return bad_time(text, "expected digits after '.'");
        for (int i = digits; i < 3; ++i) frac *= 10;
    }
    if (!valid_date(y, mo, d, h, mi, s)) return bad_time(text, "no such date or time");
    if (pos == text.size()) {
        if (rfc) return bad_time(text, "RFC 3339 needs a zone: 'Z' or '+08:00'");
        auto t = civil_in_zone(y, mo, d, h, mi, s, tz, text);
        if (!t) return t;
        return *t + frac;
    }
    Millis offset = 0;
    char z = text[pos];
    if (z == 'Z' || z == 'z') {
        ++pos;
    } else if (z == '+' || z == '-') {
        ++pos;
        int oh = 0, om = 0;
        if (!read_int(text, pos, 2, oh) || pos >= text.size() || text[pos++] != ':' ||
            !read_int(text, pos, 2, om) || oh > 23 || om > 59)
            return bad_time(text, "bad zone offset");
        offset = (oh * 60 + om) * 60'000LL * (z == '+' ? 1 : -1);
    } else {
        return bad_time(text, "unexpected '" + std::string(1, z) + "'");
    }
    if (pos != text.size()) return bad_time(text, "trailing characters");
    Millis days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    return ((days * 24 + h) * 60 + mi) * 60'000LL + s * 1000LL + frac - offset;
}

}  // namespace notify::util
