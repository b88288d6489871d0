// partition_sql.cpp - see partition_sql.hpp.
#include "store/partition_sql.hpp"

#include <sqlite3.h>

#include "store/dialect.hpp"
#include "store/sqlite_db.hpp"

namespace notify::store {

namespace {

// CRC32(X) as MySQL's: NULL for NULL, else the checksum of X's bytes (text
// and a number's text as UTF-8, as partition_of reads keys).
void crc32_of(sqlite3_context* ctx, int, sqlite3_value** argv) {
    const int type = sqlite3_value_type(argv[0]);
    if (type == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const auto* p = type == SQLITE_BLOB
                        ? static_cast<const char*>(sqlite3_value_blob(argv[0]))
                        : reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    const auto n = static_cast<std::size_t>(sqlite3_value_bytes(argv[0]));
    sqlite3_result_int64(ctx, crc32(p ? std::string_view(p, n) : std::string_view()));
}

}  // namespace

std::string among(const PartitionSet& serves, std::string_view partition) {
    if (serves.holds_all()) return {};
    std::string in;
    for (int p = 0; p < serves.count(); ++p)
        if (serves.contains(p)) in += (in.empty() ? "" : ",") + std::to_string(p);
    return in.empty() ? " AND 0 = 1" : " AND " + std::string(partition) + " IN (" + in + ")";
}

std::string delivery_partition(int count) {
    // partition_of's rule (partitions.cpp): by the user, else the recipient,
    // else the notification. The two must agree, or a delivery is nobody's.
    return "(CRC32(CASE WHEN user_id <> '' THEN user_id WHEN recipient <> '' THEN recipient "
           "ELSE notification_id END) % " +
           std::to_string(count < 1 ? 1 : count) + ")";
}

void define_crc32(Db& db) {
    if (db.dialect() != Dialect::sqlite) return;
    const int rc = sqlite3_create_function_v2(sqlite_handle(db), "crc32", 1,
                                              SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                              nullptr, crc32_of, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) throw StoreFailure{rc, "cannot define crc32()"};
}

}  // namespace notify::store
