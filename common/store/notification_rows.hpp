// notification_rows.hpp - a notification as the store's `notifications` table
// holds it: the columns every read selects, in order, and the row read back.
// Shared by the store's reads (store.cpp, notification_list.cpp).
#pragma once

#include "model.hpp"
#include "store/db.hpp"

namespace notify::store {

extern const char* const kNotificationColumns;
Notification read_notification(const Stmt& s);

}  // namespace notify::store
