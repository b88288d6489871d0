// repeated_failure.cpp - counting a repeated failure between log lines.
#include "util/repeated_failure.hpp"

namespace notify::util {

RepeatedFailure::RepeatedFailure(std::string what, Millis period)
    : what_(std::move(what)), period_(period) {}

long RepeatedFailure::due(Millis now) {
    ++pending_;
    if (since_ && now - *since_ < period_) return 0;
    since_ = now;
    long n = pending_;
    pending_ = 0;
    return n;
}

std::optional<std::string> RepeatedFailure::failed(std::string_view reason, Millis now) {
    if (total_++ == 0) first_ = now;
    if (reason != reason_) {  // a new reason is told at once
        since_.reset();
        pending_ = 0;
    }
    std::optional<Millis> last = since_;
    long n = due(now);
    if (n == 0) return std::nullopt;
    std::string line = what_;
    if (last)
        line += " (x" + std::to_string(n) + " in the last " + format_duration(now - *last) + ")";
    line += ": ";
    line += reason;
    reason_ = reason;
    return line;
}

std::optional<std::string> RepeatedFailure::recovered(Millis now) {
    if (total_ == 0) return std::nullopt;
    std::string line = what_ + " " + std::to_string(total_) + " times in " +
                       format_duration(now - first_) + "; it works again";
    total_ = 0;
    pending_ = 0;
    since_.reset();
    reason_.clear();
    return line;
}

}  // namespace notify::util
