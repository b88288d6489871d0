// schema.hpp - versioned migrations of the store's schema.
#pragma once

#include "store/db.hpp"

namespace notify::store {

// Brings the schema to the newest version (or to `up_to`, for tests of old
// stores); each step runs in its own transaction.
void migrate(Db& db, int up_to = -1);
int current_schema_version(Db& db);
// The version the last migration brings a store to.
int newest_schema_version();
// Throws StoreFailure (SQLITE_CANTOPEN: this build cannot use the store) when
// `found` is newer than newest_schema_version(); migrations never go back.
void refuse_newer_schema(int found);

}  // namespace notify::store
