// store_backoff.cpp - see store_backoff.hpp.
#include "store_backoff.hpp"

#include <algorithm>

#include "util/log.hpp"

namespace notify::router {

StoreBackoff::StoreBackoff(Millis first_pause) : first_pause_(std::max<Millis>(first_pause, 1)) {}

void StoreBackoff::record(const Status& st, Millis now) {
    if (st) {
        pause_ = 0;
        retry_at_ = 0;
        if (auto line = failures_.recovered(now)) NLOG(info, "", *line);
        return;
    }
    pause_ = pause_ ? std::min(pause_ * 2, kMaxPause) : std::min(first_pause_, kMaxPause);
    retry_at_ = now + pause_;
    if (auto line = failures_.failed(st.error().message, now))
        NLOG(warning, "",
             *line << "; trying again, every " << util::format_duration(pause_) << " at most");
}

}  // namespace notify::router
