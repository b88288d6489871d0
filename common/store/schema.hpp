// schema.hpp - versioned migrations of the store's schema.
#pragma once

struct sqlite3;

namespace notify::store {

// Brings the schema to the newest version (or to `up_to`, for tests of old
// stores); each step runs in its own transaction.
void migrate(sqlite3* db, int up_to = -1);
int current_schema_version(sqlite3* db);

}  // namespace notify::store
