// repeated_failure.cpp - counting a repeated failure between log lines.
#include "util/repeated_failure.hpp"

namespace notify::util {

RepeatedFailure::RepeatedFailure(std::string what, Millis period)
    : what_(std::move(what)), period_(period) {}

std::optional<std::string> RepeatedFailure::failed(std::string_view reason, Millis now) {
    if (total_++ == 0) first_ = now;
    if (total_ > 1 && reason == reason_ && now - since_ < period_) {
        ++unlogged_;
        return std::nullopt;
    }
    std::string line = what_;
    // The failures counted since the last line, this one included.
    if (total_ > 1 && reason == reason_)
        line += " (x" + std::to_string(unlogged_ + 1) + " in the last " +
                format_duration(now - since_) + ")";
    line += ": ";
    line += reason;
    reason_ = reason;
    since_ = now;
    unlogged_ = 0;
    return line;
}

std::optional<std::string> RepeatedFailure::recovered(Millis now) {
    if (total_ == 0) return std::nullopt;
    std::string line = what_ + " " + std::to_string(total_) + " times in " +
                       format_duration(now - first_) + "; it works again";
    total_ = 0;
    unlogged_ = 0;
    reason_.clear();
    return line;
}

}  // namespace notify::util
