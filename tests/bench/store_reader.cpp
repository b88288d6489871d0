// store_reader.cpp - see store_reader.hpp.
#include "store_reader.hpp"

#include <algorithm>

#include "store/sqlite_db.hpp"

namespace notify::bench {

StoreReader::StoreReader(const std::string& path) {
    sqlite3* raw = nullptr;
    if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK)
        db_ = std::make_unique<store::SqliteDb>(raw, 5000);
    else
        sqlite3_close(raw);
}

StoreReader::~StoreReader() = default;

std::int64_t StoreReader::number(const char* sql) {
    store::Stmt s(*db_, sql);
    return s.step() ? s.integer(0) : 0;
}

std::vector<std::int64_t> StoreReader::lateness() {
    std::vector<std::int64_t> out;
    store::Stmt s(*db_,
                  "SELECT e.at - n.send_at FROM events e JOIN deliveries d ON d.id = "
                  "e.delivery_id JOIN notifications n ON n.id = d.notification_id "
                  "WHERE e.type = 'queued' AND e.detail = 'send_at reached'");
    while (s.step()) out.push_back(s.integer(0));
    std::sort(out.begin(), out.end());
    return out;
}

std::optional<std::int64_t> StoreReader::dispatched_at(const std::string& notification_id) {
    store::Stmt s(*db_,
                  "SELECT e.at FROM events e JOIN deliveries d ON d.id = e.delivery_id "
                  "WHERE d.notification_id = ? AND e.type = 'dispatched' ORDER BY e.at LIMIT 1");
    s.bind(1, notification_id);
    return s.first([](const store::Stmt& r) { return r.integer(0); });
}

}  // namespace notify::bench
