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
      renew_every_(std::max<util::Millis>(length / 5, 100)),
      serving_(partitions, {}),
      above_share_(partitions, {}),
      assigned_(partitions, {}),
      letting_go_(static_cast<std::size_t>(partitions), 0) {}

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
        return assigned_.held() > 0 || stopping_ || !refusal_.empty();
    }) && assigned_.held() > 0;
}

PartitionSet LeaseKeeper::assigned() const {
    std::lock_guard<std::mutex> lock(mu_);
    return assigned_;
}

LeaseKeeper::Assignment LeaseKeeper::serve_assigned() {
    Assignment now{PartitionSet(holding_->count, {}), 0};
    {
        std::lock_guard<std::mutex> lock(mu_);
        serving_ = assigned_;
        now = {assigned_, assignments_.load()};
        for (int p = 0; p < holding_->count; ++p)
            if (above_share_.contains(p) && !serving_.contains(p)) claim_now_ = true;
    }
    wake_.notify_all();
    return now;
}

std::string LeaseKeeper::refusal() const {
    std::lock_guard<std::mutex> lock(mu_);
    return refusal_;
}

nlohmann::json LeaseKeeper::description() const {
    using nlohmann::json;
    json out{{"partitions", holding_->count}, {"length_ms", length_}};
    const PartitionSet held = holding_->held();
    std::lock_guard<std::mutex> lock(mu_);
    out["share"] = share_;
    if (holding_->lost) {
        out["state"] = "lost";
    } else if (held.held() != 0) {
        out["state"] = "held";
        out["held"] = held.describe();
        out["dispatching"] = dispatching();
    } else {
        out["state"] = "standby";
    }
    if (!holder_.empty()) {
        out["holder"] = holder_;
        out["expires_in_ms"] = std::max<util::Millis>(0, holder_until_ - clock());
    }
    return out;
}

void LeaseKeeper::assign(const store::Epochs& epochs, int share) {
    std::vector<int> held = store::partitions_held(epochs), above;
    while (static_cast<int>(held.size()) > share) {
        above.push_back(held.back());
        held.pop_back();
    }
    const PartitionSet assigned(holding_->count, held);
    {
        std::lock_guard<std::mutex> lock(mu_);
        share_ = share;
        above_share_ = PartitionSet(holding_->count, above);
        if (assigned == assigned_) return;
        assigned_ = assigned;
        ++assignments_;
    }
    wake_.notify_all();
}

util::Millis LeaseKeeper::claim() {
    const util::Millis started = clock();
    const int count = holding_->count;
    const std::string& me = holding_->owner;
    std::vector<int> leaving;
    {
        std::lock_guard<std::mutex> lock(mu_);
        claim_now_ = false;
        for (int p = 0; p < count; ++p)
            if (above_share_.contains(p) && !serving_.contains(p)) leaving.push_back(p);
    }
    // What is let go leaves the fences' sight first (another router may take
    // it as soon as it is let go), and waits in letting_go_ until a claim
    // has let it go.
    store::Epochs held = holding_->epochs();
    if (!leaving.empty()) {
        for (int p : leaving) {
            auto& epoch = held[static_cast<std::size_t>(p)];
            if (epoch != 0) letting_go_[static_cast<std::size_t>(p)] = epoch;
            epoch = 0;
        }
        holding_->set(held);
    }
    leaving.clear();
    for (std::size_t p = 0; p < letting_go_.size(); ++p)
        if (letting_go_[p] != 0) {
            held[p] = letting_go_[p];
            leaving.push_back(static_cast<int>(p));
        }
    const PartitionSet let_go(count, leaving);
    try {
        const store::LeaseClaim row =
            store::claim_partitions(*store_, count, me, held, let_go, length_);
        if (failing_) NLOG(info, "", "the store takes this router's lease claims again");
        failing_ = false;
        if (!row.lost && row.other_count == 0) std::fill(letting_go_.begin(), letting_go_.end(), 0);
        if (row.lost || holding_->lost) {
            if (!holding_->lost.exchange(true)) {
                if (row.holder.empty())
                    NLOG(error, "",
                         "the lease rows no longer match this router's holding (a partition "
                         "removed): this router stops");
                else
                    NLOG(error, "",
                         row.holder << " has taken over a partition this router held (lease epoch "
                                    << row.epoch << "): this router stops");
            }
            valid_until_ = 0;
            return renew_every_;
        }
        if (row.other_count != 0) {
            const util::Millis left = row.holder_expires_at - row.now;
            // Another count than the holder's: refused once the holder is
            // seen renewing; a holder that has died (its lease not renewed)
            // is waited out, and the rows made anew with this router's count.
            std::lock_guard<std::mutex> lock(mu_);
            const bool renewing =
                row.holder == other_.holder && row.holder_expires_at > other_.expires_at;
            other_ = {row.holder, row.holder_expires_at};
            holder_ = row.holder;
            holder_until_ = started + left;
            if (renewing) {
                refusal_ = "router.partitions is " + std::to_string(count) +
                           " here, but the routers delivering now (" + row.holder +
                           ") divide the deliveries into " + std::to_string(row.other_count) +
                           ": set the same count on every router sharing the store (to change "
                           "it, stop them all first)";
                wake_.notify_all();
            }
            return std::clamp<util::Millis>(left + kAfterExpiry, kAfterExpiry, renew_every_);
        }
        const std::vector<int> now_held = store::partitions_held(row.epochs);
        if (!now_held.empty()) valid_until_ = started + length_ - 2 * renew_every_;
        holding_->set(row.epochs);
        std::vector<int> taken;
        for (int p : now_held)
            if (held[static_cast<std::size_t>(p)] == 0) taken.push_back(p);
        if (!taken.empty())
            NLOG(info, "",
                 "this router holds partitions " << PartitionSet(count, taken).describe() << " of "
                                                 << count << " now (its share: " << row.share
                                                 << ", of " << row.routers << " routers)");
        if (!leaving.empty())
            NLOG(info, "",
                 "partitions " << let_go.describe() << " let go (its share: " << row.share
                               << ", of " << row.routers << " routers)");
        assign(row.epochs, row.share);
        const util::Millis left = row.holder_expires_at - row.now;
        std::lock_guard<std::mutex> lock(mu_);
        if (holder_ != row.holder && !row.holder.empty() && now_held.empty())
            NLOG(info, "",
                 "standing by: " << row.holder << " holds the partitions (lease epoch " << row.epoch
                                 << ", expires in " << left << " ms)");
        holder_ = row.holder;
        holder_until_ = started + left;
        // Again as the first row another holds expires: its holder may be
        // gone, and the share then changes.
        if (row.next_expiry != 0)
            return std::clamp<util::Millis>(row.next_expiry - row.now + kAfterExpiry, kAfterExpiry,
                                            renew_every_);
        return renew_every_;
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
        wake_.wait_for(lock, std::chrono::milliseconds(next),
                       [this] { return stopping_ || claim_now_; });
    }
}

void LeaseKeeper::stop() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    const PartitionSet held = holding_->held();
    if (holding_->lost) return;
    valid_until_ = 0;
    store::Epochs epochs = holding_->epochs();
    for (std::size_t p = 0; p < letting_go_.size(); ++p)
        if (letting_go_[p] != 0) epochs[p] = letting_go_[p];
    try {
        store::release_partitions(*store_, holding_->owner, epochs);
        if (held.held() != 0) NLOG(info, "", "partitions " << held.describe() << " let go");
    } catch (const store::StoreFailure& f) {
        NLOG(warning, "",
             "cannot let this router's partitions and claim go: " << f.message
                                                                  << "; they expire by themselves");
    }
}

}  // namespace notify::router
