// lease_keeper.cpp - the thread that claims and renews the router's lease.
#include "lease_keeper.hpp"

#include <time.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "util/log.hpp"

namespace notify::router {

namespace {
constexpr util::Millis kAfterExpiry = 10;  // how long after the expiry a standby claims
}  // namespace

util::Millis LeaseKeeper::clock() {
    timespec ts{};
    clock_gettime(CLOCK_BOOTTIME, &ts);
    return static_cast<util::Millis>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

LeaseKeeper::LeaseKeeper(std::unique_ptr<store::Store> store, std::string owner, int partitions,
                         util::Millis length)
    : store_(std::move(store)),
      holding_(std::make_shared<store::LeaseHolding>(std::move(owner), partitions)),
      length_(length),
      renew_every_(std::max<util::Millis>(length / 5, 100)) {}

LeaseKeeper::~LeaseKeeper() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void LeaseKeeper::start() {
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

std::shared_ptr<store::WriteFence> LeaseKeeper::fence() const {
    return std::make_shared<store::LeaseFence>(holding_);
}

bool LeaseKeeper::wait_until_held(util::Millis timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return wake_.wait_for(lock, std::chrono::milliseconds(timeout), [this] {
        return holding_->epoch.load() != 0 || stopping_ || !refusal_.empty();
    }) && holding_->epoch.load() != 0;
}

std::string LeaseKeeper::refusal() const {
    std::lock_guard<std::mutex> lock(mu_);
    return refusal_;
}

nlohmann::json LeaseKeeper::description() const {
    using nlohmann::json;
    json out{{"partitions", holding_->count}, {"length_ms", length_}};
    if (holding_->lost) {
        out["state"] = "lost";
    } else if (holding_->epoch != 0) {
        out["state"] = "held";
        out["epoch"] = holding_->epoch.load();
        out["dispatching"] = dispatching();
    } else {
        std::lock_guard<std::mutex> lock(mu_);
        out["state"] = "standby";
        if (!holder_.empty()) {
            out["holder"] = holder_;
            out["expires_in_ms"] = std::max<util::Millis>(0, holder_until_ - clock());
        }
    }
    return out;
}

util::Millis LeaseKeeper::claim() {
    const util::Millis started = clock();
    const std::int64_t held = holding_->epoch.load();
    const std::string& me = holding_->owner;
    try {
        const store::LeaseClaim row =
            store::claim_partitions(*store_, holding_->count, me, held, length_);
        if (failing_) NLOG(info, "", "the store takes this router's lease claims again");
        failing_ = false;
        // Ours: taken now, or renewed with the epoch we hold (a row naming us
        // with another epoch was taken by another process of the same name).
        if (row.held && !holding_->lost) {
            valid_until_ = started + length_ - 2 * renew_every_;
            if (held == 0) {
                NLOG(info, "",
                     "this router holds the deliveries now (lease epoch " << row.epoch << ")");
                {
                    std::lock_guard<std::mutex> lock(mu_);
                    holding_->epoch = row.epoch;
                    holder_.clear();
                }
                wake_.notify_all();
            }
            return renew_every_;
        }
        if (held != 0) {
            if (!holding_->lost.exchange(true)) {
                if (row.holder.empty())
                    NLOG(error, "",
                         "the lease rows no longer match this router's holding (a partition "
                         "removed): this router stops");
                else
                    NLOG(error, "",
                         row.holder << " has taken the deliveries over (lease epoch " << row.epoch
                                    << "): this router stops");
            }
            valid_until_ = 0;
            return renew_every_;
        }
        const util::Millis left = row.expires_at - row.now;
        std::lock_guard<std::mutex> lock(mu_);
        // Another count than the holder's: refused once the holder is seen
        // renewing; a holder that has died (its lease not renewed) is
        // waited out, and its partitions taken with this router's count.
        const bool renewing = row.holder == other_.holder && row.expires_at > other_.expires_at;
        other_ = {row.holder, row.expires_at};
        if (row.other_count != 0 && renewing) {
            refusal_ = "router.partitions is " + std::to_string(holding_->count) +
                       " here, but the router delivering now (" + row.holder +
                       ") divides the deliveries into " + std::to_string(row.other_count) +
                       ": set the same count on every router sharing the store (to change it, "
                       "stop them all first)";
            wake_.notify_all();
            return renew_every_;
        }
        if (holder_ != row.holder)
            NLOG(info, "",
                 "standing by: " << row.holder << " holds the deliveries (lease epoch " << row.epoch
                                 << ", expires in " << left << " ms)");
        holder_ = row.holder;
        holder_until_ = started + left;
        return std::clamp<util::Millis>(left + kAfterExpiry, kAfterExpiry, renew_every_);
    } catch (const store::StoreFailure& f) {
        if (!failing_)
            NLOG(warning, "", "cannot claim this router's lease on the deliveries: " << f.message);
        failing_ = true;
        return renew_every_;
    }
}

void LeaseKeeper::run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_ && refusal_.empty()) {
        lock.unlock();
        const util::Millis next = claim();
        lock.lock();
        wake_.wait_for(lock, std::chrono::milliseconds(next), [this] { return stopping_; });
    }
}

void LeaseKeeper::stop() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    const std::int64_t epoch = holding_->epoch.load();
    if (epoch == 0 || holding_->lost) return;
    valid_until_ = 0;
    try {
        store::release_partitions(*store_, holding_->owner, epoch);
        NLOG(info, "", "lease on the deliveries let go (epoch " << epoch << ")");
    } catch (const store::StoreFailure& f) {
        NLOG(
            warning, "",
            "cannot let the lease on the deliveries go: " << f.message << "; it expires by itself");
    }
}

}  // namespace notify::router
