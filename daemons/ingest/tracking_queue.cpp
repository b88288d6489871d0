// tracking_queue.cpp - batching tracked opens and clicks for the router; see
// tracking_queue.hpp.
#include "tracking_queue.hpp"

#include <nlohmann/json.hpp>

#include "api.hpp"
#include "util/json_parse.hpp"
#include "util/log.hpp"

namespace notify::ingest {

using nlohmann::json;

void TrackingQueue::add(const std::string& delivery_id, const char* status,
                        const std::string& url) {
    std::string key = delivery_id;
    key += '\n';
    key += status;
    if (seen_.contains(key)) return;
    if (waiting_.size() >= kMaxWaiting) {
        if (dropped_++ % 1000 == 0)
            NLOG(warning, "",
                 "tracking events dropped: " << waiting_.size() << " wait for the router already ("
                                             << dropped_ << " dropped so far)");
        return;
    }
    seen_.put(std::move(key), true);
    waiting_.push_back({delivery_id, status, url});
    if (!calling_) send();
}

void TrackingQueue::send() {
    if (waiting_.empty()) return;
    json events = json::array();
    for (const auto& e : waiting_) {
        json one{{"delivery_id", e.delivery_id}, {"status", e.status}};
        if (!e.url.empty()) one["url"] = e.url;
        events.push_back(std::move(one));
    }
    const std::size_t count = waiting_.size();
    waiting_.clear();
    calling_ = true;
    control_.call(json{{"op", "track"}, {"events", std::move(events)}}.dump(
                      -1, ' ', false, json::error_handler_t::replace),
                  [this, count](Expected<std::string> reply) {
                      calling_ = false;
                      json r = reply ? util::json_or_discarded(*reply) : json();
                      if (!r.is_object() || !r.value("ok", false))
                          NLOG(warning, "",
                               "tracking events not recorded ("
                                   << count
                                   << "): " << (reply ? log::clip(*reply) : reply.error().message));
                      send();
                  });
}

}  // namespace notify::ingest
