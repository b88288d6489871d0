// early_receipts.cpp - receipts waiting for their send, in the store; see
// early_receipts.hpp.
#include "store/early_receipts.hpp"

namespace notify::store {

EarlyReceipts::EarlyReceipts(Db& db)
    : db_(db),
      put_(db, "REPLACE INTO early_receipts (kind, `key`, note, until) VALUES (?, ?, ?, ?)"),
      remove_(db, "DELETE FROM early_receipts WHERE kind = ? AND `key` = ?") {}

void EarlyReceipts::put(const EarlyReceipt& r) {
    put_.bind(1, r.kind).bind(2, r.key).bind(3, r.note).bind(4, r.until).run();
}

void EarlyReceipts::remove(const std::string& kind, const std::string& key) {
    remove_.bind(1, kind).bind(2, key).run();
}

std::vector<EarlyReceipt> EarlyReceipts::load(Millis now) {
    Stmt(db_, "DELETE FROM early_receipts WHERE until <= ?").bind(1, now).run();
    return Stmt(db_, "SELECT kind, `key`, note, until FROM early_receipts ORDER BY until")
        .collect([](const Stmt& r) {
            return EarlyReceipt{r.text(0), r.text(1), r.text(2), r.integer(3)};
        });
}

}  // namespace notify::store
