// unmatched_receipts.hpp - receipts that came too early. A vendor may report
// a message before the worker's answer that carries its id reaches the
// router; such a receipt (naming a message id no delivery has yet, or a
// delivery still in flight) waits here, at most kKeep and at most kMaxWaiting
// of them (the oldest go first), and is applied when the delivery is sent.
// So does an open or a click of a tracked email still in flight (a mail
// scanner may fetch its links as the message arrives), under its delivery id
// and kind. What comes and goes is also noted as changes, which the router
// writes to the store (store/early_receipts.hpp) and reads back at its start.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model.hpp"

namespace notify::router {

struct ReceiptNote {
    std::string provider;
    std::string message_id;
    std::string delivery_id;
    std::string status;  // delivered, failed, read or clicked
    std::string code;
    std::string detail;
};

class UnmatchedReceipts {
  public:
    static constexpr Millis kKeep = 10 * 60 * 1000;
    static constexpr std::size_t kMaxWaiting = 10000;

    // Kept under its message id, else under delivery_key(its delivery id).
    void add(ReceiptNote note, Millis now) {
        std::string key =
            key_of(note.provider,
                   note.message_id.empty() ? delivery_key(note.delivery_id) : note.message_id);
        add_under(std::move(key), std::move(note), now);
    }

    // An open or a click (status read or clicked) of a delivery in flight.
    void add_tracking(ReceiptNote note, Millis now) {
        std::string key = key_of("", tracking_key(note.delivery_id, note.status));
        add_under(std::move(key), std::move(note), now);
    }
    std::optional<ReceiptNote> take_tracking(const std::string& delivery_id,
                                             const std::string& status, Millis now) {
        return take("", tracking_key(delivery_id, status), now);
    }

    static std::string delivery_key(const std::string& delivery_id) {
        return "delivery " + delivery_id;
    }

    // The receipt waiting under `provider`'s `id`, taken out.
    std::optional<ReceiptNote> take(const std::string& provider, const std::string& id,
                                    Millis now) {
        if (waiting_.empty()) return std::nullopt;
        forget(now);
        auto it = waiting_.find(key_of(provider, id));
        if (it == waiting_.end()) return std::nullopt;
        ReceiptNote note = std::move(it->second.note);
        changes_.push_back({it->first, std::nullopt, 0});
        waiting_.erase(it);  // its entry in order_ finds nothing when it comes up
        return note;
    }

    bool empty() const { return waiting_.empty(); }

    // A receipt kept (`note` set, until `until`) or gone, under `key`.
    struct Change {
        std::string key;
        std::optional<ReceiptNote> note;
        Millis until = 0;
    };
    // What came and went since the last call, in order.
    std::vector<Change> take_changes() { return std::exchange(changes_, {}); }
    // A receipt read back from the store: waits again under `key` until
    // `until`, not noted as a change.
    void restore(std::string key, ReceiptNote note, Millis until, Millis now) {
        if (until <= now) return;
        keep(std::move(key), std::move(note), until, now);
        changes_.clear();
    }

  private:
    struct Waiting {
        ReceiptNote note;
        std::uint64_t number = 0;  // which add() put it here
    };
    struct Queued {
        std::string key;
        Millis until = 0;
        std::uint64_t number = 0;
    };
    static std::string key_of(const std::string& provider, const std::string& message_id) {
        return provider + '\n' + message_id;
    }
    static std::string tracking_key(const std::string& delivery_id, const std::string& status) {
        return "tracking " + status + " " + delivery_id;
    }
    void add_under(std::string key, ReceiptNote note, Millis now) {
        keep(std::move(key), std::move(note), now + kKeep, now);
    }
    void keep(std::string key, ReceiptNote note, Millis until, Millis now) {
        forget(now);
        if (order_.size() >= kMaxWaiting) forget_first();
        order_.push_back({key, until, ++added_});
        changes_.push_back({key, note, until});
        waiting_[std::move(key)] = {std::move(note), added_};
    }
    void forget(Millis now) {
        while (!order_.empty() && order_.front().until <= now) forget_first();
    }
    // The oldest entry; a later receipt under the same key stays.
    void forget_first() {
        auto it = waiting_.find(order_.front().key);
        if (it != waiting_.end() && it->second.number == order_.front().number) {
            changes_.push_back({it->first, std::nullopt, 0});
            waiting_.erase(it);
        }
        order_.pop_front();
    }

    std::unordered_map<std::string, Waiting> waiting_;
    std::deque<Queued> order_;
    std::vector<Change> changes_;
    std::uint64_t added_ = 0;
};

}  // namespace notify::router
