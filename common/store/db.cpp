#include "store/db.hpp"

#include <sqlite3.h>

namespace notify::store {

Error to_error(const StoreFailure& f) {
    bool busy = f.code == SQLITE_BUSY || f.code == SQLITE_LOCKED || f.code == SQLITE_FULL ||
                f.code == SQLITE_IOERR || f.code == SQLITE_READONLY || f.code == SQLITE_CANTOPEN ||
                f.code == SQLITE_CONSTRAINT_COMMITHOOK;
    return make_error(busy ? ErrorKind::unavailable : ErrorKind::internal, "store_unavailable",
                      "store: " + f.message);
}

ReadTransaction::~ReadTransaction() {
    // A transaction left open would refuse every later one and pin the log.
    if (!open_ || !db_->in_transaction()) return;
    try {
        db_->commit();
    } catch (const StoreFailure&) {
        db_->rollback();
    }
}

}  // namespace notify::store
