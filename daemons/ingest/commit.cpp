// commit.cpp - idempotency settlement and one transaction per group of requests.
// A key is looked up inside the write transaction that stores its first use, so
// that several notify-ingests on one store cannot both take it as new: the
// transaction holds the store's write lock from the first lookup to the commit.
// A group that only replays keys used before is settled without it. When the
// store refuses what a group holds (not for its own state), each request of
// the group is committed alone, so that one request's refusal is its own.
#include "commit.hpp"

#include <unistd.h>

#include <sqlite3.h>

#include <chrono>
#include <optional>
#include <unordered_map>

#include "store/db.hpp"
#include "wire.hpp"

namespace notify::ingest {

namespace {

struct FirstUse {
    std::string hash;
    std::string id;
};

Error store_unavailable(const std::string& why) {
    return make_error(ErrorKind::unavailable, "store_unavailable",
                      "the store cannot take writes: " + why);
}

// Whether the store refused what was written rather than failing for its
// own state: a constraint, a value too long, of the wrong type or out of range
// (mariadb_db.cpp maps the server's errors to these), whether a write or the
// commit that sent the held writes reports it. Anything else is the store's
// state (busy, full, read-only, gone).
bool refused_content(int code) {
    if (code == SQLITE_CONSTRAINT_COMMITHOOK) return false;  // a replaced store file
    const int primary = code & 0xff;
    return primary == SQLITE_CONSTRAINT || primary == SQLITE_TOOBIG || primary == SQLITE_MISMATCH ||
           primary == SQLITE_RANGE;
}

// The group in one transaction; `content` tells a refusal of what it holds.
std::vector<CommitResult> commit_once(store::Store& store, std::vector<Submission>& group,
                                      Millis now, CommitStats& stats, bool& content);

// Commits each submission of `group` in a transaction of its own, after the
// group's refusal for what it holds: what one request holds is that request's
// alone. Once one fails for the store's state, the rest fail with it unasked.
std::vector<CommitResult> commit_each(store::Store& store, std::vector<Submission>& group,
                                      Millis now, CommitStats& stats) {
    std::vector<CommitResult> results;
    results.reserve(group.size());
    stats.ok = true;
    std::optional<Error> state;
    for (Submission& s : group) {
        if (state) {
            results.push_back(CommitResult{*state, {}});
            continue;
        }
        std::vector<Submission> one;
        one.push_back(std::move(s));
        CommitStats alone;
        bool content = false;
        auto r = commit_once(store, one, now, alone, content);
        s = std::move(one[0]);  // its `done` is the caller's to call
        if (!alone.ok) state = r[0].status.error();
        results.push_back(std::move(r[0]));
        stats.stored += alone.stored;
        stats.seconds += alone.seconds;
        stats.ok = stats.ok && alone.ok;
        for (std::int64_t seq : alone.high)
            if (stats.high.size() < wire::kNudgeHighMax) stats.high.push_back(seq);
    }
    return results;
}

}  // namespace

std::vector<CommitResult> commit_group(store::Store& store, std::vector<Submission>& group,
                                       Millis now, CommitStats& stats) {
    bool content = false;
    return commit_once(store, group, now, stats, content);
}

namespace {

std::vector<CommitResult> commit_once(store::Store& store, std::vector<Submission>& group,
                                      Millis now, CommitStats& stats, bool& content) {
    auto started = std::chrono::steady_clock::now();
    std::vector<CommitResult> results(group.size());
    // Where each notification goes: its index in `batch`, or its settled result.
    struct Slot {
        bool write = false;
        size_t batch_index = 0;
        ItemResult result;
    };
    std::vector<std::vector<Slot>> slots(group.size());
    std::vector<store::Accepted> batch;
    std::unordered_map<std::string, FirstUse> keys;
    stats = CommitStats{};
    for (size_t s = 0; s < group.size(); ++s) stats.notifications += group[s].items.size();
    // Settles each item (a key used before, or a row to write) and writes the rows.
    auto settle_and_write = [&]() -> Status {
        for (size_t s = 0; s < group.size(); ++s) {
            slots[s].resize(group[s].items.size());
            for (size_t i = 0; i < group[s].items.size(); ++i) {
                store::Accepted& a = group[s].items[i];
                Slot& slot = slots[s][i];
                const std::string& key = a.notification.idempotency_key;
                if (!key.empty()) {
                    // Scoped per API key: another key's use of the same text is its own.
                    std::string scoped = a.notification.api_key_id + '\n' + key;
                    auto seen = keys.find(scoped);
                    if (seen != keys.end()) {
                        bool same = seen->second.hash == a.request_hash;
                        slot.result.kind =
                            same ? ItemResult::Kind::replayed : ItemResult::Kind::conflict;
                        slot.result.id = seen->second.id;
                        continue;
                    }
                    if (auto rec = store.find_idempotency(a.notification.api_key_id, key, now,
                                                          kIdempotencyWindow)) {
                        bool same = rec->request_hash == a.request_hash;
                        slot.result.kind =
                            same ? ItemResult::Kind::replayed : ItemResult::Kind::conflict;
                        slot.result.id = rec->notification_id;
                        if (same)
                            slot.result.deliveries = store.deliveries_of(rec->notification_id);
                        continue;
                    }
                    keys.emplace(std::move(scoped), FirstUse{a.request_hash, a.notification.id});
                }
                slot.write = true;
                slot.batch_index = batch.size();
                batch.push_back(std::move(a));
            }
        }
        store.write_batch(batch);
        for (size_t s = 0; s < group.size(); ++s) {
            bool all_stored = true;
            for (const Slot& slot : slots[s]) all_stored = all_stored && slot.write;
            if (group[s].also && all_stored) group[s].also(store);
        }
        return ok();
    };
    // A group of sends whose keys were all used before (a client asking again)
    // writes nothing: it is settled from a plain read, without the write lock.
    auto only_replays = [&] {
        for (const Submission& s : group) {
            if (s.also) return false;
            for (const store::Accepted& a : s.items)
                if (a.notification.idempotency_key.empty() ||
                    !store.find_idempotency(a.notification.api_key_id,
                                            a.notification.idempotency_key, now,
                                            kIdempotencyWindow))
                    return false;
        }
        return !group.empty();
    };
    Status status = ok();
    try {
        if (only_replays()) {
            status = settle_and_write();
        } else {
            // The group's rows go to the store with its commit (on a database
            // across the network, one round trip), so a refusal of what they
            // hold may come from the commit too.
            store::HeldWrites held(store.handle());
            try {
                store::Transaction tx(store.handle());
                status = settle_and_write();
                if (status) tx.commit();
            } catch (const store::StoreFailure& f) {
                content = refused_content(f.code);
                status = store_unavailable(store::to_error(f).message);
            }
        }
    } catch (...) {
        // Anything but a StoreFailure escaping the store is a store failure too.
        status = store_unavailable("unexpected failure while settling idempotency keys");
    }
    stats.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    // A refusal of what was written says nothing against the store.
    stats.ok = status || content;
    if (!status && content && group.size() > 1) {
        // Nothing of the group is stored: its notifications go back to their
        // requests, and each request is committed alone.
        for (size_t s = 0; s < group.size(); ++s)
            for (size_t i = 0; i < slots[s].size(); ++i)
                if (slots[s][i].write)
                    group[s].items[i] = std::move(batch[slots[s][i].batch_index]);
        return commit_each(store, group, now, stats);
    }
    if (!status) {
        for (auto& r : results) r.status = status.error();
        return results;
    }
    stats.stored = batch.size();
    for (const store::Accepted& a : batch)
        for (const Delivery& d : a.deliveries)
            if (d.priority == Priority::high && d.state == DeliveryState::queued &&
                stats.high.size() < wire::kNudgeHighMax)
                stats.high.push_back(d.seq);
    // Replays of a key first used inside this group get that notification's deliveries.
    std::unordered_map<std::string, size_t> batch_by_id;
    for (size_t b = 0; b < batch.size(); ++b) batch_by_id[batch[b].notification.id] = b;
    for (size_t s = 0; s < group.size(); ++s) {
        results[s].items.reserve(slots[s].size());
        for (auto& slot : slots[s]) {
            if (slot.write) {
                store::Accepted& a = batch[slot.batch_index];
                slot.result.kind = ItemResult::Kind::stored;
                slot.result.id = a.notification.id;
                slot.result.deliveries = a.deliveries;
            } else if (slot.result.kind == ItemResult::Kind::replayed &&
                       slot.result.deliveries.empty()) {
                auto it = batch_by_id.find(slot.result.id);
                if (it != batch_by_id.end()) slot.result.deliveries = batch[it->second].deliveries;
            }
            results[s].items.push_back(std::move(slot.result));
        }
    }
    return results;
}

}  // namespace

void SyncCommitter::submit(Submission s) {
    std::vector<Submission> group;
    group.push_back(std::move(s));
    CommitStats stats;
    auto results = commit_group(store_, group, util::now_ms(), stats);
    healthy_ = stats.ok;
    group[0].done(std::move(results[0]));
}

bool store_writable(const Committer& committer, const Config::Store& where) {
    if (!committer.healthy()) return false;
    const std::string& path = where.path;
    return !where.on_file() || path == ":memory:" || access(path.c_str(), W_OK) == 0;
}

}  // namespace notify::ingest
