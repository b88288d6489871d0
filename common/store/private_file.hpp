// private_file.hpp - the store's files are its owner's alone.
//
// The store holds message bodies, the user directory, API key hashes and the
// unsubscribe signing secret, so its file is created 0600 before SQLite opens
// it; SQLite gives the -wal and -shm files it makes the database file's mode.
// A file made by an older version with bits for others loses them (its group
// keeps what it had, so `chmod 0640` with a shared group stays possible).
#pragma once

#include <string>

namespace notify::store {

// Creates `path` 0600 when it is missing and `create` is set; then takes away
// the "others" bits of the file, its -wal and its -shm where they are set.
// Failures are left to sqlite3_open_v2, which reports them with the path.
void make_private(const std::string& path, bool create);

}  // namespace notify::store
