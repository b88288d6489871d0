// inbox.cpp - deliveries on inbox channels: the router writes each into its
// user's inbox (store/inbox_store.hpp) instead of handing it to a worker. The
// item is the delivery rendered for its user, as a worker would get it, and
// is committed with the delivery's "sent" (TransitionLog), so an item exists
// exactly when its delivery is sent. notify-ingest serves the inboxes and
// their live streams from the store.
#include "router.hpp"
#include "util/log.hpp"

namespace notify::router {

namespace {

// Items written per dispatch round, so that workers' channels go on between.
constexpr int kInboxBatch = 512;

}  // namespace

void Router::deliver_to_inboxes(Millis now) {
    inbox_backlog_ = false;
    int written = 0;
    // Channel by channel, so that one at its rate limit holds up no other, and
    // each round starting at the next, so that a long queue keeps none waiting.
    const std::size_t count = inbox_channels_.size();
    if (count == 0) return;
    inbox_turn_ = (inbox_turn_ + 1) % count;
    for (std::size_t i = 0; i < count; ++i) {
        const std::string& channel = inbox_channels_[(inbox_turn_ + i) % count];
        while (written < kInboxBatch) {
            auto item = ready_.pop_channel(channel);
            if (!item) break;
            auto it = active_.find(item->delivery_id);
            if (it == active_.end() || it->second.state != DeliveryState::queued) continue;
            if (!deliver_to_inbox(item->delivery_id, it->second, now)) break;
            ++written;
        }
        if (written == kInboxBatch) {
            inbox_backlog_ = true;
            return;
        }
    }
}

bool Router::deliver_to_inbox(const std::string& id, Entry& e, Millis now) {
    if (e.expires_at && now >= e.expires_at) {
        transition(id, e, DeliveryState::expired, "expired",
                   "expired at " + util::format_rfc3339(e.expires_at) + " before it was sent", now);
        return true;
    }
    const ProviderPick pick = choice_.choose(e.channel, e.provider, e.tried, now);
    if (pick.kind == ProviderPick::Kind::unconfigured) {
        transition(id, e, DeliveryState::failed, "failed",
                   "channel '" + e.channel + "' is no longer configured", now);
        return true;
    }
    if (pick.kind != ProviderPick::Kind::chosen) {
        // At its rate limit: it waits at the head of its queue (rate_wake_ says when).
        ready_.push_front(e.priority, e.channel, ReadyItem{e.seq, id});
        return false;
    }
    read_for_dispatch();
    std::optional<wire::Job> job = store_.load_job(id);
    if (!job) {
        NLOG(error, e.notification_id, "delivery=" << id << " is not in the store; dropped");
        active_.erase(id);
        return true;
    }
    if (job->user_id.empty()) {
        e.last_error = "an inbox delivery needs a directory user (user:ID or group:NAME)";
        transition(id, e, DeliveryState::failed, "failed", e.last_error, now);
        return true;
    }
    if (auto made = personalizer_.personalize(*job, now); !made) {
        e.last_error = made.error().message;
        transition(id, e, DeliveryState::failed, "failed", made.error().message, now);
        return true;
    }
    store::InboxItem item;
    item.id = id;
    item.user_id = job->user_id;
    item.notification_id = job->notification_id;
    item.channel = job->channel;
    item.category = job->category;
    item.subject = job->subject;
    item.body = job->body;
    item.data_json = job->data_json;
    item.created_at = now;
    log_.add_inbox_item(std::move(item));
    limiter_.try_take(pick.provider, now);
    metrics_.dispatched(pick.provider);
    metrics_.answered(pick.provider, wire::Outcome::sent, 0);
    e.attempts += 1;
    e.provider = pick.provider;
    e.dispatched_at = now;
    e.size = static_cast<std::int64_t>(job->subject.size() + job->body.size());
    transition(id, e, DeliveryState::sent, "sent",
               "provider=" + pick.provider + " into the inbox of user '" + job->user_id + "'", now,
               id);
    return true;
}

}  // namespace notify::router
