// schema.hpp - versioned migrations of the store's schema.
#pragma once

struct sqlite3;

namespace notify::store {

// Brings the schema to the newest version; each step runs in its own transaction.
void migrate(sqlite3* db);
int current_schema_version(sqlite3* db);

}  // namespace notify::store
