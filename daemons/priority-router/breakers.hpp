// breakers.hpp - a circuit breaker per provider: whether attempts may go to it.
//
// closed     attempts go to it. `failures` (router.breaker_failures, 3)
//            retryable failures in a row open it; any success starts the count
//            again.
// open       no attempt goes to it for its cool-down (router.breaker_cooldown,
//            30s); the channel's other providers take them, and a channel with
//            no other provider keeps its deliveries queued, in order, using no
//            attempt of theirs. Then it is half-open.
// half-open  one attempt goes to it, the probe; the others wait for its answer.
//            A success closes it. A retryable failure opens it again for twice
//            the last cool-down, at most router.breaker_cooldown_max (10m). An
//            answer that tells nothing of the provider (the worker's own
//            refusal, a wait asked for one recipient, a permanent failure), a
//            worker that dies holding it, or no answer before the probe's lease
//            runs out lets the next attempt probe instead.
// While it is open or half-open only the probe's answer counts: answers of
// attempts sent before it opened change nothing. An attempt is a delivery and
// its attempt number, so a late answer of an earlier attempt of the probe's
// delivery is no answer of the probe.
// Every change of state is kept for the router to log, count and record in the
// audit log (take_changes).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "util/time.hpp"

namespace notify::router {

using util::Millis;

enum class BreakerState { closed, open, half_open };
const char* to_string(BreakerState s);

struct BreakerRules {
    int failures = 3;
    Millis cooldown = 30'000;
    Millis cooldown_max = 600'000;
};

struct BreakerChange {
    std::string provider;
    BreakerState to = BreakerState::closed;
    Millis at = 0;
    std::string reason;
};

// One attempt: a delivery and its attempt number.
struct AttemptRef {
    const std::string& delivery;
    int attempt = 0;
};

struct BreakerView {
    std::string provider;
    BreakerState state = BreakerState::closed;
    int failures = 0;       // retryable failures in a row
    Millis open_until = 0;  // while open
    Millis cooldown = 0;    // of the last opening (0: never opened)
    std::string probe;      // the delivery probing it, while half-open
};

class Breakers {
  public:
    explicit Breakers(BreakerRules rules = {}) : rules_(rules) {}

    // Opens that have served their cool-down become half-open, and probes
    // whose answer is overdue are let go. Call before asking `admits`.
    void tick(Millis now);
    // Whether an attempt may go to `provider` now: closed, or half-open with
    // no probe out.
    bool admits(const std::string& provider) const;
    // When `provider` may take an attempt again (`now` if it may now): the end
    // of its cool-down, or its probe's answer deadline.
    Millis admits_at(const std::string& provider, Millis now) const;
    // True while every provider admits attempts (the usual case: nothing to
    // look at).
    bool none_blocking() const { return blocking_ == 0; }

    // `attempt` was handed to `provider`, answered by `answer_by` at the
    // latest; when half-open, it is the probe.
    void dispatched(const std::string& provider, AttemptRef attempt, Millis answer_by);
    void succeeded(const std::string& provider, AttemptRef attempt, Millis now);
    // A retryable failure that tells of the provider.
    void failed(const std::string& provider, AttemptRef attempt, Millis now);
    // An answer (or the end of an attempt: its worker died) that tells nothing
    // of the provider.
    void answered_neutral(const std::string& provider, AttemptRef attempt);

    BreakerState state(const std::string& provider) const;
    BreakerView view(const std::string& provider) const;
    std::vector<BreakerChange> take_changes();

  private:
    struct Breaker {
        BreakerState state = BreakerState::closed;
        int failures = 0;
        Millis open_until = 0;
        Millis cooldown = 0;
        std::string probe;  // delivery id; "" when no probe is out
        int probe_attempt = 0;
        Millis probe_deadline = 0;
        bool blocks = false;  // counted in blocking_
        bool admits() const {
            return state == BreakerState::closed ||
                   (state == BreakerState::half_open && probe.empty());
        }
        bool is_probe(AttemptRef a) const {
            return !probe.empty() && probe == a.delivery && probe_attempt == a.attempt;
        }
    };
    void change(const std::string& provider, Breaker& b, BreakerState to, Millis now,
                std::string reason);
    void open(const std::string& provider, Breaker& b, Millis cooldown, Millis now,
              std::string reason);
    void release_probe(Breaker& b);
    // Keeps blocking_ in step with whether `b` admits attempts.
    void recount(Breaker& b);

    BreakerRules rules_;
    // Providers with a failure counted or a breaker not closed; the others are
    // closed with no failure.
    std::unordered_map<std::string, Breaker> breakers_;
    std::size_t not_closed_ = 0;
    std::size_t blocking_ = 0;  // breakers that do not admit attempts
    std::vector<BreakerChange> changes_;
};

}  // namespace notify::router
