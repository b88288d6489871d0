// early_receipts.hpp - receipts, opens and clicks that came before the send
// they are of (the router's UnmatchedReceipts), kept in the store while they
// wait: written in the transaction that commits the answer to whoever sent
// them, deleted in the one that applies them, and read back by a router that
// starts, so that one that stopped or died loses none (schema 11).
#pragma once

#include <string>
#include <vector>

#include "model.hpp"
#include "store/db.hpp"

namespace notify::store {

struct EarlyReceipt {
    std::string kind;  // "receipt" or "tracking"
    std::string key;   // what it waits under
    std::string note;  // the receipt, as the router writes it (JSON)
    Millis until = 0;  // forgotten after
};

class EarlyReceipts {
  public:
    explicit EarlyReceipts(Db& db);
    // Under its kind and key, in place of one there.
    void put(const EarlyReceipt& r);
    void remove(const std::string& kind, const std::string& key);
    // Those still waiting at `now`, in the order they came (by `until`); the
    // others are deleted.
    std::vector<EarlyReceipt> load(Millis now);

  private:
    Db& db_;
    Stmt put_, remove_;
};

}  // namespace notify::store
