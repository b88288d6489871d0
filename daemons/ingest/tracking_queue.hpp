// tracking_queue.hpp - opens and clicks of tracked email on their way to the
// router (api_tracking.cpp). Readers are answered at once; their events wait
// here and go to the router in batches, one control call at a time
// ({"op":"track","events":[...]}), so a wave of opens after a bulk send takes
// one of the control socket's slots, not all of them. An event seen a moment
// ago (the same delivery and kind) is not sent again; the router counts the
// first of each per delivery anyway. At most kMaxWaiting wait; more are
// dropped and logged, never answered with an error (the reader has a page).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "util/bounded_map.hpp"

namespace notify::ingest {

class RouterControl;

class TrackingQueue {
  public:
    static constexpr std::size_t kMaxWaiting = 10000;
    static constexpr std::size_t kRemembered = 50000;  // events recently sent, for repeats

    explicit TrackingQueue(RouterControl& control) : control_(control) {}
    // Queues the event (status read or clicked; `url` for a click) and sends
    // what waits unless a call is out.
    void add(const std::string& delivery_id, const char* status, const std::string& url);
    std::size_t waiting() const { return waiting_.size(); }

  private:
    void send();

    struct Event {
        std::string delivery_id;
        const char* status;
        std::string url;
    };
    RouterControl& control_;
    std::vector<Event> waiting_;
    util::BoundedMap<bool> seen_{kRemembered};  // delivery id and status, the oldest forgotten
    bool calling_ = false;
    std::size_t dropped_ = 0;  // since the last warning
};

}  // namespace notify::ingest
