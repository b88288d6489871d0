// robot_mention.hpp - whom a group robot's message mentions, read from the
// job's recipient the way dingtalk-robot and wecom-robot both take it: ""
// no one, "@all" everyone, a mobile number (digits; a leading +86 is
// removed), any other text a user id.
#pragma once

#include <string>
#include <string_view>

namespace notify::channels {

struct RobotMention {
    bool all = false;
    std::string mobile;
    std::string user_id;
    bool any() const { return all || !mobile.empty() || !user_id.empty(); }
};

RobotMention read_robot_mention(std::string_view to);

}  // namespace notify::channels
