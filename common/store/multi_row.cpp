// multi_row.cpp - many rows to a statement. See multi_row.hpp.
#include "store/multi_row.hpp"

#include <algorithm>

namespace notify::store {

namespace {

constexpr std::size_t kStep = 8;
static_assert(MultiRow::kMaxRows % kStep == 0 && MultiRow::kMaxRows / kStep + kStep - 1 == 15,
              "a statement for 1 .. 8 rows and each multiple of 8");

}  // namespace

MultiRow::MultiRow(Db& db, std::function<std::string(std::size_t)> sql, int params, bool holdable)
    : db_(&db), sql_(std::move(sql)), params_(params), holdable_(holdable) {}

MultiRow MultiRow::insert(Db& db, std::string head, std::string row) {
    const int params = static_cast<int>(std::count(row.begin(), row.end(), '?'));
    // A plain `?` is numbered one past the largest before it: row r's from 1 + r * params.
    return MultiRow(
        db,
        [head = std::move(head), row = std::move(row)](std::size_t rows) {
            std::string sql = head + " VALUES ";
            for (std::size_t r = 0; r < rows; ++r) sql += (r ? "," : "") + row;
            return sql;
        },
        params, true);
}

MultiRow MultiRow::update(Db& db, std::string table, std::string key,
                          std::vector<std::pair<std::string, std::string>> columns) {
    const int params = 1 + static_cast<int>(columns.size());
    return MultiRow(
        db,
        [table = std::move(table), key = std::move(key), columns = std::move(columns),
         params](std::size_t rows) {
            auto param = [&](std::size_t r, std::size_t i) {
                return "?" + std::to_string(1 + r * static_cast<std::size_t>(params) + i);
            };
            std::string sql = "UPDATE " + table + " SET ";
            for (std::size_t c = 0; c < columns.size(); ++c) {
                sql += (c ? ", " : "") + columns[c].first + " = CASE " + key;
                for (std::size_t r = 0; r < rows; ++r) {
                    std::string value = columns[c].second;
                    const std::string p = param(r, 1 + c);
                    for (auto at = value.find('$'); at != std::string::npos;
                         at = value.find('$', at + p.size()))
                        value.replace(at, 1, p);
                    sql += " WHEN " + param(r, 0) + " THEN " + value;
                }
                sql += " END";
            }
            sql += " WHERE " + key + " IN (";
            for (std::size_t r = 0; r < rows; ++r) sql += (r ? "," : "") + param(r, 0);
            return sql + ")";
        },
        params);
}

MultiRow MultiRow::select(Db& db, std::string head, std::string key) {
    return MultiRow(
        db,
        [head = std::move(head), key = std::move(key)](std::size_t rows) {
            std::string sql = head + " WHERE " + key + " IN (";
            for (std::size_t r = 0; r < rows; ++r) sql += r ? ",?" : "?";
            return sql + ")";
        },
        1);
}

Stmt& MultiRow::statement(std::size_t rows) {
    std::optional<Stmt>& s = by_rows_[rows <= kStep ? rows - 1 : kStep + rows / kStep - 2];
    if (!s) s.emplace(*db_, sql_(rows));
    return *s;
}

void MultiRow::run(std::size_t n, const BindRow& bind, const RowBytes& bytes,
                   const Numbered& numbered) {
    each_statement(n, bind, bytes, [&](Stmt& s, std::size_t first_row, std::size_t rows) {
        auto ran = [numbered, first_row, rows](std::int64_t first) {
            if (!numbered) return;
            for (std::size_t r = 0; r < rows; ++r)
                numbered(first_row + r, first + static_cast<std::int64_t>(r));
        };
        if (holdable_ && s.hold(ran)) return;
        s.run();
        ran(db_->first_insert_id(static_cast<std::int64_t>(rows)));
    });
}

void MultiRow::read(std::size_t n, const BindRow& bind,
                    const std::function<void(Stmt&)>& read_row) {
    each_statement(n, bind, {}, [&](Stmt& s, std::size_t, std::size_t) {
        struct Resetting {
            Stmt& stmt;
            ~Resetting() { stmt.reset(); }
        } resetting{s};
        while (s.step()) read_row(s);
    });
}

void MultiRow::each_statement(
    std::size_t n, const BindRow& bind, const RowBytes& bytes,
    const std::function<void(Stmt&, std::size_t, std::size_t)>& done_statement) {
    std::size_t done = 0;
    while (done < n) {
        // As many rows as fit in a statement, then a size there is a statement for.
        std::size_t rows = 0;
        std::size_t size = 0;
        while (done + rows < n && rows < kMaxRows) {
            const std::size_t b = bytes ? bytes(done + rows) : 0;
            if (rows > 0 && size + b > kMaxBytes) break;
            size += b;
            ++rows;
        }
        if (rows > kStep) rows -= rows % kStep;
        Stmt& s = statement(rows);
        for (std::size_t r = 0; r < rows; ++r) bind(s, 1 + static_cast<int>(r) * params_, done + r);
        done_statement(s, done, rows);
        done += rows;
    }
}

}  // namespace notify::store
