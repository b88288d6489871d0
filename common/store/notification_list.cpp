// notification_list.cpp - Store::list_notifications: a page of notifications,
// newest first, by filters; see store.hpp (ListFilter).
#include <algorithm>

#include "store/db.hpp"
#include "store/fanout_rows.hpp"
#include "store/notification_rows.hpp"
#include "store/store.hpp"
#include "util/id.hpp"

namespace notify::store {

namespace {

// Ids are ULIDs made from the acceptance time, so a time range is an id
// range; a minute's slack covers a clock set back (created_at decides).
constexpr Millis kIdSlack = 60'000;

}  // namespace

Expected<ListPage> Store::list_notifications(const ListFilter& f) {
    // The ids a page may hold: below `upper`, at or above `lower`.
    std::string upper = f.cursor, lower;
    if (f.until) {
        std::string u = util::ulid_prefix(f.until + kIdSlack);
        if (upper.empty() || u < upper) upper = u;
    }
    if (f.since) lower = util::ulid_prefix(std::max<Millis>(0, f.since - kIdSlack));
    // Filters that an index turns into a set of ids need no window; the
    // others are checked row by row as the page reads.
    const bool indexed = !f.group.empty() || !f.user.empty() || !f.template_name.empty() ||
                         !f.schedule.empty() || (f.fanout && !f.status);
    const bool filtered = !f.channel.empty() || !f.module.empty() || !f.api_key_id.empty() ||
                          !f.text.empty() || f.priority || f.status;
    try {
        // With filters, the window (ListFilter::window): so that every page
        // costs about the same however rare its matches and however big the
        // store, a page reads at most that many of the newest ids in range.
        std::string window_low;
        if (filtered && !indexed) {
            std::string q = "SELECT id FROM notifications WHERE 1";
            if (!upper.empty()) q += " AND id < ?1";
            if (!lower.empty()) q += " AND id >= ?2";
            // The window's oldest id, and whether anything lies below it.
            q += " ORDER BY id DESC LIMIT 2 OFFSET " + std::to_string(std::max(1, f.window) - 1);
            Stmt w(db_, q);
            if (!upper.empty()) w.bind(1, upper);
            if (!lower.empty()) w.bind(2, lower);
            if (w.step()) {
                std::string oldest = w.text(0);
                if (w.step()) window_low = std::move(oldest);
            }
        }
        if (!window_low.empty()) lower = window_low;

        // Filters vary per call, so this statement is built here; every value is bound.
        std::string q =
            std::string("SELECT ") + kNotificationColumns + " FROM notifications n WHERE 1";
        std::vector<std::pair<int, std::string>> texts;
        std::vector<std::pair<int, std::int64_t>> ints;
        int idx = 0;
        auto add_text = [&](const std::string& clause, const std::string& v) {
            q += clause;
            texts.emplace_back(++idx, v);
        };
        auto add_int = [&](const std::string& clause, std::int64_t v) {
            q += clause;
            ints.emplace_back(++idx, v);
        };
        if (!upper.empty()) add_text(" AND n.id < ?", upper);
        if (!lower.empty()) add_text(" AND n.id >= ?", lower);
        if (!f.channel.empty()) add_text(" AND n.channel = ?", f.channel);
        if (!f.module.empty()) add_text(" AND n.module = ?", f.module);
        if (!f.api_key_id.empty()) add_text(" AND n.api_key_id = ?", f.api_key_id);
        if (!f.group.empty())
            add_text(
                " AND n.id IN (SELECT notification_id FROM fanouts WHERE instr(char(10) || targets "
                "|| char(10), char(10) || ? || char(10)) > 0)",
                "group:" + f.group);
        if (!f.user.empty())
            add_text(" AND n.id IN (SELECT notification_id FROM deliveries WHERE user_id = ?)",
                     f.user);
        if (!f.template_name.empty()) add_text(" AND n.template = ?", f.template_name);
        if (!f.schedule.empty())
            add_text(
                " AND n.id IN (SELECT notification_id FROM schedule_firings WHERE schedule = ?)",
                f.schedule);
        if (!f.text.empty()) {
            // instr, not LIKE: the text is matched as it is, with no wildcards.
            add_text(" AND (instr(n.subject, ?)", f.text);
            add_text(" OR instr(n.body, ?))", f.text);
        }
        if (f.priority) add_int(" AND n.priority = ?", static_cast<int>(*f.priority));
        if (f.since) add_int(" AND n.created_at >= ?", f.since);
        if (f.until) add_int(" AND n.created_at < ?", f.until);
        if (f.status || f.fanout) {
            // A delivery state is probed per notification (newest first), not
            // gathered: a common one would gather most of the store ("+" keeps
            // the probe on the notification's index, not the state's). Fan-outs
            // are few, so their state is gathered through its index.
            q += " AND (0";
            if (f.status)
                add_text(
                    " OR EXISTS (SELECT 1 FROM deliveries d WHERE d.notification_id = n.id AND "
                    "+d.state = ?)",
                    to_string(*f.status));
            if (f.fanout)
                add_text(" OR n.id IN (SELECT notification_id FROM fanouts WHERE state = ?)",
                         to_string(*f.fanout));
            q += ")";
        }
        int limit = f.limit > 0 && f.limit <= 1000 ? f.limit : 50;
        q += " ORDER BY n.id DESC LIMIT " + std::to_string(limit + 1);
        Stmt s(db_, q);
        for (const auto& [i, v] : texts) s.bind(i, v);
        for (const auto& [i, v] : ints) s.bind(i, v);
        ListPage page;
        while (s.step()) {
            if (static_cast<int>(page.notifications.size()) == limit) {
                page.next_cursor = page.notifications.back().notification.id;
                break;
            }
            NotificationView v;
            v.notification = read_notification(s);
            page.notifications.push_back(std::move(v));
        }
        // The window ended before the range did: the next page reads on below it.
        if (page.next_cursor.empty() && !window_low.empty()) page.next_cursor = window_low;
        for (auto& v : page.notifications) {
            fill_deliveries(v, kListedDeliveries);
            v.fanout = find_fanout(db_, v.notification.id);
        }
        return page;
    } catch (const StoreFailure& e) {
        return to_error(e);
    }
}

}  // namespace notify::store
