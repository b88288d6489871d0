// multi_row.hpp - many rows of one table to a statement. Every statement on a
// database across the network is a round trip, so a batch of rows goes in as
// few as its size allows: up to kMaxRows rows to a statement (and kMaxBytes of
// values, unless a row alone is larger), any number up to kMaxRows in at most
// two, each size prepared once, when first used: 1 to 8 rows, and multiples of
// 8 (15 statements at most). An INSERT takes its rows as VALUES; an
// UPDATE by key sets each column to a CASE on the key; a SELECT by key reads
// the rows of many keys at once. Inside a store call only: failures throw
// StoreFailure.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/db.hpp"

namespace notify::store {

class MultiRow {
  public:
    static constexpr std::size_t kMaxRows = 64;
    // Under the smallest max_allowed_packet of the servers (MySQL 5.7's 4 MiB)
    // with a row of the largest notification beside it.
    static constexpr std::size_t kMaxBytes = std::size_t{1} << 20;

    // Rows inserted: `head` is "INSERT INTO t (a, b, c)" (or REPLACE), `row`
    // the values of one row, "(?,?,0)": each `?` is a value that the caller binds.
    static MultiRow insert(Db& db, std::string head, std::string row);
    // Rows updated by `key`: each of `columns` is a column and the expression of
    // its new value, where `$` is the value the caller binds ("$" for the value
    // itself, "CASE WHEN $ = '' THEN c ELSE $ END"). The keys of one call must
    // be distinct.
    static MultiRow update(Db& db, std::string table, std::string key,
                           std::vector<std::pair<std::string, std::string>> columns);

    // The rows `head` ("SELECT ... FROM t JOIN ...") selects whose `key` is one
    // of the keys given.
    static MultiRow select(Db& db, std::string head, std::string key);

    // Binds row `i`'s values to the parameters `first`, `first` + 1, ... (an
    // update's key first, then its columns' values in order).
    using BindRow = std::function<void(Stmt&, int first, std::size_t i)>;
    // About how many bytes row `i`'s values hold.
    using RowBytes = std::function<std::size_t(std::size_t i)>;

    // The number row `i` got, for an insert into a table that numbers its rows
    // (an AUTOINCREMENT key); meaningless else.
    using Numbered = std::function<void(std::size_t i, std::int64_t number)>;

    // Writes rows 0 .. n-1 in order, and tells `numbered` (when given) each
    // row's number once its statement ran: at once, or, for an insert on a
    // connection that holds writes (Db::hold_writes), when the statement is
    // sent, with the commit at the latest (a row whose statement never ran,
    // the transaction failing, gets none); what it refers to must live until then.
    void run(std::size_t n, const BindRow& bind, const RowBytes& bytes = {},
             const Numbered& numbered = {});
    // A select's rows for keys 0 .. n-1 (`bind` binds key i), each through `read_row`.
    void read(std::size_t n, const BindRow& bind, const std::function<void(Stmt&)>& read_row);

  private:
    // `sql(rows)`: the statement for `rows` rows, row r's parameters numbered
    // from 1 + r * params.
    MultiRow(Db& db, std::function<std::string(std::size_t rows)> sql, int params,
             bool holdable = false);
    Stmt& statement(std::size_t rows);  // rows: 1 to 8, or a multiple of 8 up to kMaxRows
    // Rows 0 .. n-1 bound to statements in turn; `done_statement(stmt, first,
    // rows)` runs each.
    void each_statement(std::size_t n, const BindRow& bind, const RowBytes& bytes,
                        const std::function<void(Stmt&, std::size_t, std::size_t)>& done_statement);

    Db* db_;
    std::function<std::string(std::size_t)> sql_;
    int params_;     // per row
    bool holdable_;  // an insert, which may go with the commit (Db::hold_writes)
    std::array<std::optional<Stmt>, 15> by_rows_;  // 1 .. 8, 16, 24, ... kMaxRows rows
};

}  // namespace notify::store
