#include "router_replies.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "util/prometheus.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

json parsed(const std::string& reply) {
    return json::parse(reply, nullptr, false);
}

// What the routers add for the merge, left out of the answer.
void strip(json& j) {
    j.erase("partitions");
    j.erase("of");
    j.erase("not_served");
}

int badness(const json& provider) {
    const std::string state = provider.value("state", std::string());
    return state == "open" ? 2 : state == "half-open" ? 1 : 0;
}

json add_counts(const std::vector<json>& replies) {
    json out = replies.front();
    for (std::size_t i = 1; i < replies.size(); ++i)
        for (const auto& [key, value] : replies[i].items()) {
            if (!value.is_number_integer()) {
                if (!out.contains(key)) out[key] = value;  // "fanout", from whichever has it
                continue;
            }
            const auto mine = out.value(key, std::int64_t{0});
            const auto theirs = value.get<std::int64_t>();
            // What every router counts alike (a receipt of a message none
            // knows yet waits in each, one without an id is ignored by each;
            // a worker works for every router) is counted once.
            out[key] = key == "waiting" || key == "ignored" || key == "workers"
                           ? std::max(mine, theirs)
                           : mine + theirs;
        }
    return out;
}

json worst_providers(const std::vector<json>& replies) {
    json out = replies.front();
    std::map<std::string, json> worst;
    std::vector<std::string> order;
    for (const json& r : replies) {
        auto list = r.find("providers");
        if (list == r.end() || !list->is_array()) continue;
        for (const json& p : *list) {
            const std::string name = p.value("provider", std::string());
            auto it = worst.find(name);
            if (it == worst.end()) {
                order.push_back(name);
                worst.emplace(name, p);
            } else if (badness(p) > badness(it->second)) {
                it->second = p;
            }
        }
    }
    json list = json::array();
    for (const auto& name : order) list.push_back(worst.at(name));
    out["providers"] = std::move(list);
    return out;
}

}  // namespace

void RouterReplies::add(const std::string& reply) {
    replies_.push_back(reply);
    const json j = parsed(reply);
    if (j.is_object() && j.contains("error")) ++errors_;
    const bool whole = !j.is_object() || !j.contains("of") || !j["of"].is_number_integer();
    whole_replies_.push_back(whole);
    if (whole) {
        whole_ = true;
        return;
    }
    const int count = j["of"].get<int>();
    auto set = PartitionSet::parse(j.value("partitions", std::string()), count);
    if (!set) return;  // answers for nothing this can read
    if (!answered_ || answered_->count() != count)
        answered_ = std::move(*set);
    else
        answered_->add(*set);
}

std::string RouterReplies::answered() const {
    if (whole_) return "every partition";
    if (!answered_ || answered_->held() == 0) return "no partition";
    return "partitions " + answered_->describe() + " of " + std::to_string(answered_->count());
}

std::string RouterReplies::merged() const {
    if (whole_) {
        for (std::size_t i = 0; i < replies_.size(); ++i) {
            if (!whole_replies_[i]) continue;
            const json j = parsed(replies_[i]);
            if (!j.is_object() || !j.contains("error")) return replies_[i];
        }
        for (std::size_t i = 0; i < replies_.size(); ++i)
            if (whole_replies_[i]) return replies_[i];
    }
    std::vector<json> replies;
    for (const auto& r : replies_) {
        json j = parsed(r);
        if (!j.is_object()) continue;
        if (j.contains("error")) {
            strip(j);
            return j.dump(-1, ' ', false, json::error_handler_t::replace);
        }
        replies.push_back(std::move(j));
    }
    if (op_ == "metrics") {
        std::vector<util::prometheus::Exposition> parts;
        for (const json& j : replies) {
            const auto router = j.find("router");
            const auto metrics = j.find("metrics");
            if (router == j.end() || !router->is_string() || metrics == j.end() ||
                !metrics->is_string())
                continue;  // not figures
            parts.push_back({router->get<std::string>(), metrics->get<std::string>()});
        }
        return util::prometheus::merge_expositions(parts, "router");
    }
    json out;
    if (op_ == "cancel" || op_ == "resend" || op_ == "receipt" || op_ == "track" || op_ == "ping") {
        out = add_counts(replies);
    } else if (op_ == "approve" || op_ == "reject" || op_ == "schedule") {
        auto own = std::find_if(replies.begin(), replies.end(),
                                [](const json& j) { return !j.value("not_served", false); });
        out = own != replies.end() ? *own : replies.front();
    } else if (op_ == "providers") {
        out = worst_providers(replies);
    } else {
        out = replies.front();
    }
    strip(out);
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace notify::ingest
