// api_send.cpp - POST /v1/notifications and /v1/notifications/batch: validate
// each notification, hand the valid ones to the committer, answer after commit.
// A fan-out (users, groups, or a send held for approval) answers with no
// deliveries, its state ("expanding" or "pending-approval") and the number of
// recipients counted at the door.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "api.hpp"
#include "door.hpp"
#include "one_time_code.hpp"
#include "render.hpp"
#include "store/directory_store.hpp"
#include "util/json_writer.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

// What the answer and the log say of one accepted item beyond its deliveries.
struct ItemSummary {
    std::string channel;
    std::optional<store::Fanout> fanout;  // state and recipients of a fan-out
};

ItemSummary summary_of(const store::Accepted& a) {
    return {a.notification.channel, a.fanout};
}

// What counts against a key's recipients_per_day: its deliveries, or the
// recipients of its fan-out as counted at the door.
long recipients_of(const store::Accepted& a) {
    return a.fanout ? static_cast<long>(a.fanout->total) : static_cast<long>(a.deliveries.size());
}

// A replayed item answers as the first notification is now; its fan-out, if it
// has one, is read back.
void read_back_fanout(store::Store& reads, const ItemResult& r, ItemSummary& s) {
    if (r.kind != ItemResult::Kind::replayed) return;
    s.fanout.reset();
    try {
        auto v = reads.get_notification(r.id, false, 0);
        if (v) s.fanout = v->fanout;
    } catch (...) {
        // The answer then lacks the fan-out's state; the id is what matters.
    }
}

// A sealed one-time code comes from POST /v1/otp alone: in anyone's data it
// could be someone else's code, copied, to be opened on another channel.
Status no_sealed_code(const json& item, const std::string& prefix) {
    auto data = item.is_object() ? item.find("data") : item.end();
    if (item.is_object() && data != item.end() && data->is_object() && data->contains(kSealedField))
        return make_error(ErrorKind::invalid, "reserved_field",
                          std::string("'data.") + kSealedField +
                              "' is notify's own; one-time codes are sent with POST /v1/otp",
                          prefix + "data." + kSealedField);
    return ok();
}

// The answer for one accepted item, written directly with its members in name
// order (as a document's dump would have them): {"deliveries","id","recipients"?,
// "replayed"?,"state"?}. "replayed" is marked in a batch's items only; a single
// send says so in a header.
std::string accepted_body(const ItemResult& r, const ItemSummary& s, bool mark_replayed) {
    std::string deliveries = "[";
    for (const auto& d : r.deliveries) {
        if (deliveries.size() > 1) deliveries += ',';
        append_delivery_brief(deliveries, d);
    }
    deliveries += ']';
    std::string out;
    util::JsonObject body(out);
    body.json("deliveries", deliveries).text("id", r.id);
    if (s.fanout) body.number("recipients", s.fanout->total);
    if (mark_replayed && r.kind == ItemResult::Kind::replayed) body.boolean("replayed", true);
    if (s.fanout) body.text("state", store::to_string(s.fanout->state));
    body.close();
    return out;
}

Error conflict_error(const ItemResult& r, const std::string& key, const std::string& field) {
    return make_error(ErrorKind::conflict, "idempotency_conflict",
                      "idempotency key '" + key + "' was used within 24 h for notification '" +
                          r.id + "' with a different request",
                      field);
}

void log_accepted(const ItemResult& r, const ItemSummary& s, const std::string& source) {
    if (s.fanout)
        NLOG(info, r.id,
             "accepted channel=" << s.channel << " fanout=" << store::to_string(s.fanout->state)
                                 << " recipients=" << s.fanout->total << " source=" << source);
    else
        NLOG(info, r.id,
             "accepted channel=" << s.channel << " deliveries=" << r.deliveries.size()
                                 << " source=" << source);
}

}  // namespace

void Api::post_notification(const Request& req, const Principal& who, Reply done,
                            std::function<void(store::Store&)> keep_code) {
    const bool carries_code = static_cast<bool>(keep_code);
    const auto since = Metrics::Clock::now();
    auto body = parse_sized_body(req.body, config_.ingest.max_body_bytes);
    if (!body) return fail(done, body.error());
    if (auto st = no_sealed_code(*body, ""); !carries_code && !st) return fail(done, st.error());
    RequestContext ctx{&config_,
                       util::now_ms(),
                       who.name,
                       &templates_,
                       names_directory(*body) ? &directory() : nullptr,
                       who.id};
    auto accepted = build_notification(*body, ctx);
    if (!accepted) return fail(done, accepted.error());
    long recipients = recipients_of(*accepted);
    if (auto refused = limits_.reserve_recipients(who, recipients, ctx.now))
        return refuse(done, *refused);

    std::string key = accepted->notification.idempotency_key;
    ItemSummary summary = summary_of(*accepted);
    Submission sub;
    sub.items.push_back(std::move(*accepted));
    sub.also = std::move(keep_code);
    metrics_.pending_add(1);
    sub.done = [this, done = std::move(done), key, summary = std::move(summary), who, recipients,
                since](CommitResult result) mutable {
        metrics_.pending_add(-1);
        if (result.status) metrics_.answered_send(since);
        const std::string& source = who.name;
        bool stored = result.status && result.items.at(0).kind == ItemResult::Kind::stored;
        if (!stored) limits_.release_recipients(who, recipients, util::now_ms());
        guarded(done, [&] {
            if (!result.status) return fail(done, result.status.error());
            const ItemResult& r = result.items.at(0);
            if (r.kind == ItemResult::Kind::conflict)
                return fail(done, conflict_error(r, key, "idempotency_key"));
            read_back_fanout(reads_, r, summary);
            Response resp;
            resp.status = 202;
            resp.body = accepted_body(r, summary, false);
            resp.headers.emplace_back("Location", "/v1/notifications/" + r.id);
            if (r.kind == ItemResult::Kind::replayed) {
                resp.headers.emplace_back("Idempotent-Replayed", "true");
                NLOG(info, r.id, "replayed idempotency_key=" << key << " source=" << source);
            } else {
                metrics_.accepted();
                log_accepted(r, summary, source);
            }
            done(std::move(resp));
        });
    };
    committer_.submit(std::move(sub));
}

void Api::post_batch(const Request& req, const Principal& who, Reply done) {
    const auto since = Metrics::Clock::now();
    auto body = parse_sized_body(req.body, config_.ingest.max_body_bytes);
    if (!body) return fail(done, body.error());
    if (!body->is_object())
        return fail(done, make_error(ErrorKind::invalid, "invalid_request",
                                     "a batch must be a JSON object {\"notifications\": [...]}"));
    for (const auto& [k, _] : body->items())
        if (k != "notifications")
            return fail(done, make_error(ErrorKind::invalid, "unknown_field",
                                         "unknown field '" + k + "' in a batch" +
                                             util::did_you_mean(k, {"notifications"}),
                                         k));
    auto list = body->find("notifications");
    if (list == body->end() || !list->is_array())
        return fail(done, make_error(ErrorKind::invalid, "missing_field",
                                     "a batch needs 'notifications': an array", "notifications"));
    if (static_cast<long>(list->size()) > config_.ingest.batch_max)
        return fail(
            done,
            make_error(ErrorKind::too_large, "too_large",
                       std::to_string(list->size()) + " notifications in one batch; at most " +
                           std::to_string(config_.ingest.batch_max) + " (ingest.batch_max)",
                       "notifications"));

    // Each item on its own: an error answers that item only.
    bool needs_directory = std::any_of(list->begin(), list->end(),
                                       [](const json& item) { return names_directory(item); });
    RequestContext ctx{
        &config_, util::now_ms(), who.name, &templates_, needs_directory ? &directory() : nullptr,
        who.id};
    // Each item's answer as JSON text, in the order of the batch.
    auto slots = std::make_shared<std::vector<std::string>>(list->size());
    std::vector<size_t> positions;  // the slot of each submitted item
    std::vector<std::string> keys;
    std::vector<ItemSummary> summaries;
    std::vector<long> recipients;  // of each submitted item
    Submission sub;
    for (size_t i = 0; i < list->size(); ++i) {
        const std::string prefix = "notifications[" + std::to_string(i) + "].";
        auto a = no_sealed_code((*list)[i], prefix)
                     ? build_notification((*list)[i], ctx, prefix)
                     : Expected<store::Accepted>(no_sealed_code((*list)[i], prefix).error());
        if (!a) {
            metrics_.rejected(a.error().code);
            NLOG(info, "",
                 "rejected code=" << a.error().code << " field=" << a.error().field << " "
                                  << a.error().message);
            (*slots)[i] = error_response(http_status(a.error().kind), a.error()).body;
            continue;
        }
        positions.push_back(i);
        keys.push_back(a->notification.idempotency_key);
        summaries.push_back(summary_of(*a));
        recipients.push_back(recipients_of(*a));
        sub.items.push_back(std::move(*a));
    }
    auto answer = [](const std::vector<std::string>& items) {
        Response resp;
        resp.status = 202;
        resp.body = "{\"notifications\":[";
        for (size_t i = 0; i < items.size(); ++i) {
            if (i) resp.body += ',';
            resp.body += items[i];
        }
        resp.body += "]}";
        return resp;
    };
    if (sub.items.empty()) return done(answer(*slots));
    // The day's allowance is taken for the whole batch or refused for all of it.
    long total = 0;
    for (long n : recipients) total += n;
    if (auto refused = limits_.reserve_recipients(who, total, ctx.now))
        return refuse(done, *refused);

    size_t count = sub.items.size();
    metrics_.pending_add(static_cast<std::int64_t>(count));
    sub.done = [this, done = std::move(done), slots, positions = std::move(positions),
                keys = std::move(keys), summaries = std::move(summaries), answer, count, who,
                recipients = std::move(recipients), since](CommitResult result) mutable {
        metrics_.pending_add(-static_cast<std::int64_t>(count));
        if (result.status) metrics_.answered_send(since);
        const std::string& source = who.name;
        long unused = 0;  // reserved for items that were not stored
        for (size_t j = 0; j < recipients.size(); ++j)
            if (!result.status || result.items.at(j).kind != ItemResult::Kind::stored)
                unused += recipients[j];
        limits_.release_recipients(who, unused, util::now_ms());
        guarded(done, [&] {
            if (!result.status) return fail(done, result.status.error());
            for (size_t j = 0; j < result.items.size(); ++j) {
                const ItemResult& r = result.items[j];
                std::string& slot = (*slots)[positions[j]];
                if (r.kind == ItemResult::Kind::conflict) {
                    Error e = conflict_error(
                        r, keys[j],
                        "notifications[" + std::to_string(positions[j]) + "].idempotency_key");
                    metrics_.rejected(e.code);
                    NLOG(info, "",
                         "rejected code=" << e.code << " field=" << e.field << " " << e.message);
                    slot = error_response(422, e).body;
                    continue;
                }
                read_back_fanout(reads_, r, summaries[j]);
                slot = accepted_body(r, summaries[j], true);
                if (r.kind != ItemResult::Kind::replayed) {
                    metrics_.accepted();
                    log_accepted(r, summaries[j], source);
                }
            }
            done(answer(*slots));
        });
    };
    committer_.submit(std::move(sub));
}

}  // namespace notify::ingest
