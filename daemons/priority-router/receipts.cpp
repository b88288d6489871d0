// receipts.cpp - what providers report after a send (channels/receipt.hpp),
// passed on by notify-ingest:
//   {"op":"receipt","provider":NAME,"receipts":[{"message_id","delivery_id",
//    "status","code","detail"}]}
//   -> {"ok":true,"recorded":N,"duplicate":N,"waiting":N,"ignored":N}
// A receipt names its delivery by delivery_id (one of this provider's) or by
// the provider's message id; when it has both they must agree, so that a
// report of an earlier attempt does not touch a resent one. delivered moves a
// sent delivery to delivered; failed moves a sent or delivered one to failed
// (the message bounced); read and clicked are events of a sent or delivered
// one (which is delivered from then on). A receipt repeating the state the
// delivery is in is a duplicate; one for a delivery that never went out, or
// that is queued to be attempted again, is ignored. One for a delivery in
// flight, or naming a message id no delivery has yet, waits
// (unmatched_receipts.hpp). The answer of a request that recorded something
// is held until the flush that commits it (or refused when that flush fails),
// so receipts share the router's batched commits.
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "router.hpp"
#include "sockets.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::router {

using nlohmann::json;

namespace {

constexpr size_t kMaxReceiptText = 256;
constexpr size_t kMaxTrackEvents = 10000;

std::string text_of(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string()
               ? util::cut_utf8(it->get<std::string>(), kMaxReceiptText)
               : std::string();
}

// {"ok":true} with what became of each receipt or event: recorded,
// duplicate, waiting, ignored, and not_served (another router's) when any was.
std::string counts_reply(const std::map<std::string, long>& counts) {
    json reply{{"ok", true}};
    for (const auto& [k, v] : counts) reply[k] = v;
    return reply.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool went_out(const Delivery& d) {
    return d.state == DeliveryState::sent || d.state == DeliveryState::delivered ||
           (d.state == DeliveryState::failed && !d.provider_message_id.empty());
}

}  // namespace

std::optional<Delivery> Router::receipt_delivery(const ReceiptNote& r) {
    if (!r.delivery_id.empty()) {
        auto d = store_.find_delivery(r.delivery_id);
        if (!d || d->provider != r.provider) return std::nullopt;
        return d;
    }
    return store_.find_delivery_by_message(r.provider, r.message_id);
}

const char* Router::apply_receipt(const Delivery& d, const ReceiptNote& r, Millis now,
                                  const char* source) {
    if (!went_out(d)) return "ignored";
    DeliveryState to = DeliveryState::delivered;
    if (r.status == "delivered") {
        if (d.state == DeliveryState::delivered) return "duplicate";
        if (d.state == DeliveryState::failed) return "ignored";  // a bounce came first
    } else if (r.status == "failed") {
        if (d.state == DeliveryState::failed) return "duplicate";
        to = DeliveryState::failed;
    } else if (d.state == DeliveryState::failed) {  // read, clicked
        return "ignored";
    }
    Entry e = entry_of(d);
    std::string why =
        r.code.empty() || r.detail.empty() ? r.code + r.detail : r.code + " " + r.detail;
    // A failure's reason (the rollups' and `ls`'s) is the vendor's code and words.
    e.last_error =
        r.status == "failed" ? (why.empty() ? std::string("bounced") : why) : d.last_error;
    std::string detail = "provider=" + d.provider + " " + source;
    if (!why.empty()) detail += " " + why;
    transition(d.id, e, to, r.status.c_str(), detail, now, d.provider_message_id);
    return "recorded";
}

std::optional<std::string> Router::receipts(const json& request, const std::string& identity,
                                            bool delimiter) {
    const Millis now = util::now_ms();
    const std::string provider = text_of(request, "provider");
    auto list = request.find("receipts");
    if (provider.empty() || list == request.end() || !list->is_array())
        return json{{"error",
                     {{"code", "invalid_request"},
                      {"message", "'receipt' needs a 'provider' and a 'receipts' array"}}}}
            .dump();
    std::map<std::string, long> counts{
        {"recorded", 0}, {"duplicate", 0}, {"waiting", 0}, {"ignored", 0}};
    // What this request changed, for a later receipt of the same delivery in it.
    std::unordered_map<std::string, DeliveryState> changed;
    bool flushed = false;
    for (const auto& item : *list) {
        if (!item.is_object()) continue;
        ReceiptNote r{provider,
                      text_of(item, "message_id"),
                      text_of(item, "delivery_id"),
                      text_of(item, "status"),
                      text_of(item, "code"),
                      text_of(item, "detail")};
        if (r.message_id.empty() && r.delivery_id.empty()) {
            ++counts["ignored"];
            continue;
        }
        auto d = receipt_delivery(r);
        // Sent a moment ago: its state (and id) may not be committed yet.
        if ((!d || !is_final(d->state)) && log_.pending() && !flushed) {
            flush_log(now);
            flushed = true;
            d = receipt_delivery(r);
        }
        if (d && !partitions_.serves(*d)) {
            ++counts["not_served"];  // its own router's to record
            continue;
        }
        if (d && !r.message_id.empty() && !d->provider_message_id.empty() &&
            d->provider_message_id != r.message_id) {
            ++counts["ignored"];  // of an earlier attempt
            continue;
        }
        const bool in_flight =
            d && active_.count(d->id) && active_.at(d->id).state == DeliveryState::in_flight;
        if ((!d && !r.message_id.empty()) || in_flight) {
            unmatched_.add(std::move(r), now);
            ++counts["waiting"];
            continue;
        }
        if (!d || active_.count(d->id)) {
            ++counts["ignored"];
            continue;
        }
        if (auto it = changed.find(d->id); it != changed.end()) d->state = it->second;
        const char* outcome = apply_receipt(*d, r, now);
        ++counts[outcome];
        if (std::string_view(outcome) == "recorded")
            changed[d->id] =
                r.status == "failed" ? DeliveryState::failed : DeliveryState::delivered;
    }
    NLOG(info, "",
         "receipts provider=" << provider << " recorded=" << counts["recorded"] << " duplicate="
                              << counts["duplicate"] << " waiting=" << counts["waiting"]
                              << " ignored=" << counts["ignored"]);
    std::string text = answering_for_partitions(counts_reply(counts));
    // Answered once what was recorded, and what waits, is committed.
    if (counts["recorded"] == 0 && counts["waiting"] == 0) return text;
    held_replies_.push_back({identity, std::move(text), delimiter});
    return std::nullopt;
}

// Opens and clicks of tracked email, in a batch from notify-ingest
// (tracking_queue.hpp): {"events":[{"delivery_id","status":"read"|"clicked",
// "url"}]}. The first of each per delivery is recorded, as an event of a
// delivery that went out and is not being attempted again; one of a delivery
// in flight waits for its send (unmatched_receipts.hpp). The reply counts
// what became of them.
std::string Router::track(const json& request) {
    const Millis now = util::now_ms();
    auto list = request.find("events");
    if (list == request.end() || !list->is_array() || list->size() > kMaxTrackEvents)
        return json{{"error",
                     {{"code", "invalid_request"},
                      {"message", "'track' needs an 'events' array of at most " +
                                      std::to_string(kMaxTrackEvents)}}}}
            .dump();
    std::map<std::string, long> counts{
        {"recorded", 0}, {"duplicate", 0}, {"waiting", 0}, {"ignored", 0}};
    bool flushed = false;
    for (const auto& item : *list) {
        ReceiptNote r{"",
                      "",
                      text_of(item, "delivery_id"),
                      text_of(item, "status"),
                      "",
                      text_of(item, "url")};
        if (r.delivery_id.empty() || (r.status != "read" && r.status != "clicked")) {
            ++counts["ignored"];
            continue;
        }
        auto d = store_.find_delivery(r.delivery_id);
        // Sent a moment ago: its state may not be committed yet.
        if ((!d || !is_final(d->state)) && log_.pending() && !flushed) {
            flush_log(now);
            flushed = true;
            d = store_.find_delivery(r.delivery_id);
        }
        const char* outcome = "ignored";
        if (d && !partitions_.serves(*d)) {
            outcome = "not_served";  // its own router's to record
        } else if (d && active_.count(d->id) &&
                   active_.at(d->id).state == DeliveryState::in_flight) {
            outcome = "waiting";
            early_tracking_.add_tracking(r, now);
        } else if (d && !active_.count(d->id)) {
            outcome = record_tracking(*d, r, now);
        }
        ++counts[outcome];
        NLOG(info, d ? d->notification_id : std::string(),
             "tracking delivery=" << r.delivery_id << " " << r.status << " " << outcome);
    }
    return counts_reply(counts);
}

const char* Router::record_tracking(const Delivery& d, ReceiptNote r, Millis now) {
    r.provider = d.provider;
    std::string key = d.id + '\n' + r.status;
    // Recorded before but perhaps not committed yet: tracked_ knows.
    if (tracked_.contains(key) || store_.has_event(d.id, r.status)) return "duplicate";
    const char* outcome = apply_receipt(d, r, now, "tracking");
    if (std::string_view(outcome) == "recorded") tracked_.put(std::move(key), true);
    return outcome;
}

void Router::answer_held(bool committed) {
    for (auto& h : held_replies_)
        Sockets::send_to(sockets_->control, h.identity,
                         committed ? h.reply
                                   : json{{"error",
                                           {{"code", "store_unavailable"},
                                            {"message",
                                             "the receipts could not be committed; "
                                             "send them again"}}}}
                                         .dump(),
                         h.delimiter);
    held_replies_.clear();
}

namespace {

constexpr const char* kReceiptKind = "receipt";
constexpr const char* kTrackingKind = "tracking";

std::string note_text(const ReceiptNote& n) {
    return json{{"provider", n.provider},
                {"message_id", n.message_id},
                {"delivery_id", n.delivery_id},
                {"status", n.status},
                {"code", n.code},
                {"detail", n.detail}}
        .dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<ReceiptNote> note_of(const std::string& text) {
    auto j = json::parse(text, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    return ReceiptNote{text_of(j, "provider"), text_of(j, "message_id"), text_of(j, "delivery_id"),
                       text_of(j, "status"),   text_of(j, "code"),       text_of(j, "detail")};
}

}  // namespace

void Router::restore_early_receipts(Millis now) {
    std::size_t restored = 0;
    for (auto& r : early_store_->load(now)) {
        auto note = note_of(r.note);
        if (!note) continue;
        auto& into = r.kind == kTrackingKind ? early_tracking_ : unmatched_;
        into.restore(std::move(r.key), std::move(*note), r.until, now);
        ++restored;
    }
    if (restored) NLOG(info, "", "receipts waiting for their send, read back: " << restored);
}

void Router::note_early_changes() {
    const std::pair<const char*, UnmatchedReceipts*> both[] = {{kReceiptKind, &unmatched_},
                                                               {kTrackingKind, &early_tracking_}};
    for (const auto& [kind, from] : both)
        for (auto& c : from->take_changes()) early_changes_.emplace_back(kind, std::move(c));
}

void Router::write_early_changes() {
    for (const auto& [kind, c] : early_changes_) {
        if (c.note)
            early_store_->put({kind, c.key, note_text(*c.note), c.until});
        else
            early_store_->remove(kind, c.key);
    }
}

void Router::apply_waiting(const std::string& id, const Entry& e, const std::string& message_id,
                           Millis now) {
    std::optional<ReceiptNote> receipt, tracked[2];
    static const char* const kTracked[2] = {"read", "clicked"};
    if (!unmatched_.empty()) {
        if (!message_id.empty()) receipt = unmatched_.take(e.provider, message_id, now);
        if (!receipt)
            receipt = unmatched_.take(e.provider, UnmatchedReceipts::delivery_key(id), now);
        if (receipt && !receipt->message_id.empty() && receipt->message_id != message_id)
            receipt.reset();
    }
    if (!early_tracking_.empty())
        for (int i = 0; i < 2; ++i)
            tracked[i] = early_tracking_.take_tracking(id, kTracked[i], now);
    if (!receipt && !tracked[0] && !tracked[1]) return;
    // The delivery as the store has it once its send is committed.
    Delivery d;
    d.id = id;
    d.notification_id = e.notification_id;
    d.channel = e.channel;
    d.priority = e.priority;
    d.state = DeliveryState::sent;
    d.attempts = e.attempts;
    d.created_at = e.accepted_at;
    d.expires_at = e.expires_at;
    d.next_attempt_at = e.next_attempt_at;
    d.provider = e.provider;
    d.provider_message_id = message_id;
    d.last_error = e.last_error;
    if (receipt && std::string_view(apply_receipt(d, *receipt, now)) == "recorded")
        d.state = receipt->status == "failed" ? DeliveryState::failed : DeliveryState::delivered;
    for (int i = 0; i < 2; ++i) {
        if (!tracked[i]) continue;
        const char* outcome = record_tracking(d, std::move(*tracked[i]), now);
        NLOG(info, d.notification_id,
             "tracking delivery=" << id << " " << kTracked[i] << " " << outcome);
        if (std::string_view(outcome) == "recorded" && d.state == DeliveryState::sent)
            d.state = DeliveryState::delivered;
    }
}

}  // namespace notify::router
