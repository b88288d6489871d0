// worker_deaths.hpp - what becomes of a delivery whose worker left while it held it.
//
// A worker that said goodbye (Bye, a clean stop) left: what it held is queued
// again and nothing is counted. A worker that vanished without it (it went
// silent for router.worker_timeout, its socket is gone, or it was not heard from
// for a whole lease) died, or hung, and a delivery may be why: a job that
// crashes every worker that takes it. Each delivery it held counts the death;
// after router.max_worker_deaths of them the delivery ends failed, "worker died
// while sending it", instead of taking down worker after worker. Deaths are
// counted in memory: a restarted router starts again from zero.
#pragma once

#include <string>

#include "model.hpp"

namespace notify::router {

struct HeldVerdict {
    DeliveryState state = DeliveryState::queued;  // queued again, or failed
    const char* event = "requeued";
    std::string detail;
};

inline constexpr const char* kWorkerDied = "worker died while sending it";

// `deaths` is the delivery's count so far and is updated. `how` says how the
// worker was found gone ("went silent").
HeldVerdict after_worker_left(int& deaths, bool died, long max_deaths, const std::string& worker,
                              const std::string& how);

}  // namespace notify::router
