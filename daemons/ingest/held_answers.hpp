// held_answers.hpp - answers held back until what they wait for has happened
// in the store, or their wait is over: GET /v1/notifications/{id}?wait=DURATION
// answers once every delivery of the notification has ended, so that
// `notifyctl send --wait` is told instead of asking again and again.
//
// While any answer is held, every kCheckEvery the loop asks the store whether
// anything was committed since it last looked (store::commits_seen, which any
// connection's commit moves: the router's, ingest's writer); only then does it
// try held answers again: each no sooner than ten times as long after its
// last try as that try took (a fan-out of a million deliveries takes long to
// count), and all of them within kBudget per check, the rest at the next
// check, first. One whose wait is over is given as it stands. At most
// kMaxHeld are held at once. Loop thread only; an answer given during a check
// may serve a new request that holds another (held_ is a list: its
// iterators stay valid).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>

#include "api.hpp"
#include "metrics.hpp"
#include "store/db.hpp"
#include "store/store.hpp"
#include "util/time.hpp"

struct event;
struct event_base;

namespace notify::ingest {

class HeldAnswers : public AnswerHolder {
  public:
    static constexpr std::size_t kMaxHeld = 4096;
    static constexpr util::Millis kCheckEvery = 2;
    static constexpr int kCostFactor = 10;
    static constexpr std::chrono::microseconds kBudget{2000};

    HeldAnswers(event_base* base, store::Store& reads, Metrics& metrics);
    ~HeldAnswers() override;
    HeldAnswers(const HeldAnswers&) = delete;
    HeldAnswers& operator=(const HeldAnswers&) = delete;

    // False when kMaxHeld are held already.
    bool hold(util::Millis until, Attempt attempt) override;
    // Gives every held answer as it stands: the daemon is stopping.
    void answer_all();

  private:
    using Clock = std::chrono::steady_clock;
    struct Held {
        util::Millis until;
        Attempt attempt;
        std::int64_t seen_version;  // the store's data version at its last try
        Clock::time_point next_try{};
    };
    static void on_check(int, short, void* arg);
    void check();
    // The store's data version, or -1 when it cannot be read.
    std::int64_t data_version();

    Metrics& metrics_;
    event* timer_ = nullptr;
    store::Stmt version_;
    std::list<Held> held_;
};

}  // namespace notify::ingest
