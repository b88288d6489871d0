#include "schedule/cron.hpp"

#include <array>
#include <cctype>
#include <vector>

#include "util/log.hpp"
#include "util/strings.hpp"

namespace notify::schedule {

namespace {

struct Field {
    const char* name;
    unsigned low, high;
    const char* const* names;  // for low.. (months from 1, days from 0), or null
    std::size_t name_count;
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr Field kFields[] = {
    {"minute", 0, 59, nullptr, 0},       {"hour", 0, 23, nullptr, 0},
    {"day of month", 1, 31, nullptr, 0}, {"month", 1, 12, kMonthNames, 12},
    {"day of week", 0, 7, kDayNames, 7},
};

constexpr std::pair<const char*, const char*> kMacros[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

Error field_error(const Field& f, const std::string& what) {
    return make_error(ErrorKind::invalid, "invalid_cron", std::string(f.name) + ": " + what);
}

std::string range_text(const Field& f) {
    std::string t = std::to_string(f.low) + "-" + std::to_string(f.high);
    if (f.names) t += std::string(" or ") + f.names[0] + "-" + f.names[f.name_count - 1];
    return t;
}

// A number or, where the field has them, a name.
Expected<unsigned> value_of(const Field& f, std::string_view word) {
    if (word.empty()) return field_error(f, "a number is missing");
    if (std::isdigit(static_cast<unsigned char>(word[0]))) {
        auto n = util::parse_whole(word, 0, 1'000'000);
        if (!n) return field_error(f, "'" + log::clip(word) + "' is not a number");
        if (*n < f.low || *n > f.high)
            return field_error(f, std::to_string(*n) + " is out of range " + range_text(f));
        return static_cast<unsigned>(*n);
    }
    if (f.names) {
        const std::string upper = util::to_upper(word);
        for (std::size_t i = 0; i < f.name_count; ++i)
            if (upper == f.names[i]) return static_cast<unsigned>(i) + (f.low == 1 ? 1 : 0);
    }
    return field_error(
        f, "'" + log::clip(word) + "' is not " +
               (f.names ? "a number or a name (" + range_text(f) + ")" : std::string("a number")));
}

// One field: a comma-separated list of items, each *, N, N-M, with /STEP.
Status parse_field(const Field& f, std::string_view text, std::vector<bool>& bits) {
    bits.assign(f.high + 1, false);
    for (const std::string& item : util::split(text, ',')) {
        if (item.empty()) return field_error(f, "an empty item in '" + log::clip(text) + "'");
        std::string_view range = item;
        unsigned step = 1;
        bool stepped = false;
        if (const auto slash = range.find('/'); slash != std::string_view::npos) {
            const std::string_view s = range.substr(slash + 1);
            auto n = util::parse_whole(s, 0, 1'000'000);
            if (!n) return field_error(f, "the step '" + log::clip(s) + "' is not a number");
            if (*n == 0) return field_error(f, "a step of 0 in '" + item + "'");
            step = static_cast<unsigned>(*n);
            stepped = true;
            range = range.substr(0, slash);
        }
        unsigned low = f.low, high = f.high;
        if (range != "*") {
            const auto dash = range.find('-');
            auto first = value_of(f, range.substr(0, dash));
            if (!first) return first.error();
            low = *first;
            if (dash != std::string_view::npos) {
                auto last = value_of(f, range.substr(dash + 1));
                if (!last) return last.error();
                high = *last;
                if (high < low)
                    return field_error(f, "the range '" + std::string(range) + "' runs backwards");
            } else if (!stepped) {
                high = low;  // a single value; with a step it runs to the end
            }
        }
        for (unsigned v = low; v <= high; v += step) bits[v] = true;
    }
    return ok();
}

// A field into its bits, a value past the last bit wrapping round (7 is 0).
template <std::size_t N>
Status read_field(const Field& f, std::string_view text, std::bitset<N>& out) {
    std::vector<bool> bits;
    if (auto st = parse_field(f, text, bits); !st) return st;
    for (unsigned v = f.low; v <= f.high; ++v)
        if (bits[v]) out.set(v % N);
    return ok();
}

unsigned days_in(unsigned month) {
    static constexpr unsigned kDays[] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return kDays[month];
}

}  // namespace

bool Cron::day_fires(unsigned month, unsigned day, unsigned weekday) const {
    if (!months[month]) return false;
    const bool by_day = days[day], by_weekday = weekdays[weekday];
    if (any_day || any_weekday) return by_day && by_weekday;
    return by_day || by_weekday;
}

Expected<Cron> parse_cron(std::string_view written) {
    Cron cron;
    cron.text = util::trim(written);
    std::string_view text = cron.text;
    if (!text.empty() && text[0] == '@') {
        const std::string word = util::to_lower(text);
        const char* expanded = nullptr;
        for (const auto& [name, fields] : kMacros)
            if (word == name) expanded = fields;
        if (!expanded) {
            std::vector<std::string> names;
            for (const auto& m : kMacros) names.emplace_back(m.first);
            return make_error(ErrorKind::invalid, "invalid_cron",
                              "'" + log::clip(text) + "' is not one of " + util::join(names, ", ") +
                                  util::did_you_mean(word, names));
        }
        text = expanded;
    }
    std::vector<std::string> fields;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
        if (i > start) fields.emplace_back(text.substr(start, i - start));
    }
    if (fields.size() != 5)
        return make_error(ErrorKind::invalid, "invalid_cron",
                          "a cron expression has 5 fields (minute, hour, day of month, month, day "
                          "of week), not " +
                              std::to_string(fields.size()));
    Status st = read_field(kFields[0], fields[0], cron.minutes);
    if (st) st = read_field(kFields[1], fields[1], cron.hours);
    if (st) st = read_field(kFields[2], fields[2], cron.days);
    if (st) st = read_field(kFields[3], fields[3], cron.months);
    if (st) st = read_field(kFields[4], fields[4], cron.weekdays);  // 7 is Sunday, 0
    if (!st) return st.error();
    cron.any_day = fields[2][0] == '*';
    cron.any_weekday = fields[4][0] == '*';
    // Days of the month that no month named has, and nothing else to fire on.
    if (!cron.any_day && cron.any_weekday) {
        bool some = false;
        for (unsigned m = 1; m <= 12 && !some; ++m)
            for (unsigned d = 1; d <= days_in(m) && !some; ++d)
                some = cron.months[m] && cron.days[d];
        if (!some)
            return field_error(kFields[2], "no month in '" + fields[3] + "' has a day in '" +
                                               fields[2] + "', so it never fires");
    }
    return cron;
}

}  // namespace notify::schedule
