// moved_file.hpp - no commit to a store file that is no longer the one at its path.
//
// A connection keeps writing to the file it opened even after that file was
// deleted or replaced (rm, mv, a restore from backup): SQLite commits to the
// orphaned inode and everything written is lost when the daemon restarts. So
// every commit first asks SQLite whether the file still is the one at its path
// (SQLITE_FCNTL_HAS_MOVED: stat of the path against the open file's inode, two
// system calls per commit, nothing beside the fsync a commit costs) and is
// rolled back when it is not. The daemons do not reopen the new file on their
// own: the other daemons still hold the old one, so only a restart of all of
// them puts them on the same file again.
#pragma once

struct sqlite3;

namespace notify::store {

// Installs the commit hook that refuses commits once the file has moved.
void refuse_commits_when_moved(sqlite3* db);
// Whether the main database file of `db` was deleted or replaced since it was opened.
bool file_moved(sqlite3* db);

}  // namespace notify::store
