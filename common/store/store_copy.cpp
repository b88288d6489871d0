#include "store/store_copy.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <map>

namespace notify::store {

namespace {

// The store's bookkeeping on MariaDB (schema_mariadb.hpp), not its data.
bool bookkeeping(const std::string& table) {
    // cluster_members, router_partitions and router_claimants: the processes
    // running on the source and who delivers there, not data to carry.
    return table == "notify_writer" || table == "notify_schema" || table == "cluster_members" ||
           table == "router_partitions" || table == "router_claimants";
}

std::vector<std::string> table_names(Db& db) {
    Stmt names(db, db.dialect() == Dialect::sqlite
                       ? "SELECT name FROM sqlite_master WHERE type = 'table' "
                         "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                       : "SELECT table_name FROM information_schema.tables "
                         "WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE'");
    std::vector<std::string> out;
    for (auto& n : names.collect([](Stmt& s) { return s.text(0); }))
        if (!bookkeeping(n)) out.push_back(std::move(n));
    std::sort(out.begin(), out.end());  // byte order, whatever the server's collation
    return out;
}

bool integer_type(Dialect d, std::string type) {
    std::transform(type.begin(), type.end(), type.begin(), ::tolower);
    if (d == Dialect::sqlite) return type.find("int") != std::string::npos;  // its affinity rule
    return type == "tinyint" || type == "smallint" || type == "mediumint" || type == "int" ||
           type == "bigint";
}

std::string quoted(const std::string& name) {
    return "`" + name + "`";
}

std::string column_list(const TableShape& t) {
    std::string out;
    for (const auto& c : t.columns) out += (out.empty() ? "" : ", ") + quoted(c);
    return out;
}

// Why the two shapes cannot be copied one into the other, or "".
std::string mismatch(const std::vector<TableShape>& from, const std::vector<TableShape>& to) {
    auto names = [](const std::vector<TableShape>& ts) {
        std::vector<std::string> out;
        for (const auto& t : ts) out.push_back(t.name);
        return out;
    };
    const std::vector<std::string> theirs = names(to);
    if (names(from) != theirs) {
        for (const auto& t : from)
            if (std::find(theirs.begin(), theirs.end(), t.name) == theirs.end())
                return "table '" + t.name + "' is missing from the destination";
        return "the destination has tables the source does not";
    }
    for (std::size_t i = 0; i < from.size(); ++i) {
        auto a = from[i].columns, b = to[i].columns;
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        if (a != b) return "table '" + from[i].name + "' has other columns in the destination";
    }
    return "";
}

std::int64_t row_count(Db& db, const std::string& table) {
    Stmt count(db, "SELECT count(*) FROM " + quoted(table));
    return count.first([](Stmt& s) { return s.integer(0); }).value_or(0);
}

// How each of the source's columns is written: as a number when either side
// holds numbers there, as a BLOB where the destination keeps one (SQLite keeps
// bytes and text apart; MariaDB's columns are bytes either way), else as text.
enum class Written { number, blob, text };
std::vector<Written> written(Db& to, const TableShape& t, const TableShape& theirs) {
    std::vector<Written> out(t.columns.size(), Written::text);
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
        const auto at = std::find(theirs.columns.begin(), theirs.columns.end(), t.columns[i]);
        const std::size_t j = static_cast<std::size_t>(at - theirs.columns.begin());
        if (t.integer[i] || theirs.integer[j])
            out[i] = Written::number;
        else if (to.dialect() == Dialect::sqlite && theirs.blob[j])
            out[i] = Written::blob;
    }
    return out;
}

// MySQL 8 answers information_schema from statistics up to a day old unless
// told otherwise; MariaDB, which has no such setting, reads the tables.
void ask_for_fresh_statistics(Db& db) {
    try {
        db.exec("SET SESSION information_schema_stats_expiry = 0");
    } catch (const StoreFailure&) {
    }
}

// The last number each table's counter gave, where it keeps one: SQLite's
// AUTOINCREMENT (never reused, also once the rows are deleted) and MariaDB's
// AUTO_INCREMENT.
std::map<std::string, std::int64_t> counters(Db& db) {
    if (db.dialect() == Dialect::mariadb) ask_for_fresh_statistics(db);
    Stmt read(db, db.dialect() == Dialect::sqlite
                      ? "SELECT name, seq FROM sqlite_sequence"
                      : "SELECT table_name, AUTO_INCREMENT - 1 FROM information_schema.tables "
                        "WHERE table_schema = DATABASE() AND AUTO_INCREMENT IS NOT NULL");
    std::map<std::string, std::int64_t> out;
    for (auto& [table, last] :
         read.collect([](Stmt& s) { return std::make_pair(s.text(0), s.integer(1)); }))
        out[table] = last;
    return out;
}

// The destination's counters go on after the source's, not only after the
// largest number copied: an inbox stream's Last-Event-ID stays behind every
// new event even when the events it had seen were pruned. On SQLite within the
// copy's transaction; on MariaDB after it (ALTER TABLE commits on its own).
void carry_counters(Db& to, const std::map<std::string, std::int64_t>& source) {
    if (to.dialect() == Dialect::mariadb) {
        const auto theirs = counters(to);
        for (const auto& [table, last] : source)
            if (!bookkeeping(table) && theirs.count(table) && theirs.at(table) < last)
                to.exec(("ALTER TABLE " + quoted(table) +
                         " AUTO_INCREMENT = " + std::to_string(last + 1))
                            .c_str());
        return;
    }
    for (const auto& [table, last] : source) {
        Stmt autoincrement(to,
                           "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1 "
                           "AND sql LIKE '%AUTOINCREMENT%'");
        if (!autoincrement.bind(1, table).exists()) continue;
        Stmt raise(to, "UPDATE sqlite_sequence SET seq = ?2 WHERE name = ?1 AND seq < ?2");
        raise.bind(1, table).bind(2, last).run();
        Stmt add(to,
                 "INSERT INTO sqlite_sequence (name, seq) SELECT ?1, ?2 "
                 "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ?1)");
        add.bind(1, table).bind(2, last).run();
    }
}

std::int64_t copy_table(Db& from, Db& to, const TableShape& t, const TableShape& theirs) {
    Stmt read(from, "SELECT " + column_list(t) + " FROM " + quoted(t.name));
    std::string places;
    for (std::size_t i = 1; i <= t.columns.size(); ++i)
        places += (i == 1 ? "?" : ", ?") + std::to_string(i);
    Stmt write(
        to, "INSERT INTO " + quoted(t.name) + " (" + column_list(t) + ") VALUES (" + places + ")");
    const std::vector<Written> how = written(to, t, theirs);
    std::int64_t rows = 0;
    while (read.step()) {
        for (std::size_t i = 0; i < t.columns.size(); ++i) {
            const int col = static_cast<int>(i), param = col + 1;
            if (read.is_null(col))
                write.bind_null(param);
            else if (how[i] == Written::number)
                write.bind(param, read.integer(col));
            else if (how[i] == Written::blob)
                write.bind_blob(param, read.blob(col));
            else
                write.bind(param, read.view(col));
        }
        write.run();
        ++rows;
    }
    read.reset();
    return rows;
}

}  // namespace

std::vector<TableShape> store_tables(Db& db) {
    std::vector<TableShape> out;
    for (const auto& name : table_names(db)) {
        Stmt columns(db, db.dialect() == Dialect::sqlite
                             ? "SELECT name, type FROM pragma_table_info(?1) ORDER BY cid"
                             : "SELECT column_name, data_type FROM information_schema.columns "
                               "WHERE table_schema = DATABASE() AND table_name = ?1 "
                               "ORDER BY ordinal_position");
        columns.bind(1, name);
        TableShape t{name, {}, {}, {}};
        for (const auto& [column, type] :
             columns.collect([](Stmt& s) { return std::make_pair(s.text(0), s.text(1)); })) {
            t.columns.push_back(column);
            t.integer.push_back(integer_type(db.dialect(), type));
            t.blob.push_back(db.dialect() == Dialect::sqlite && type == "BLOB");
        }
        out.push_back(std::move(t));
    }
    return out;
}

Expected<std::vector<TableCount>> copy_store(Store& from, Store& to) {
    Db& source = from.handle();
    Db& destination = to.handle();
    try {
        const auto shapes = store_tables(source);
        const auto theirs = store_tables(destination);
        if (const std::string why = mismatch(shapes, theirs); !why.empty())
            return make_error(ErrorKind::invalid, "schema_mismatch",
                              "the stores' schemas differ: " + why);
        ReadTransaction snapshot(source);
        if (!source.in_transaction())
            return make_error(ErrorKind::unavailable, "store_unavailable",
                              "cannot read the source store in one snapshot");
        const auto numbered = counters(source);
        Transaction tx(destination);
        for (const auto& t : shapes)
            if (const std::int64_t n = row_count(destination, t.name); n > 0)
                return make_error(ErrorKind::conflict, "store_not_empty",
                                  "the destination store is not empty: table '" + t.name +
                                      "' has " + std::to_string(n) +
                                      " rows; copy into a new, empty store");
        std::vector<TableCount> counts;
        for (std::size_t i = 0; i < shapes.size(); ++i)
            counts.push_back(
                {shapes[i].name, copy_table(source, destination, shapes[i], theirs[i])});
        if (destination.dialect() == Dialect::sqlite) carry_counters(destination, numbered);
        tx.commit();
        if (destination.dialect() != Dialect::sqlite) carry_counters(destination, numbered);
        return counts;
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

}  // namespace notify::store
