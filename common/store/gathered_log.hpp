// gathered_log.hpp - write-ahead log writes handed to the file system in one
// piece per commit instead of one per page.
//
// SQLite writes a commit's frames to the log with two pwrite() calls each (the
// frame's header, then its page), then syncs the log, and only then publishes
// the commit in the log's index, where other connections see it. A commit of
// 25 pages is 50 system calls before its fsync. The VFS named here wraps the
// default one and, for write-ahead logs alone, keeps writes that continue one
// another in memory (up to 1 MiB, handed on in pieces of 120 KiB) and writes them in one call
// before anything else touches the file: a sync, a read, a truncation, a size, a file control, a
// write elsewhere, or the close. Every other file is passed through.
//
// This is safe only where every commit syncs the log (synchronous = FULL):
// there the frames are in the file before the commit is published, as without
// it. Under synchronous = NORMAL a commit is published without a sync, and
// another connection could look for frames still in this one's memory, so
// Store::open uses it only for FULL. A failed write is reported by the sync
// (or whatever wrote it), which fails the commit as the write would have.
#pragma once

namespace notify::store {

// Registers the VFS once per process (not as the default) and returns its name,
// for sqlite3_open_v2.
const char* gathered_log_vfs();

}  // namespace notify::store
