// schema_mariadb.hpp - the store's schema on MariaDB or MySQL.
//
// A new database gets the whole schema at once, as SQLite's migrations leave
// it at the version this baseline stands for (schema.cpp); later versions add
// a migration to each. Text is held as bytes (VARBINARY, LONGBLOB), compared
// byte by byte as SQLite compares it; a partial index of SQLite is a whole
// index here. Besides the store's tables: `notify_schema`, the version, and
// `notify_writer`, the one row every write transaction takes first.
#pragma once

#include "store/db.hpp"
#include "util/time.hpp"

namespace notify::store {

// Creates what is missing of the schema, once at a time across processes
// (waiting up to `lock_wait` for another one doing it). Refuses a database
// whose schema is newer than this build knows.
void migrate_mariadb(Db& db, util::Millis lock_wait);
int mariadb_schema_version(Db& db);
// The schema's version; throws StoreFailure unless it is the one this build
// writes: a replica is read as it is, never migrated.
int require_mariadb_schema(Db& db);

}  // namespace notify::store
