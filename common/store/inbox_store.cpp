// inbox_store.cpp - users' inboxes in the store; see inbox_store.hpp.
#include "store/inbox_store.hpp"

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

std::string select(const char* where) {
    return std::string("SELECT ") + kColumns + " FROM inbox_items WHERE " + where;
}

// The column a mark sets, and the value: `now` or 0.
struct MarkChange {
    const char* column;
    bool clear;
};

MarkChange change_of(InboxMark m) {
    switch (m) {
        case InboxMark::seen:
            return {"seen_at", false};
        case InboxMark::read:
            return {"read_at", false};
        case InboxMark::unread:
            return {"read_at", true};
        case InboxMark::archived:
            return {"archived_at", false};
        case InboxMark::unarchived:
            break;
    }
    return {"archived_at", true};
}

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
    explicit Statements(sqlite3* db)
        : add(db,
              "INSERT OR IGNORE INTO inbox_items (id, user_id, notification_id, channel, "
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
          last_event(db, "SELECT COALESCE(MAX(seq), 0) FROM inbox_events"),
          prune(db, "DELETE FROM inbox_events WHERE at < ?") {}
    Stmt add, event, by_id, by_seq, unread, events_after, last_event, prune;
};

InboxStore::InboxStore(sqlite3* db) : db_(db), st_(std::make_unique<Statements>(db)) {}

InboxStore::~InboxStore() = default;

std::int64_t InboxStore::event(const std::string& user_id, const char* kind, std::int64_t item_seq,
                               Millis at, const std::string& category) {
    st_->event.bind(1, user_id).bind(2, kind).bind(3, item_seq).bind(4, category).bind(5, at).run();
    return sqlite3_last_insert_rowid(db_);
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
    if (sqlite3_changes(db_) == 0) return false;
    event(i.user_id, "new", sqlite3_last_insert_rowid(db_), i.created_at);
    return true;
}

InboxPage InboxStore::page(const InboxQuery& q) {
    InboxPage out;
    const int limit = std::clamp(q.limit, 1, 1000);
    Stmt s(db_, select("user_id = ?1 AND (?2 = '' OR category = ?2) AND (?3 = 0 OR seq < ?3) AND "
                       "(archived_at <> 0) = ?4 ORDER BY seq DESC LIMIT ?5")
                    .c_str());
    s.bind(1, q.user_id).bind(2, q.category).bind(3, q.before).bind(4, q.archived ? 1 : 0);
    s.bind(5, limit + 1);
    out.items = s.collect(read_item);
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
    auto found = item(user_id, item_id);
    if (!found) return std::nullopt;
    const MarkChange c = change_of(mark);
    Transaction tx(db_);
    // Setting keeps the first time; clearing only clears what is set.
    std::string sql = std::string("UPDATE inbox_items SET ") + c.column +
                      " = ? WHERE seq = ? AND " + c.column + (c.clear ? " <> 0" : " = 0");
    Stmt(db_, sql.c_str()).bind(1, c.clear ? 0 : now).bind(2, found->seq).run();
    const bool changed = sqlite3_changes(db_) > 0;
    // Reading an item also makes it seen.
    if (changed && mark == InboxMark::read)
        Stmt(db_, "UPDATE inbox_items SET seen_at = ? WHERE seq = ? AND seen_at = 0")
            .bind(1, now)
            .bind(2, found->seq)
            .run();
    if (changed) event(user_id, to_string(mark), found->seq, now);
    tx.commit();
    return item(user_id, item_id);
}

std::int64_t InboxStore::mark_all_read(const std::string& user_id, const std::string& category,
                                       Millis now) {
    Transaction tx(db_);
    Stmt(db_,
         "UPDATE inbox_items SET read_at = ?1, seen_at = CASE seen_at WHEN 0 THEN ?1 ELSE seen_at "
         "END WHERE user_id = ?2 AND read_at = 0 AND archived_at = 0 AND (?3 = '' OR category = "
         "?3)")
        .bind(1, now)
        .bind(2, user_id)
        .bind(3, category)
        .run();
    const std::int64_t changed = sqlite3_changes(db_);
    if (changed > 0) event(user_id, "read_all", 0, now, category);
    tx.commit();
    return changed;
}

std::int64_t InboxStore::unread(const std::string& user_id) {
    return *st_->unread.bind(1, user_id).bind(2, std::string()).first([](const Stmt& r) {
        return r.integer(0);
    });
}

std::vector<InboxEvent> InboxStore::events_after(std::int64_t seq, int limit) {
    return st_->events_after.bind(1, seq).bind(2, limit).collect([](const Stmt& r) {
        return InboxEvent{r.integer(0), r.text(1), r.text(2),
                          r.integer(3), r.text(4), r.integer(5)};
    });
}

std::int64_t InboxStore::last_event_seq() {
    return *st_->last_event.first([](const Stmt& r) { return r.integer(0); });
}

std::int64_t InboxStore::prune_events(Millis before) {
    st_->prune.bind(1, before).run();
    return sqlite3_changes(db_);
}

}  // namespace notify::store
