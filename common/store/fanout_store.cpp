// fanout_store.cpp - the router's queries for fan-outs, approvals and the
// preference gate. See fanout_store.hpp.
#include "store/fanout_store.hpp"

#include "provider_type.hpp"
#include "store/db.hpp"
#include "store/delivery_rows.hpp"
#include "store/dialect.hpp"
#include "store/fanout_rows.hpp"
#include "store/multi_row.hpp"
#include "store/rollup.hpp"
#include "store/router_leases.hpp"
#include "util/strings.hpp"

namespace notify::store {

namespace {

// A user's addresses for the channel (lines): its identities there, else email
// or phone by the channel's type (?2 channel, ?3 AddressSource).
std::string recipient_addresses(Dialect d) {
    return "COALESCE(" +
           lines_of(d, "i.address",
                    "FROM identities i WHERE i.user_id = u.id AND i.channel = ?2 AND "
                    "i.address <> ''") +
           ", CASE ?3 WHEN 1 THEN u.email WHEN 2 THEN u.phone WHEN 3 THEN u.id ELSE '' END)";
}

// Then whether the user is unsubscribed, and whether it has preference rows.
#define RECIPIENT_OPT_OUTS \
    "u.unsubscribed_at, EXISTS (SELECT 1 FROM preferences p WHERE p.user_id = u.id)"

Recipient read_recipient(const Stmt& s) {
    Recipient r{s.text(0), s.text(1), {}, {s.integer(3), {}}};
    for (auto& address : util::split(s.text(2), '\n'))
        if (!address.empty()) r.addresses.push_back(std::move(address));
    return r;
}

}  // namespace

AddressSource address_source(const std::string& type) {
    switch (address_kind(type)) {
        case AddressKind::email:
            return AddressSource::email;
        case AddressKind::phone:
            return AddressSource::phone;
        case AddressKind::user:
            return AddressSource::user_id;
        case AddressKind::handle:
            break;
    }
    return AddressSource::none;
}

struct FanoutStore::Statements {
    explicit Statements(Db& db)
        : load_expanding(db, std::string("SELECT ") + kFanoutColumns +
                                 ", (SELECT channel FROM notifications n WHERE n.id = "
                                 "f.notification_id), (SELECT priority FROM notifications n WHERE "
                                 "n.id = f.notification_id), (SELECT send_at FROM notifications n "
                                 "WHERE n.id = f.notification_id), (SELECT expires_at FROM "
                                 "notifications n WHERE n.id = f.notification_id) FROM fanouts f "
                                 "WHERE state = 'expanding' ORDER BY created_at, notification_id"),
          delivered_to(db,
                       "SELECT CASE WHEN user_id = '' THEN 'a:' || recipient ELSE 'u:' || "
                       "user_id END FROM deliveries WHERE notification_id = ?"),
          members(db, "SELECT u.id, u.locale, " + recipient_addresses(db.dialect()) +
                          ", " RECIPIENT_OPT_OUTS
                          " FROM group_members m JOIN users u ON u.id = m.user_id WHERE "
                          "m.group_name = ?1 AND m.user_id > ?4 ORDER BY m.user_id LIMIT ?5"),
          user(db, "SELECT u.id, u.locale, " + recipient_addresses(db.dialect()) +
                       ", " RECIPIENT_OPT_OUTS " FROM users u WHERE u.id = ?1"),
          rows(db),
          step_fanout(db,
                      "UPDATE fanouts SET `cursor` = ?, expanded = ?, state = ? WHERE "
                      "notification_id = ? AND state = 'expanding'"),
          decide_fanout(db,
                        "UPDATE fanouts SET state = ?, decided_by = ?, decided_at = ?, reason = ? "
                        "WHERE notification_id = ?"),
          cancel_fanout(db,
                        "UPDATE fanouts SET state = 'canceled' WHERE notification_id = ? AND "
                        "state IN ('pending-approval', 'expanding')"),
          notification_exists(db, "SELECT 1 FROM notifications WHERE id = ?"),
          unsubscribed_at(db, "SELECT unsubscribed_at FROM users WHERE id = ?"),
          preferences(db,
                      "SELECT user_id, category, channel, opted_out, updated_at FROM preferences "
                      "WHERE user_id = ?"),
          address_unsubscribed(db,
                               "SELECT 1 FROM unsubscribed_addresses WHERE channel = ? AND "
                               "address = ? AND category IN ('', ?) LIMIT 1"),
          recent(db,
                 "SELECT seq, id, notification_id, channel, recipient, user_id, created_at FROM "
                 "deliveries WHERE created_at >= ? AND (seq <= ? OR attempts > 0) AND state NOT IN "
                 "('suppressed', 'canceled') ORDER BY seq"),
          contents(MultiRow::select(db,
                                    "SELECT id, category, template, data, subject, body, html, "
                                    "module, recipients, bulk, send_at FROM notifications",
                                    "id")) {}
    Stmt load_expanding, delivered_to, members, user;
    DeliveryRows rows;  // deliveries and events
    Stmt step_fanout, decide_fanout, cancel_fanout, notification_exists, unsubscribed_at,
        preferences, address_unsubscribed, recent;
    MultiRow contents;
};

FanoutStore::FanoutStore(Store& store)
    : store_(store), st_(std::make_unique<Statements>(store.handle())) {}

FanoutStore::~FanoutStore() = default;

std::vector<ExpandingFanout> FanoutStore::load_expanding() {
    return st_->load_expanding.collect([](const Stmt& s) {
        ExpandingFanout e;
        e.fanout = read_fanout(s);
        e.channel = s.text(10);
        e.priority = static_cast<Priority>(s.integer(11));
        e.send_at = s.integer(12);
        e.expires_at = s.integer(13);
        return e;
    });
}

std::vector<std::string> FanoutStore::delivered_to(const std::string& notification_id) {
    return st_->delivered_to.bind(1, notification_id).collect([](const Stmt& s) {
        return s.text(0);
    });
}

std::vector<Preference> FanoutStore::preferences(const std::string& user_id) {
    return st_->preferences.bind(1, user_id).collect([](const Stmt& r) {
        return Preference{r.text(0), r.text(1), r.text(2), r.integer(3) != 0, r.integer(4)};
    });
}

std::vector<Recipient> FanoutStore::recipients(Stmt& query) {
    std::vector<std::size_t> with_preferences;
    std::size_t row = 0;
    auto found = query.collect([&](const Stmt& s) {
        if (s.integer(4)) with_preferences.push_back(row);
        ++row;
        return read_recipient(s);
    });
    for (std::size_t i : with_preferences)
        found[i].opt_outs.preferences = preferences(found[i].user_id);
    return found;
}

std::vector<Recipient> FanoutStore::members(const std::string& group, const std::string& after,
                                            int limit, const std::string& channel,
                                            AddressSource source) {
    return recipients(st_->members.bind(1, group)
                          .bind(2, channel)
                          .bind(3, static_cast<int>(source))
                          .bind(4, after)
                          .bind(5, limit));
}

std::optional<Recipient> FanoutStore::user(const std::string& user_id, const std::string& channel,
                                           AddressSource source) {
    auto rows =
        recipients(st_->user.bind(1, user_id).bind(2, channel).bind(3, static_cast<int>(source)));
    if (rows.empty()) return std::nullopt;
    return rows.front();
}

Status FanoutStore::write_step(ExpansionStep& step) {
    try {
        Transaction tx(store_.handle());
        auto& s = *st_;
        step.seq_before = store_.max_delivery_seq();
        std::vector<Delivery*> deliveries;
        std::vector<NewEvent> events;
        // Each delivery's suppression right after its acceptance; the events
        // view the reasons, which never move (reserved).
        std::vector<std::string> reasons;
        reasons.reserve(step.deliveries.size());
        for (Delivery& d : step.deliveries) {
            deliveries.push_back(&d);
            events.push_back({d.id, step.at, "accepted", accepted_detail(d), {}});
            if (d.state != DeliveryState::suppressed) continue;
            reasons.push_back(suppression_reason(d.last_error));
            events.push_back(
                {d.id, step.at, "suppressed", d.last_error, EventFacts{{}, reasons.back()}});
        }
        s.rows.insert(deliveries, true);
        s.rows.events(events);
        s.step_fanout.bind(1, step.cursor)
            .bind(2, step.expanded)
            .bind(3, to_string(step.done ? FanoutState::done : FanoutState::expanding))
            .bind(4, step.notification_id);
        s.step_fanout.run();
        if (store_.handle().changes() != 1)
            return make_error(ErrorKind::conflict, "not_expanding",
                              "fan-out '" + step.notification_id + "' is not expanding");
        if (step.done)
            s.rows.event(step.notification_id, step.at, "expanded",
                         "deliveries=" + std::to_string(step.expanded));
        tx.commit();
        return ok();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

Expected<FanoutState> FanoutStore::decide(const std::string& notification_id, bool approve,
                                          const std::string& by, const std::string& reason,
                                          Millis now) {
    try {
        Transaction tx(store_.handle());
        auto& s = *st_;
        auto f = find_fanout(store_.handle(), notification_id);
        if (!f) {
            bool exists = s.notification_exists.bind(1, notification_id).exists();
            return make_error(exists ? ErrorKind::conflict : ErrorKind::not_found,
                              exists ? "not_pending_approval" : "not_found",
                              exists ? "notification '" + notification_id +
                                           "' is not waiting for approval (it is not a fan-out)"
                                     : "no notification '" + notification_id + "'");
        }
        if (f->state != FanoutState::pending_approval)
            return make_error(ErrorKind::conflict, "not_pending_approval",
                              "notification '" + notification_id +
                                  "' is not waiting for approval (it is " + to_string(f->state) +
                                  ")");
        const FanoutState next = approve ? FanoutState::expanding : FanoutState::rejected;
        s.decide_fanout.bind(1, to_string(next))
            .bind(2, by)
            .bind(3, now)
            .bind(4, approve ? std::string() : reason)
            .bind(5, notification_id);
        s.decide_fanout.run();
        s.rows.event(notification_id, now, approve ? "approved" : "rejected",
                     approve || reason.empty() ? "by " + by : "by " + by + ": " + reason);
        tx.commit();
        return next;
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

Expected<bool> FanoutStore::cancel(const std::string& notification_id, const std::string& by,
                                   Millis now) {
    try {
        Transaction tx(store_.handle());
        auto& s = *st_;
        s.cancel_fanout.bind(1, notification_id);
        s.cancel_fanout.run();
        if (store_.handle().changes() != 1) return false;
        s.rows.event(notification_id, now, "canceled", by.empty() ? "canceled" : "by " + by);
        tx.commit();
        return true;
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

std::int64_t FanoutStore::gated_seq(const GateMarkScope& scope) {
    if (!scope.holder.empty()) {
        try {
            if (auto mark = read_gate_mark(store_.handle(), scope.serves)) return *mark;
        } catch (const StoreFailure&) {
            return 0;  // all of them are checked again
        }
    }
    std::string value = store_.setting(kGatedSeqSetting);
    if (value.empty()) return 0;
    try {
        return std::stoll(value);
    } catch (const std::exception&) {
        return 0;
    }
}

Status FanoutStore::apply(const std::vector<Transition>& transitions,
                          std::optional<std::int64_t> gated_seq, const GateMarkScope& scope,
                          const std::function<void()>& also) {
    if (!gated_seq) return store_.apply(transitions, {}, also);
    std::vector<std::pair<std::string, std::string>> settings;
    if (scope.serves.holds_all())
        settings.emplace_back(kGatedSeqSetting, std::to_string(*gated_seq));
    if (scope.holder.empty()) return store_.apply(transitions, settings, also);
    return store_.apply(transitions, settings, [&] {
        write_gate_mark(store_.handle(), scope.holder, scope.serves, *gated_seq);
        if (also) also();
    });
}

std::optional<UserOptOuts> FanoutStore::opt_outs(const std::string& user_id) {
    auto& s = *st_;
    s.unsubscribed_at.bind(1, user_id);
    std::optional<UserOptOuts> out;
    if (s.unsubscribed_at.step()) out = UserOptOuts{s.unsubscribed_at.integer(0), {}};
    s.unsubscribed_at.reset();
    if (!out) return out;
    out->preferences = preferences(user_id);
    return out;
}

bool FanoutStore::address_unsubscribed(const std::string& channel, const std::string& address,
                                       const std::string& category) {
    return st_->address_unsubscribed.bind(1, channel).bind(2, address).bind(3, category).exists();
}

std::vector<RecentDelivery> FanoutStore::recent(Millis since, std::int64_t up_to) {
    return st_->recent.bind(1, since).bind(2, up_to).collect([](const Stmt& s) {
        return RecentDelivery{s.integer(0), s.text(1), s.text(2),   s.text(3),
                              s.text(4),    s.text(5), s.integer(6)};
    });
}

std::optional<NotificationContent> FanoutStore::content(const std::string& notification_id) {
    std::optional<NotificationContent> found;
    contents({notification_id},
             [&](const std::string&, NotificationContent& c) { found = std::move(c); });
    return found;
}

void FanoutStore::contents(
    const std::vector<std::string>& notification_ids,
    const std::function<void(const std::string& id, NotificationContent& content)>& each) {
    auto bind = [&](Stmt& s, int p, size_t i) { s.bind(p, notification_ids[i]); };
    st_->contents.read(notification_ids.size(), bind, [&](const Stmt& s) {
        NotificationContent c{s.text(1),         s.text(2),    s.text(3), s.text(4),
                              s.text(5),         s.text(6),    s.text(7), report_groups(s.view(8)),
                              s.integer(9) != 0, s.integer(10)};
        each(s.text(0), c);
    });
}

}  // namespace notify::store
