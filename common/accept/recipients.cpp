// recipients.cpp - the recipients of a request: checked, looked up in the
// directory and counted, and the fan-out decision they lead to. See
// recipients.hpp.
#include "accept/recipients.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string_view>

#include "address.hpp"
#include "util/strings.hpp"

namespace notify::accept {

using nlohmann::json;

namespace {

constexpr std::string_view kUserPrefix = "user:";
constexpr std::string_view kGroupPrefix = "group:";

std::string indexed(const std::string& field, size_t i, size_t count) {
    return count > 1 ? field + "[" + std::to_string(i) + "]" : field;
}

Error unknown_recipient(const std::string& what, const std::string& name,
                        const std::string& field) {
    return make_error(ErrorKind::conflict, "unknown_recipient",
                      "no " + what + " '" + name + "' in the directory", field);
}

}  // namespace

bool names_directory(const json& item) {
    if (!item.is_object()) return false;
    auto to = item.find("to");
    if (to == item.end()) return false;
    auto named = [](const json& r) {
        if (!r.is_string()) return false;
        const auto& text = r.get_ref<const std::string&>();
        return util::starts_with(text, kUserPrefix) || util::starts_with(text, kGroupPrefix);
    };
    if (to->is_string()) return named(*to);
    return to->is_array() && std::any_of(to->begin(), to->end(), named);
}

Expected<Recipients> resolve_recipients(const Notification& n, const Config& cfg,
                                        store::DirectoryStore* directory,
                                        const std::string& field) {
    Recipients out;
    for (const auto& r : n.to)
        if (util::starts_with(r, kUserPrefix) || util::starts_with(r, kGroupPrefix))
            out.directory = true;
    if (!out.directory) {
        auto st = check_recipients(n.to, cfg.channel_type(n.channel), n.channel, field);
        if (!st) return st.error();
        out.total = n.to.empty() ? 1 : static_cast<std::int64_t>(n.to.size());
        return out;
    }
    if (!directory)
        return make_error(ErrorKind::conflict, "directory_unavailable",
                          "this server has no user directory for 'user:' and 'group:' recipients",
                          field);
    const std::string type = cfg.channel_type(n.channel);
    for (size_t i = 0; i < n.to.size(); ++i) {
        const std::string& r = n.to[i];
        const std::string at = indexed(field, i, n.to.size());
        bool user = util::starts_with(r, kUserPrefix);
        if (!user && !util::starts_with(r, kGroupPrefix)) {
            auto st = check_recipients({r}, type, n.channel, at);
            if (!st) return st.error();
            ++out.total;
            continue;
        }
        std::string name = r.substr(user ? kUserPrefix.size() : kGroupPrefix.size());
        if (name.empty())
            return make_error(ErrorKind::invalid, "invalid_address",
                              user ? "'user:' needs a user id, as 'user:alice'"
                                   : "'group:' needs a group name, as 'group:ops'",
                              at);
        if (user) {
            auto u = directory->get_user(name);
            if (!u) return unknown_recipient("user", name, field);
            if (!out.first) out.first = std::move(u);
            ++out.total;
        } else {
            auto g = directory->get_group(name);
            if (!g) return unknown_recipient("group", name, field);
            if (g->requires_approval) out.approval_required = true;
            out.total += directory->count_members(name);
        }
    }
    return out;
}

FanoutDecision decide_fanout(const Recipients& recipients, const Config& config) {
    const long threshold = config.bulk.approval_threshold;
    FanoutDecision d;
    d.approval = recipients.approval_required || (threshold > 0 && recipients.total > threshold);
    d.fanout = recipients.directory || d.approval;
    return d;
}

store::Fanout fanout_for(const Notification& n, const Recipients& recipients, bool approval,
                         Millis now) {
    store::Fanout f;
    f.notification_id = n.id;
    f.targets = n.to;
    f.state = approval ? store::FanoutState::pending_approval : store::FanoutState::expanding;
    f.total = recipients.total;
    f.created_at = now;
    return f;
}

}  // namespace notify::accept
