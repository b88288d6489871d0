// worker_deaths.cpp - see worker_deaths.hpp.
#include "worker_deaths.hpp"

namespace notify::router {

HeldVerdict after_worker_left(int& deaths, bool died, long max_deaths, const std::string& worker,
                              const std::string& how) {
    HeldVerdict v;
    if (!died) {
        v.detail = "worker " + worker + " " + how;
        return v;
    }
    ++deaths;
    if (deaths >= max_deaths) {
        v.state = DeliveryState::failed;
        v.event = "failed";
        v.detail = std::string(kWorkerDied) + ": " + std::to_string(deaths) +
                   (deaths == 1 ? " worker" : " workers") + " died holding it, the last " + worker +
                   " (" + how + ")";
        return v;
    }
    v.detail = "worker " + worker + " died holding it (" + how + "); worker deaths " +
               std::to_string(deaths) + " of " + std::to_string(max_deaths);
    return v;
}

}  // namespace notify::router
