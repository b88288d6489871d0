// fanout_rows.hpp - reading and writing rows of the `fanouts` table, for the
// store's own files (Store::insert_batch writes one with its notification; the
// router's FanoutStore moves it along). Inside a store call only: failures
// throw StoreFailure.
#pragma once

#include <optional>
#include <string>

#include "store/db.hpp"
#include "store/fanout.hpp"

namespace notify::store {

class Stmt;

void insert_fanout(Db& db, const Fanout& f);
std::optional<Fanout> find_fanout(Db& db, const std::string& notification_id);
// The columns of a fanout row, in the order read_fanout expects.
extern const char* const kFanoutColumns;
Fanout read_fanout(const Stmt& s);

// A value in the `settings` table, or "" when unset.
std::string read_setting(Db& db, const std::string& key);
void write_setting(Db& db, const std::string& key, const std::string& value);

}  // namespace notify::store
