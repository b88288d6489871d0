// store_copy.hpp - every row of one store written into another, empty one, of
// either backend: how an installation moves from its SQLite file to a MySQL or
// MariaDB server, or back (`notifyctl store copy`).
//
// Both stores are at the newest schema (Store::open migrates them); their
// tables and columns must match, name for name. The copy reads one snapshot of
// the source and writes the destination in one transaction, so a failure
// leaves it empty. Row numbers (seq, id) are kept, and the destination's
// counters go on after the source's (after numbers already pruned too). The
// daemons should be stopped meanwhile:
// what they commit to the source after the snapshot is not copied.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/store.hpp"
#include "util/error.hpp"

namespace notify::store {

struct TableCount {
    std::string table;
    std::int64_t rows = 0;
};

// The rows copied, table by table in the order of their names; a conflict
// (the destination holds rows, the schemas differ) is refused before anything
// is written.
Expected<std::vector<TableCount>> copy_store(Store& from, Store& to);

// Every table of the store's schema with its columns, in the order of the
// tables' names: what copy_store compares and copies.
struct TableShape {
    std::string name;
    std::vector<std::string> columns;
    std::vector<bool> integer;  // by column: an integer type
    std::vector<bool> blob;     // by column: a BLOB on SQLite (bytes, never text)
};
std::vector<TableShape> store_tables(Db& db);

}  // namespace notify::store
