// dialect.hpp - the few pieces of SQL that SQLite and MariaDB write
// differently, for the statements that need them. Everything else the store
// writes is read alike by both (REPLACE INTO, `quoted` names, || with
// PIPES_AS_CONCAT, LIMIT ?).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/db.hpp"

namespace notify::store {

// An INSERT that skips a row whose key is taken: "INSERT OR IGNORE" | "INSERT IGNORE".
const char* insert_ignore(Dialect d);

// The end of an upsert: "ON CONFLICT (keys) DO UPDATE SET sets" on SQLite,
// "ON DUPLICATE KEY UPDATE sets" on MariaDB, where `excluded.c` (the value the
// insert proposed) reads VALUES(c). `keys` must be the table's only unique key,
// and `sets` are applied left to right, each reading the row as it was.
std::string on_conflict_update(Dialect d, std::string_view keys, std::string_view sets);

// The values of `expr` over a subquery's rows, in the order of `order_by`,
// joined by newlines: `from` is the rest of the subquery ("FROM t WHERE ...").
std::string lines_of(Dialect d, std::string_view expr, std::string_view from,
                     std::string_view order_by = {});

// A query giving one number that grows with every write transaction any
// connection commits (not this one's own, on SQLite): PRAGMA data_version on
// SQLite, the version of notify_writer's row on MariaDB (mariadb_db.hpp).
const char* commits_seen(Dialect d);

// The store's clock, in milliseconds since the epoch, as an SQL expression: what
// processes on several hosts compare their times by (store/cluster_members.hpp).
const char* now_millis(Dialect d);
// The store's clock read now (now_millis). Throws StoreFailure.
std::int64_t store_clock(Db& db);

// The larger of two values: "MAX" | "GREATEST", to be called with two arguments.
const char* greater_of(Dialect d);

}  // namespace notify::store
