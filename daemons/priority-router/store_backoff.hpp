// store_backoff.hpp - the router's writes while the store refuses them (a full
// disk, a read-only or moved file): tried again after a pause that doubles from
// router.flush_interval up to one second instead of on every round of the loop,
// and logged once with a count (util/repeated_failure.hpp), not once per try.
// While writes fail the router also hands out no new work: outcomes it cannot
// record would only be sent again after a restart.
//
// One backoff serves every writer of the router (the transition log and the
// fan-out expansion): they share one store, which takes writes or does not.
#pragma once

#include "model.hpp"
#include "util/error.hpp"
#include "util/repeated_failure.hpp"
#include "util/time.hpp"

namespace notify::router {

class StoreBackoff {
  public:
    static constexpr Millis kMaxPause = 1000;

    explicit StoreBackoff(Millis first_pause);
    // Whether a write may be tried now.
    bool ready(Millis now) const { return now >= retry_at_; }
    // When the next write may be tried (0: at once).
    Millis retry_at() const { return retry_at_; }
    bool failing() const { return failures_.failing(); }
    // The outcome of a write.
    void record(const Status& st, Millis now);

  private:
    Millis first_pause_;
    Millis pause_ = 0;
    Millis retry_at_ = 0;
    util::RepeatedFailure failures_{"store write failed"};
};

}  // namespace notify::router
