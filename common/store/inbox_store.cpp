// inbox_store.cpp - users' inboxes in the store; see inbox_store.hpp.
#include "store/inbox_store.hpp"

#include "store/dialect.hpp"

#include <algorithm>

namespace notify::store {

namespace {

constexpr const char* kColumns =
    "seq, id, user_id, notification_id, channel, category, subject, body, data, created_at, "
    "seen_at, read_at, archived_at";

InboxItem read_item(const Stmt& r) {
    InboxItem i;
    i.seq = r.integer(0);
    i.id = r.text(1);
    i.user_id = r.text(2);
    i.notification_id = r.text(3);
    i.channel = r.text(4);
    i.category = r.text(5);
    i.subject = r.text(6);
    i.body = r.text(7);
    i.data_json = r.text(8);
    i.created_at = r.integer(9);
    i.seen_at = r.integer(10);
    i.read_at = r.integer(11);
    i.archived_at = r.integer(12);
    return i;
}

InboxEvent read_event(const Stmt& r) {
    return InboxEvent{r.integer(0), r.text(1), r.text(2), r.integer(3), r.text(4), r.integer(5)};
}

std::string select(const char* where) {
    return std::string("SELECT ") + kColumns + " FROM inbox_items WHERE " + where;
}

// Whether the mark clears its column rather than setting it.
bool clears(InboxMark m) {
    return m == InboxMark::unread || m == InboxMark::unarchived;
}

// The UPDATE of a mark of the item `seq` (?2): it sets its column to now (?1),
// keeping the first time, or clears it (?1 is 0) when set. Reading an item
// also makes it seen.
std::string mark_sql(InboxMark m) {
    switch (m) {
        case InboxMark::seen:
            return "UPDATE inbox_items SET seen_at = ?1 WHERE seq = ?2 AND seen_at = 0";
        case InboxMark::read:
            return "UPDATE inbox_items SET read_at = ?1, seen_at = CASE seen_at WHEN 0 THEN ?1 "
                   "ELSE seen_at END WHERE seq = ?2 AND read_at = 0";
        case InboxMark::unread:
            return "UPDATE inbox_items SET read_at = ?1 WHERE seq = ?2 AND read_at <> 0";
        case InboxMark::archived:
            return "UPDATE inbox_items SET archived_at = ?1 WHERE seq = ?2 AND archived_at = 0";
        case InboxMark::unarchived:
            break;
    }
    return "UPDATE inbox_items SET archived_at = ?1 WHERE seq = ?2 AND archived_at <> 0";
}

// What `mark` at `now` makes of `item`, as mark_sql() changes its row.
void apply(InboxItem& item, InboxMark mark, Millis now) {
    switch (mark) {
        case InboxMark::read:
            item.read_at = now;
            if (item.seen_at == 0) item.seen_at = now;
            return;
        case InboxMark::seen:
            item.seen_at = now;
            return;
        case InboxMark::unread:
            item.read_at = 0;
            return;
        case InboxMark::archived:
            item.archived_at = now;
            return;
        case InboxMark::unarchived:
            item.archived_at = 0;
            return;
    }
}

constexpr InboxMark kMarks[] = {InboxMark::seen, InboxMark::read, InboxMark::unread,
                                InboxMark::archived, InboxMark::unarchived};

}  // namespace

const char* to_string(InboxMark m) {
    switch (m) {
        case InboxMark::seen:
            return "seen";
        case InboxMark::read:
            return "read";
        case InboxMark::unread:
            return "unread";
        case InboxMark::archived:
            return "archived";
        case InboxMark::unarchived:
            break;
    }
    return "unarchived";
}

struct InboxStore::Statements {
    explicit Statements(Db& db)
        : add(db, std::string(insert_ignore(db.dialect())) +
                      " INTO inbox_items (id, user_id, notification_id, channel, "
                      "category, subject, body, data, created_at) VALUES (?,?,?,?,?,?,?,?,?)"),
          event(db,
                "INSERT INTO inbox_events (user_id, kind, item_seq, category, at) VALUES "
                "(?,?,?,?,?)"),
          by_id(db, select("user_id = ? AND id = ?")),
          by_seq(db, select("seq = ?")),
          unread(db,
                 "SELECT COUNT(*) FROM inbox_items WHERE user_id = ?1 AND read_at = 0 AND "
                 "archived_at = 0 AND (?2 = '' OR category = ?2)"),
          events_after(db,
                       "SELECT seq, user_id, kind, item_seq, category, at FROM inbox_events WHERE "
                       "seq > ? "
                       "ORDER BY seq LIMIT ?"),
          user_events(db,
                      "SELECT seq, user_id, kind, item_seq, category, at FROM inbox_events WHERE "
                      "seq > ? AND seq <= ? AND user_id = ? ORDER BY seq LIMIT ?"),
          last_event(db, "SELECT COALESCE(MAX(seq), 0) FROM inbox_events"),
          first_event(db, "SELECT COALESCE(MIN(seq), 0) FROM inbox_events"),
          // By sequence number, up to the first event kept: what it reads is
          // what it deletes, not the whole table.
          prune(db,
                "DELETE FROM inbox_events WHERE seq < COALESCE((SELECT seq FROM inbox_events "
                "WHERE at >= ?1 ORDER BY seq LIMIT 1), (SELECT COALESCE(MAX(seq), 0) + 1 FROM "
                "inbox_events))"),
          page(db, select("user_id = ?1 AND (?2 = '' OR category = ?2) AND (?3 = 0 OR seq < ?3) "
                          "AND (archived_at <> 0) = ?4 ORDER BY seq DESC LIMIT ?5")),
          unread_ids(db,
                     "SELECT id FROM inbox_items WHERE user_id = ?1 AND read_at = 0 AND "
                     "archived_at = 0 AND (?2 = '' OR category = ?2)"),
          read_all(db,
                   "UPDATE inbox_items SET read_at = ?1, seen_at = CASE seen_at WHEN 0 THEN ?1 "
                   "ELSE seen_at END WHERE user_id = ?2 AND read_at = 0 AND archived_at = 0 AND "
                   "(?3 = '' OR category = ?3)") {
        for (InboxMark m : kMarks) marks.emplace_back(db, mark_sql(m));
    }
    Stmt add, event, by_id, by_seq, unread, events_after, user_events, last_event, first_event,
        prune, page, unread_ids, read_all;
    std::vector<Stmt> marks;  // in the order of kMarks
};

InboxStore::InboxStore(Db& db) : db_(db), st_(std::make_unique<Statements>(db)) {}

InboxStore::~InboxStore() = default;

std::int64_t InboxStore::event(const std::string& user_id, const char* kind, std::int64_t item_seq,
                               Millis at, const std::string& category) {
    st_->event.bind(1, user_id).bind(2, kind).bind(3, item_seq).bind(4, category).bind(5, at).run();
    return db_.last_insert_id();
}

bool InboxStore::add(const InboxItem& i) {
    st_->add.bind(1, i.id)
        .bind(2, i.user_id)
        .bind(3, i.notification_id)
        .bind(4, i.channel)
        .bind(5, i.category)
        .bind(6, i.subject)
        .bind(7, i.body)
        .bind(8, i.data_json)
        .bind(9, i.created_at)
        .run();
    if (db_.changes() == 0) return false;
    event(i.user_id, "new", db_.last_insert_id(), i.created_at);
    return true;
}

InboxPage InboxStore::page(const InboxQuery& q) {
    InboxPage out;
    const int limit = std::clamp(q.limit, 0, 1000);
    if (limit > 0) {
        st_->page.bind(1, q.user_id).bind(2, q.category).bind(3, q.before);
        st_->page.bind(4, q.archived ? 1 : 0).bind(5, limit + 1);
        out.items = st_->page.collect(read_item);
    }
    if (static_cast<int>(out.items.size()) > limit) {
        out.items.resize(static_cast<size_t>(limit));
        out.next_cursor = out.items.back().seq;
    }
    out.unread = *st_->unread.bind(1, q.user_id).bind(2, q.category).first([](const Stmt& r) {
        return r.integer(0);
    });
    return out;
}

std::optional<InboxItem> InboxStore::item(const std::string& user_id, const std::string& item_id) {
    return st_->by_id.bind(1, user_id).bind(2, item_id).first(read_item);
}

std::optional<InboxItem> InboxStore::item_by_seq(std::int64_t seq) {
    return st_->by_seq.bind(1, seq).first(read_item);
}

std::optional<InboxItem> InboxStore::mark(const std::string& user_id, const std::string& item_id,
                                          InboxMark mark, Millis now) {
    Transaction tx(db_);
    auto found = item(user_id, item_id);
    if (!found) return std::nullopt;
    const auto index = static_cast<size_t>(std::find(std::begin(kMarks), std::end(kMarks), mark) -
                                           std::begin(kMarks));
    st_->marks.at(index).bind(1, clears(mark) ? 0 : now).bind(2, found->seq).run();
    if (db_.changes() > 0) {
        apply(*found, mark, now);
        event(user_id, to_string(mark), found->seq, now);
    }
    tx.commit();
    return found;
}

std::vector<std::string> InboxStore::mark_all_read(const std::string& user_id,
                                                   const std::string& category, Millis now) {
    Transaction tx(db_);
    auto ids = st_->unread_ids.bind(1, user_id).bind(2, category).collect([](const Stmt& r) {
        return r.text(0);
    });
    st_->read_all.bind(1, now).bind(2, user_id).bind(3, category).run();
    if (!ids.empty()) event(user_id, "read_all", 0, now, category);
    tx.commit();
    return ids;
}

std::int64_t InboxStore::unread(const std::string& user_id) {
    return *st_->unread.bind(1, user_id).bind(2, std::string()).first([](const Stmt& r) {
        return r.integer(0);
    });
}

std::vector<InboxEvent> InboxStore::events_after(std::int64_t seq, int limit) {
    return st_->events_after.bind(1, seq).bind(2, limit).collect(read_event);
}

std::vector<InboxEvent> InboxStore::user_events(const std::string& user_id, std::int64_t after,
                                                std::int64_t upto, int limit) {
    st_->user_events.bind(1, after).bind(2, upto).bind(3, user_id).bind(4, limit);
    return st_->user_events.collect(read_event);
}

std::int64_t InboxStore::first_event_seq() {
    return *st_->first_event.first([](const Stmt& r) { return r.integer(0); });
}

std::int64_t InboxStore::last_event_seq() {
    return *st_->last_event.first([](const Stmt& r) { return r.integer(0); });
}

std::int64_t InboxStore::prune_events(Millis before) {
    st_->prune.bind(1, before).run();
    return db_.changes();
}

}  // namespace notify::store
