// fuzz_schedule.cpp - what schedules read from outside (common/schedule): a
// cron expression, then the firings it gives in a zone with changes of offset
// from an instant the input picks, and the POSIX TZ rule that ends a zone file.
// The input is an expression, NUL, a TZ rule, NUL, eight bytes of an instant.
#include <cstring>

#include "fuzz_input.hpp"
#include "schedule/cron.hpp"
#include "schedule/firings.hpp"
#include "schedule/posix_tz.hpp"
#include "schedule/zone.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace notify;
    auto parts = fuzz::split_input(data, size, 3);
    std::int64_t from = 0;
    if (parts.size() > 2)
        std::memcpy(&from, parts[2].data(), std::min<std::size_t>(parts[2].size(), sizeof from));
    // From 1900 to 2400, where zones and calendars are defined.
    from = -2'208'988'800'000 +
           static_cast<std::int64_t>(static_cast<std::uint64_t>(from) % 15'778'800'000'000ULL);
    static const auto zone = schedule::Zone::named("America/New_York");
    if (auto cron = schedule::parse_cron(parts[0]); cron && zone) {
        auto firings = schedule::next_firings(*cron, *zone, from, 3);
        for (std::size_t i = 1; i < firings.size(); ++i)
            if (firings[i] <= firings[i - 1]) __builtin_trap();  // always in order
    }
    if (parts.size() > 1)
        if (auto tz = schedule::parse_posix_tz(parts[1])) {
            (void)tz->offset_at(from / 1000);
            (void)tz->changes(2040);
        }
    return 0;
}
