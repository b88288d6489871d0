// inbox_store.hpp - users' in-app inboxes in the store (schema 14).
//
// An item is one delivery on an inbox channel, keyed by the delivery's id and
// numbered by `seq` in the order items came in. The router adds items, in the
// commit that marks their deliveries sent; notify-ingest reads a user's inbox
// newest first a page at a time (the cursor is the last seq of the page), and
// marks items seen, read, unread, archived or unarchived as the user's devices
// say. Every new item and every change is also an event (inbox_events), which
// the open streams follow by sequence number and resume from.
//
// Methods throw StoreFailure; callers turn it into an Error (to_error).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"
#include "util/time.hpp"

namespace notify::store {

using util::Millis;

struct InboxItem {
    std::int64_t seq = 0;
    std::string id;  // the delivery's
    std::string user_id;
    std::string notification_id;
    std::string channel;
    std::string category;
    std::string subject;
    std::string body;
    std::string data_json;  // the notification's data, or ""
    Millis created_at = 0;
    Millis seen_at = 0;  // 0: not yet
    Millis read_at = 0;
    Millis archived_at = 0;
};

// What a page of one user's inbox shows.
struct InboxQuery {
    std::string user_id;
    std::string category;     // "": every category
    bool archived = false;    // the archived items instead of the others
    std::int64_t before = 0;  // the cursor: items with a seq below it; 0: the newest
    int limit = 50;           // 0: only the unread count
};

struct InboxPage {
    std::vector<InboxItem> items;  // newest first
    std::int64_t unread = 0;       // of the user's items not archived (of the category, if one)
    std::int64_t next_cursor = 0;  // `before` for the next page; 0: this is the last
};

enum class InboxMark { seen, read, unread, archived, unarchived };
const char* to_string(InboxMark m);  // "seen", "read", ...

struct InboxEvent {
    std::int64_t seq = 0;
    std::string user_id;
    std::string kind;           // new, seen, read, unread, archived, unarchived, read_all
    std::int64_t item_seq = 0;  // 0 for read_all
    std::string category;       // read_all: the category it marked ("": every one)
    Millis at = 0;
};

class InboxStore {
  public:
    explicit InboxStore(Db& db);
    ~InboxStore();

    // Adds an item and its "new" event; false when the delivery is one already.
    bool add(const InboxItem& item);
    InboxPage page(const InboxQuery& query);
    std::optional<InboxItem> item(const std::string& user_id, const std::string& item_id);
    std::optional<InboxItem> item_by_seq(std::int64_t seq);
    // Marks the user's item, with its event when that changes anything; the item
    // as it is now, or nullopt when the user has no such item.
    std::optional<InboxItem> mark(const std::string& user_id, const std::string& item_id,
                                  InboxMark mark, Millis now);
    // Marks every unread item of the user (of `category`, if one) read; the
    // ids of the items it marked.
    std::vector<std::string> mark_all_read(const std::string& user_id, const std::string& category,
                                           Millis now);
    std::int64_t unread(const std::string& user_id);
    // Events after `seq`, oldest first, at most `limit`.
    std::vector<InboxEvent> events_after(std::int64_t seq, int limit);
    // The user's events after `after` up to `upto`, oldest first, at most `limit`.
    std::vector<InboxEvent> user_events(const std::string& user_id, std::int64_t after,
                                        std::int64_t upto, int limit);
    std::int64_t last_event_seq();
    // The oldest event kept (older ones are pruned); 0 when there is none.
    std::int64_t first_event_seq();
    // Forgets the events before the first one at or after `before` (streams
    // cannot resume from them); how many.
    std::int64_t prune_events(Millis before);

  private:
    std::int64_t event(const std::string& user_id, const char* kind, std::int64_t item_seq,
                       Millis at, const std::string& category = {});

    struct Statements;
    Db& db_;
    std::unique_ptr<Statements> st_;
};

}  // namespace notify::store
