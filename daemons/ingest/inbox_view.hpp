// inbox_view.hpp - how an inbox item and an inbox event look to end users'
// pages and apps, over the inbox routes (api_inbox.cpp) and their streams.
#pragma once

#include <nlohmann/json.hpp>

#include "store/inbox_store.hpp"

namespace notify::ingest {

// {"id","seq","notification_id","channel","category","subject","body","data",
//  "created_at","seen","read","archived","seen_at","read_at","archived_at"}:
// times in RFC 3339, null when not yet; data an object, null when none.
nlohmann::json inbox_item_view(const store::InboxItem& item);

}  // namespace notify::ingest
