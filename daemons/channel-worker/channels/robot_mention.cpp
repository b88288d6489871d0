// robot_mention.cpp - a group robot's mention from a job's recipient.
#include "channels/robot_mention.hpp"

#include "util/strings.hpp"

namespace notify::channels {

RobotMention read_robot_mention(std::string_view to) {
    RobotMention m;
    std::string r = util::trim(to);
    if (r.empty()) return m;
    if (r == "@all") {
        m.all = true;
    } else if (util::all_digits(r)) {
        m.mobile = r;
    } else if (util::starts_with(r, "+86") && util::all_digits(std::string_view(r).substr(3))) {
        m.mobile = r.substr(3);
    } else {
        m.user_id = r;
    }
    return m;
}

}  // namespace notify::channels
