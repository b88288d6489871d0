// api_send.cpp - POST /v1/notifications and /v1/notifications/batch: validate
// each notification, hand the valid ones to the committer, answer after commit.
#include <nlohmann/json.hpp>

#include "api.hpp"
#include "render.hpp"
#include "request.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

json accepted_body(const ItemResult& r) {
    json deliveries = json::array();
    for (const auto& d : r.deliveries) deliveries.push_back(render_delivery_brief(d));
    return json{{"id", r.id}, {"deliveries", std::move(deliveries)}};
}

Error conflict_error(const ItemResult& r, const std::string& key, const std::string& field) {
    return make_error(ErrorKind::conflict, "idempotency_conflict",
                      "idempotency key '" + key + "' was used within 24 h for notification '" +
                          r.id + "' with a different request",
                      field);
}

void log_accepted(const ItemResult& r, const std::string& source) {
    NLOG(info, r.id,
         "accepted channel=" << (r.deliveries.empty() ? "" : r.deliveries[0].channel)
                             << " deliveries=" << r.deliveries.size() << " source=" << source);
}

std::string dump_safe(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The request body as JSON, refused whole when it is over the limit.
Expected<nlohmann::json> parse_sized_body(const std::string& text, long max_bytes) {
    if (static_cast<long>(text.size()) > max_bytes)
        return make_error(ErrorKind::too_large, "too_large",
                          "request body of " + std::to_string(text.size()) +
                              " bytes is over the limit of " + std::to_string(max_bytes) +
                              " (ingest.max_body_bytes)");
    return parse_body(text);
}

}  // namespace

void Api::post_notification(const Request& req, const Principal& who, Reply done) {
    auto body = parse_sized_body(req.body, config_.ingest.max_body_bytes);
    if (!body) return fail(done, body.error());
    RequestContext ctx{&config_, util::now_ms(), who.name, &templates_};
    auto accepted = build_notification(*body, ctx);
    if (!accepted) return fail(done, accepted.error());

    std::string key = accepted->notification.idempotency_key;
    Submission sub;
    sub.items.push_back(std::move(*accepted));
    metrics_.pending_add(1);
    sub.done = [this, done = std::move(done), key, source = who.name](CommitResult result) {
        metrics_.pending_add(-1);
        guarded(done, [&] {
            if (!result.status) return fail(done, result.status.error());
            const ItemResult& r = result.items.at(0);
            if (r.kind == ItemResult::Kind::conflict)
                return fail(done, conflict_error(r, key, "idempotency_key"));
            Response resp;
            resp.status = 202;
            resp.body = dump_safe(accepted_body(r));
            resp.headers.emplace_back("Location", "/v1/notifications/" + r.id);
            if (r.kind == ItemResult::Kind::replayed) {
                resp.headers.emplace_back("Idempotent-Replayed", "true");
                NLOG(info, r.id, "replayed idempotency_key=" << key << " source=" << source);
            } else {
                metrics_.accepted();
                log_accepted(r, source);
            }
            done(std::move(resp));
        });
    };
    committer_.submit(std::move(sub));
}

void Api::post_batch(const Request& req, const Principal& who, Reply done) {
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
    RequestContext ctx{&config_, util::now_ms(), who.name, &templates_};
    auto slots = std::make_shared<std::vector<json>>(list->size());
    std::vector<size_t> positions;  // the slot of each submitted item
    std::vector<std::string> keys;
    Submission sub;
    for (size_t i = 0; i < list->size(); ++i) {
        auto a = build_notification((*list)[i], ctx, "notifications[" + std::to_string(i) + "].");
        if (!a) {
            metrics_.rejected(a.error().code);
            NLOG(info, "",
                 "rejected code=" << a.error().code << " field=" << a.error().field << " "
                                  << a.error().message);
            (*slots)[i] = json::parse(error_response(http_status(a.error().kind), a.error()).body);
            continue;
        }
        positions.push_back(i);
        keys.push_back(a->notification.idempotency_key);
        sub.items.push_back(std::move(*a));
    }
    auto answer = [](const std::vector<json>& items) {
        Response resp;
        resp.status = 202;
        resp.body = dump_safe(json{{"notifications", items}});
        return resp;
    };
    if (sub.items.empty()) return done(answer(*slots));

    size_t count = sub.items.size();
    metrics_.pending_add(static_cast<std::int64_t>(count));
    sub.done = [this, done = std::move(done), slots, positions = std::move(positions),
                keys = std::move(keys), answer, count, source = who.name](CommitResult result) {
        metrics_.pending_add(-static_cast<std::int64_t>(count));
        guarded(done, [&] {
            if (!result.status) return fail(done, result.status.error());
            for (size_t j = 0; j < result.items.size(); ++j) {
                const ItemResult& r = result.items[j];
                json& slot = (*slots)[positions[j]];
                if (r.kind == ItemResult::Kind::conflict) {
                    Error e = conflict_error(
                        r, keys[j],
                        "notifications[" + std::to_string(positions[j]) + "].idempotency_key");
                    metrics_.rejected(e.code);
                    NLOG(info, "",
                         "rejected code=" << e.code << " field=" << e.field << " " << e.message);
                    slot = json::parse(error_response(422, e).body);
                    continue;
                }
                slot = accepted_body(r);
                if (r.kind == ItemResult::Kind::replayed) {
                    slot["replayed"] = true;
                } else {
                    metrics_.accepted();
                    log_accepted(r, source);
                }
            }
            done(answer(*slots));
        });
    };
    committer_.submit(std::move(sub));
}

}  // namespace notify::ingest
