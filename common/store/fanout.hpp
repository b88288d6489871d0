// fanout.hpp - a send to users, groups or more recipients than the door expands
// at once. Ingest stores the notification with its targets and no deliveries;
// the router expands the targets into deliveries in steps (or holds them until an
// administrator approves the send). Table `fanouts`, one row per notification.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/time.hpp"

namespace notify::store {

enum class FanoutState {
    pending_approval,  // waits for `notifyctl approve` or `reject`
    expanding,         // the router is writing its deliveries
    done,              // every target is expanded
    rejected,          // an administrator refused it; nothing is sent
    canceled,          // stopped by `notifyctl cancel` before it was done
};

inline const char* to_string(FanoutState s) {
    switch (s) {
        case FanoutState::pending_approval:
            return "pending-approval";
        case FanoutState::expanding:
            return "expanding";
        case FanoutState::done:
            return "done";
        case FanoutState::rejected:
            return "rejected";
        case FanoutState::canceled:
            return "canceled";
    }
    return "expanding";
}

inline std::optional<FanoutState> parse_fanout_state(std::string_view text) {
    for (auto s : {FanoutState::pending_approval, FanoutState::expanding, FanoutState::done,
                   FanoutState::rejected, FanoutState::canceled})
        if (text == to_string(s)) return s;
    return std::nullopt;
}

struct Fanout {
    std::string notification_id;
    std::vector<std::string> targets;  // "user:ID", "group:NAME" and raw addresses, as sent
    FanoutState state = FanoutState::expanding;
    std::int64_t total = 0;     // recipients counted at acceptance
    std::int64_t expanded = 0;  // deliveries written so far; the next delivery index
    std::string cursor;         // where expansion resumes (the router's own format)
    std::string decided_by;     // who approved or rejected
    util::Millis decided_at = 0;
    std::string reason;  // a rejection's reason
    util::Millis created_at = 0;
};

}  // namespace notify::store
