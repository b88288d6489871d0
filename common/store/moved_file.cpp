// moved_file.cpp - the commit hook behind refuse_commits_when_moved().
#include "store/moved_file.hpp"

#include <sqlite3.h>

namespace notify::store {

namespace {

// A non-zero answer turns the COMMIT into a rollback (SQLITE_CONSTRAINT_COMMITHOOK).
int refuse_if_moved(void* db) {
    return file_moved(static_cast<sqlite3*>(db)) ? 1 : 0;
}

}  // namespace

void refuse_commits_when_moved(sqlite3* db) {
    sqlite3_commit_hook(db, refuse_if_moved, db);
}

bool file_moved(sqlite3* db) {
    int moved = 0;
    // An in-memory store has no file: the call answers SQLITE_NOTFOUND and `moved` stays 0.
    sqlite3_file_control(db, "main", SQLITE_FCNTL_HAS_MOVED, &moved);
    return moved != 0;
}

}  // namespace notify::store
