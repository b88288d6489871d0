// gathered_log.cpp - see gathered_log.hpp.
#include "store/gathered_log.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <mutex>
#include <new>
#include <vector>

namespace notify::store {

namespace {

constexpr std::size_t kMaxGathered = 1 << 20;
// The Unix VFS masks a write's length with 0x1ffff: a length that is a multiple
// of 128 KiB would become 0, which it reports as a full disk. What is gathered
// goes in pieces below that.
constexpr std::size_t kPiece = 120 << 10;

sqlite3_vfs* real_vfs = nullptr;  // the default VFS, which does the work
sqlite3_vfs gathered;             // a copy of it with our own xOpen

// The VFS's file: ours first, the real file's own space right after it.
struct File {
    sqlite3_file base;
    sqlite3_file* real;
    std::vector<char>* pending;  // a log's writes not yet handed on; null: none gathered
    sqlite3_int64 pending_at;    // where they start in the file
    File* log;                   // a database's write-ahead log, while open
    File* database;              // a log's database file
    // Gathered writes were lost (handing them on failed): SQLite was told they
    // were written, so nothing more may be written or synced until the write
    // transaction has ended (its lock let go) and its frames count for nothing.
    bool lost;
};

// wal.c's WAL_WRITE_LOCK: the shared-memory lock slot of the log's one writer.
constexpr int kWriteLockSlot = 0;

File& self(sqlite3_file* f) {
    return *reinterpret_cast<File*>(f);
}

sqlite3_file* real(sqlite3_file* f) {
    return self(f).real;
}

// Hands what is gathered to the file system. What failed is dropped, as a
// failed write leaves the file without it, and the log is marked lost.
int hand_on(sqlite3_file* f) {
    File& file = self(f);
    if (!file.pending || file.pending->empty()) return SQLITE_OK;
    const std::vector<char>& bytes = *file.pending;
    int rc = SQLITE_OK;
    for (std::size_t done = 0; done < bytes.size() && rc == SQLITE_OK; done += kPiece) {
        const std::size_t n = std::min(kPiece, bytes.size() - done);
        rc = file.real->pMethods->xWrite(file.real, bytes.data() + done, static_cast<int>(n),
                                         file.pending_at + static_cast<sqlite3_int64>(done));
    }
    file.pending->clear();
    if (rc != SQLITE_OK) file.lost = true;
    return rc;
}

// Before any use of the log but a commit's sync (a read, a size, a write
// elsewhere, ...): hands on what is gathered.
// A failure is reported as an I/O error whatever its cause (a full disk too),
// for SQLite then rolls back the whole transaction, whose earlier writes are
// what was lost, not just the statement under way.
int hand_on_before_use(sqlite3_file* f) {
    return hand_on(f) == SQLITE_OK ? SQLITE_OK : SQLITE_IOERR_WRITE;
}

// The log's write transaction has ended: what it left gathered goes (frames
// past the end of the log, of a rollback) and a loss no longer matters.
void writing_ended(File& log) {
    hand_on(&log.base);
    log.lost = false;
}

int do_close(sqlite3_file* f) {
    File& file = self(f);
    int rc = hand_on(f);
    const int closed = file.real->pMethods->xClose(file.real);
    delete file.pending;
    file.pending = nullptr;
    if (file.database) file.database->log = nullptr;
    if (file.log) file.log->database = nullptr;
    return rc != SQLITE_OK ? rc : closed;
}

int do_read(sqlite3_file* f, void* out, int n, sqlite3_int64 at) {
    if (int rc = hand_on_before_use(f); rc != SQLITE_OK) return rc;
    return real(f)->pMethods->xRead(real(f), out, n, at);
}

int do_write(sqlite3_file* f, const void* data, int n, sqlite3_int64 at) {
    File& file = self(f);
    if (!file.pending) return file.real->pMethods->xWrite(file.real, data, n, at);
    if (file.lost) return SQLITE_IOERR_WRITE;
    std::vector<char>& pending = *file.pending;
    const bool follows =
        !pending.empty() && at == file.pending_at + static_cast<sqlite3_int64>(pending.size());
    if (!follows || pending.size() + static_cast<std::size_t>(n) > kMaxGathered) {
        if (int rc = hand_on_before_use(f); rc != SQLITE_OK) return rc;
        if (static_cast<std::size_t>(n) > kPiece)
            return file.real->pMethods->xWrite(file.real, data, n, at);
        file.pending_at = at;
    }
    const char* bytes = static_cast<const char*>(data);
    try {
        if (pending.capacity() < kMaxGathered) pending.reserve(kMaxGathered);
        pending.insert(pending.end(), bytes, bytes + n);
    } catch (const std::bad_alloc&) {
        // No memory to gather in (nothing was added): what is gathered goes, then this.
        if (int rc = hand_on_before_use(f); rc != SQLITE_OK) return rc;
        return file.real->pMethods->xWrite(file.real, data, n, at);
    }
    return SQLITE_OK;
}

int do_truncate(sqlite3_file* f, sqlite3_int64 size) {
    if (int rc = hand_on_before_use(f); rc != SQLITE_OK) return rc;
    return real(f)->pMethods->xTruncate(real(f), size);
}

int do_sync(sqlite3_file* f, int flags) {
    // A commit's sync: its own error (a full disk says so) fails the commit.
    if (self(f).lost) return SQLITE_IOERR_WRITE;
    if (int rc = hand_on(f); rc != SQLITE_OK) return rc;
    return real(f)->pMethods->xSync(real(f), flags);
}

int do_file_size(sqlite3_file* f, sqlite3_int64* size) {
    if (int rc = hand_on_before_use(f); rc != SQLITE_OK) return rc;
    return real(f)->pMethods->xFileSize(real(f), size);
}

int do_lock(sqlite3_file* f, int level) {
    return real(f)->pMethods->xLock(real(f), level);
}

int do_unlock(sqlite3_file* f, int level) {
    // Leaving exclusive locking mode, where the log's write lock was this one.
    if (self(f).log) writing_ended(*self(f).log);
    return real(f)->pMethods->xUnlock(real(f), level);
}

int do_check_reserved(sqlite3_file* f, int* out) {
    return real(f)->pMethods->xCheckReservedLock(real(f), out);
}

int do_file_control(sqlite3_file* f, int op, void* arg) {
    if (int rc = hand_on_before_use(f); rc != SQLITE_OK) return rc;
    return real(f)->pMethods->xFileControl(real(f), op, arg);
}

int do_sector_size(sqlite3_file* f) {
    return real(f)->pMethods->xSectorSize(real(f));
}

int do_device_characteristics(sqlite3_file* f) {
    return real(f)->pMethods->xDeviceCharacteristics(real(f));
}

int do_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
    return real(f)->pMethods->xShmMap(real(f), region, size, extend, out);
}

int do_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
    // A write transaction that ends without a commit (a rollback after its pages
    // spilled) leaves its frames gathered, past the end of the log as the index
    // says it. The next writer, in any connection, writes its own frames there:
    // these must be in the file before the lock that lets it is let go, so that
    // nothing of them lands on top of that writer's frames later.
    File* log = self(f).log;
    if ((flags & SQLITE_SHM_UNLOCK) && log) {
        if (offset == kWriteLockSlot)
            writing_ended(*log);
        else
            hand_on(&log->base);
    }
    return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}

void do_shm_barrier(sqlite3_file* f) {
    real(f)->pMethods->xShmBarrier(real(f));
}

int do_shm_unmap(sqlite3_file* f, int remove) {
    return real(f)->pMethods->xShmUnmap(real(f), remove);
}

int do_fetch(sqlite3_file* f, sqlite3_int64 at, int n, void** out) {
    if (int rc = hand_on_before_use(f); rc != SQLITE_OK) return rc;
    return real(f)->pMethods->xFetch(real(f), at, n, out);
}

int do_unfetch(sqlite3_file* f, sqlite3_int64 at, void* p) {
    return real(f)->pMethods->xUnfetch(real(f), at, p);
}

const sqlite3_io_methods kMethods = {
    3,
    do_close,
    do_read,
    do_write,
    do_truncate,
    do_sync,
    do_file_size,
    do_lock,
    do_unlock,
    do_check_reserved,
    do_file_control,
    do_sector_size,
    do_device_characteristics,
    do_shm_map,
    do_shm_lock,
    do_shm_barrier,
    do_shm_unmap,
    do_fetch,
    do_unfetch,
};

int do_open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
    File& file = self(f);
    file.base.pMethods = nullptr;
    file.real = reinterpret_cast<sqlite3_file*>(&file + 1);
    file.pending = nullptr;
    file.pending_at = 0;
    file.log = nullptr;
    file.database = nullptr;
    file.lost = false;
    const int rc = real_vfs->xOpen(real_vfs, name, file.real, flags, out_flags);
    if (rc != SQLITE_OK) return rc;
    // The real file's methods decide what we may forward: version 3 (shared
    // memory and memory maps) is what the Unix VFS has.
    if (!file.real->pMethods || file.real->pMethods->iVersion < 3) {
        if (file.real->pMethods) file.real->pMethods->xClose(file.real);
        return SQLITE_CANTOPEN;
    }
    file.base.pMethods = &kMethods;
    if (!(flags & SQLITE_OPEN_WAL)) return SQLITE_OK;
    // A log is gathered when its database file is ours (to be told when its
    // lock is let go) and says that writing a sector leaves the others as they
    // were: without that, SQLite pads a commit's last frame to the sector,
    // writing part of the padding after the sync, and the commit is published
    // with that part unsynced (which would then still be in memory here).
    sqlite3_file* database = sqlite3_database_file_object(name);
    if (!database || database->pMethods != &kMethods) return SQLITE_OK;
    if (!(do_device_characteristics(database) & SQLITE_IOCAP_POWERSAFE_OVERWRITE)) return SQLITE_OK;
    file.pending = new (std::nothrow) std::vector<char>();
    if (!file.pending) return SQLITE_OK;  // written as it comes
    file.database = &self(database);
    self(database).log = &file;
    return SQLITE_OK;
}

}  // namespace

const char* gathered_log_vfs() {
    static std::once_flag once;
    std::call_once(once, [] {
        real_vfs = sqlite3_vfs_find(nullptr);
        gathered = *real_vfs;
        gathered.zName = "notify-gathered-log";
        gathered.pNext = nullptr;
        gathered.szOsFile = static_cast<int>(sizeof(File)) + real_vfs->szOsFile;
        gathered.xOpen = do_open;
        sqlite3_vfs_register(&gathered, 0);
    });
    return gathered.zName;
}

}  // namespace notify::store
