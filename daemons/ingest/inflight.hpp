// inflight.hpp - counts requests that have arrived but are not answered yet, so
// that a stopping daemon leaves its event loop only once every accepted request
// has its reply. Loop thread only.
#pragma once

#include <event2/event.h>

namespace notify::ingest {

class InFlight {
  public:
    explicit InFlight(event_base* base) : base_(base) {}
    void begin() { ++count_; }
    void end() {
        if (--count_ == 0 && stopping_) event_base_loopbreak(base_);
    }
    // Leaves the loop now if nothing is outstanding, else after the last reply.
    void stop() {
        stopping_ = true;
        if (count_ == 0) event_base_loopbreak(base_);
    }
    int count() const { return count_; }

  private:
    event_base* base_;
    int count_ = 0;
    bool stopping_ = false;
};

}  // namespace notify::ingest
