// gathered_log.hpp - write-ahead log writes handed to the file system in one
// piece per commit instead of one per page.
//
// SQLite writes a commit's frames to the log with two pwrite() calls each (the
// frame's header, then its page), then syncs the log, and only then publishes
// the commit in the log's index, where other connections see it. A commit of
// 25 pages is 50 system calls before its fsync. The VFS named here wraps the
// default one and, for write-ahead logs alone, keeps writes that continue one
// another in memory (up to 1 MiB) and hands them on together (in pieces of at
// most 120 KiB, so a commit of up to 29 pages of 4 KiB is one call) before
// anything else touches the file: a sync, a read, a truncation, a size, a file
// control, a write elsewhere, the close, or the end of the write transaction
// (below).
// Every other file is passed through.
//
// What is gathered must be in the file before any other connection could look
// for it. Two moments let one: a commit published in the log's index, and the
// write lock let go. Under synchronous = FULL every commit syncs its log before
// it is published, and the sync hands everything on; a write transaction that
// ends otherwise (a rollback after its pages spilled) lets its lock go through
// the database file's xShmLock, which hands on its log's frames first, so that
// they never land later on top of the next writer's. (In exclusive locking mode
// there is no other writer: this connection's own next frames are handed on
// after them, in order, and leaving the mode, the database file's xUnlock,
// hands them on.) Store::open uses the VFS only for FULL (under NORMAL a commit
// is published without any call on the log between its last frame and the
// index), and a log is gathered only when its database file has powersafe
// overwrite (without it SQLite writes part of a commit's padding after the
// sync).
//
// Handing on can fail (a full disk) after SQLite was told the writes were
// done. A commit's sync then reports the write's own error and the commit
// fails; anything else that hands on reports an I/O error, for which SQLite
// rolls back the whole transaction (a full disk there would roll back only the
// statement, and a later commit would publish frames that are not in the
// file). Either way nothing more is written or synced to that log until its
// write transaction has ended; in exclusive locking mode, which Store::open
// never sets, until the connection leaves that mode or closes.
#pragma once

namespace notify::store {

// Registers the VFS once per process (not as the default) and returns its name,
// for sqlite3_open_v2.
const char* gathered_log_vfs();

}  // namespace notify::store
