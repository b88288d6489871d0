#include "held_answers.hpp"

#include <event2/event.h>

#include "store/dialect.hpp"
#include "util/timeval.hpp"

namespace notify::ingest {

namespace {
constexpr std::int64_t kNotSeen = -2;  // data_version() gives -1 at worst
}  // namespace

HeldAnswers::HeldAnswers(event_base* base, store::Store& reads, Metrics& metrics)
    : metrics_(metrics), version_(reads.handle(), store::commits_seen(reads.handle().dialect())) {
    timer_ = event_new(base, -1, EV_PERSIST, &HeldAnswers::on_check, this);
}

HeldAnswers::~HeldAnswers() {
    if (timer_) event_free(timer_);
}

bool HeldAnswers::hold(util::Millis until, Attempt attempt) {
    if (held_.size() >= kMaxHeld) return false;
    if (held_.empty()) {
        const timeval every = util::to_timeval(kCheckEvery);
        event_add(timer_, &every);
    }
    // Tried again at the next check: a commit may have come between the
    // caller's try and now.
    held_.push_back(Held{until, std::move(attempt), kNotSeen});
    metrics_.answers_held(static_cast<std::int64_t>(held_.size()));
    return true;
}

void HeldAnswers::answer_all() {
    // An attempt may hold nothing more, but take the list first all the same.
    std::list<Held> all;
    all.swap(held_);
    event_del(timer_);
    metrics_.answers_held(0);
    for (auto& h : all) h.attempt(true);
}

void HeldAnswers::on_check(int, short, void* arg) {
    static_cast<HeldAnswers*>(arg)->check();
}

void HeldAnswers::check() {
    const util::Millis now_ms = util::steady_ms();
    const Clock::time_point start = Clock::now();
    const std::int64_t version = data_version();
    // Those tried go to the back, so that what the budget left out comes
    // first next time.
    std::list<Held> tried;
    for (auto it = held_.begin(); it != held_.end();) {
        const bool last = now_ms >= it->until;
        const bool changed = version != it->seen_version || version < 0;
        const Clock::time_point before = Clock::now();
        if (!last && (!changed || before < it->next_try || before - start >= kBudget)) {
            ++it;
            continue;
        }
        if (it->attempt(last)) {
            it = held_.erase(it);
            continue;
        }
        const Clock::time_point after = Clock::now();
        it->seen_version = version;
        it->next_try = after + (after - before) * kCostFactor;
        auto next = std::next(it);
        tried.splice(tried.end(), held_, it);
        it = next;
    }
    held_.splice(held_.end(), tried);
    if (held_.empty()) event_del(timer_);
    metrics_.answers_held(static_cast<std::int64_t>(held_.size()));
}

std::int64_t HeldAnswers::data_version() {
    try {
        auto v = version_.first([](store::Stmt& s) { return s.integer(0); });
        return v ? *v : -1;
    } catch (const store::StoreFailure&) {
        return -1;  // each held answer reads the store itself, and says so if it cannot
    }
}

}  // namespace notify::ingest
