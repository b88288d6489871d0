// inbox_item.hpp - an inbox item for the inbox tests (store and API): the
// delivery `id` of `user`, in `category`, written at `at`, with a subject and
// a body that name it.
#pragma once

#include <string>

#include "store/inbox_store.hpp"

namespace notify::testing {

inline store::InboxItem inbox_item(const std::string& id, const std::string& user,
                                   const std::string& category, util::Millis at) {
    store::InboxItem i;
    i.id = id;
    i.user_id = user;
    i.notification_id = "n-" + id;
    i.channel = "inbox";
    i.category = category;
    i.subject = "subject " + id;
    i.body = "body " + id;
    i.created_at = at;
    return i;
}

}  // namespace notify::testing
