// health.cpp - ready, degraded or unavailable, and why.
#include "health.hpp"

#include "router_endpoints.hpp"

#include <nlohmann/json.hpp>

#include "api.hpp"

namespace notify::ingest {

using nlohmann::json;

void Health::check_router(std::function<void()> done) {
    if (asking_) return;  // the last ping has not ended yet (at most kControlTimeout)
    asking_ = true;
    control_.call(R"({"op":"ping"})", [this, done = std::move(done)](Expected<std::string> reply) {
        asking_ = false;
        asked_ = true;
        auto answer = router_answer(reply, "ping");
        const std::string where =
            "the router at ingest.router ('" + joined(config_.ingest.router) + "')";
        const auto workers = answer ? answer->find("workers") : json::iterator{};
        if (!answer)
            router_trouble_ = where + " does not answer: " + answer.error().message;
        else if (workers == answer->end() || !workers->is_number_integer())
            router_trouble_ = where + " answers a ping without its workers";
        else if (workers->get<std::int64_t>() <= 0)
            router_trouble_ = where + " has no worker: nothing is delivered";
        else
            router_trouble_.clear();
        if (done) done();
    });
}

json Health::report(const store::ReplicaWatch* replicas) const {
    if (!store_writable(committer_, config_.store))
        return {{"status", "unavailable"},
                {"problems", {"the store '" + config_.store.where() + "' cannot take writes"}}};
    json problems = json::array();
    if (asked_ && !router_trouble_.empty()) problems.push_back(router_trouble_);
    if (replicas && replicas->none_fit())
        problems.push_back(
            "no replica of store.replicas can be read now: the leader serves every read");
    if (problems.empty()) return {{"status", "ready"}};
    return {{"status", "degraded"}, {"problems", std::move(problems)}};
}

}  // namespace notify::ingest
