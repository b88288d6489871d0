// scenario_schedules.cpp - what previewing a schedule costs: the next 1,000
// firings of cron expressions of every kind (every 5 minutes, working days,
// both day fields, a leap day that fires every 4 years) in zones with and
// without daylight saving, in-process, the median of 21; target: under 5 ms
// each. No daemon, store or configuration is involved, as with `notifyctl
// schedule preview`.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "clock.hpp"
#include "report.hpp"
#include "scenarios.hpp"
#include "schedule/cron.hpp"
#include "schedule/firings.hpp"
#include "schedule/zone.hpp"

namespace notify::bench {

int schedules(const Options& o) {
    const std::string name = "schedules";
    const std::size_t count = o.count > 0 ? static_cast<std::size_t>(o.count) : 1000;
    struct Case {
        const char* expression;
        const char* zone;
    };
    const Case cases[] = {
        {"*/5 * * * *", "America/New_York"},   {"0 9 * * MON-FRI", "Asia/Shanghai"},
        {"30 2 * * *", "Europe/London"},       {"0 9 1 * MON", "America/New_York"},
        {"0 0 1 1,4,7,10 *", "Asia/Shanghai"}, {"0 0 29 2 *", "UTC"},
    };
    const util::Millis from = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
    double slowest = 0;
    for (const Case& c : cases) {
        auto cron = schedule::parse_cron(c.expression);
        auto zone = schedule::Zone::named(c.zone);
        if (!cron || !zone) {
            progress(name, std::string("cannot read ") + c.expression + " in " + c.zone);
            return 1;
        }
        std::vector<double> ms;
        std::size_t made = 0;
        for (int i = 0; i < 21; ++i) {
            Micros t0 = now_us();
            made = schedule::next_firings(*cron, *zone, from, count).size();
            ms.push_back(static_cast<double>(now_us() - t0) / 1000.0);
        }
        std::sort(ms.begin(), ms.end());
        const double median = ms[ms.size() / 2];
        slowest = std::max(slowest, median);
        char value[64];
        std::snprintf(value, sizeof value, "%.2f ms (%zu firings)", median, made);
        report(name, std::string("preview '") + c.expression + "' in " + c.zone, value, "< 5 ms",
               verdict(median < 5));
    }
    char value[32];
    std::snprintf(value, sizeof value, "%.2f ms", slowest);
    report(name, "slowest preview of " + std::to_string(count) + " firings", value, "< 5 ms",
           verdict(slowest < 5));
    return 0;
}

}  // namespace notify::bench
