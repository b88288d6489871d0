#include "store/mariadb_db.hpp"

#include <mysql.h>
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/dialect.hpp"

namespace notify::store {

namespace {

bool connection_error(unsigned err) {
    // The client's own errors (2000-2999: gone, lost, out of sync, ...), and a
    // server shutting down or killing the connection.
    return (err >= 2000 && err < 3000) || err == 1053 || err == 1927;
}

// The server's error in the store's vocabulary (SQLite's result codes).
int code_of(unsigned err) {
    switch (err) {
        case 1205:  // lock wait timeout
        case 1213:  // deadlock: the transaction was rolled back
            return SQLITE_BUSY;
        case 1062:  // duplicate entry
        case 1586:
        case 1048:  // a NULL where none may be
        case 1452:  // a foreign key's row is missing
        case 4025:  // a CHECK constraint
        case 1644:  // a trigger's SIGNAL
            return SQLITE_CONSTRAINT;
        case 1406:  // data too long for a column
        case 1153:  // a packet larger than max_allowed_packet
            return SQLITE_TOOBIG;
        case 1366:  // a value the column cannot hold
            return SQLITE_MISMATCH;
        case 1264:  // a number out of the column's range
            return SQLITE_RANGE;
        case 1290:  // --read-only
        case 1836:
            return SQLITE_READONLY;
        case 1021:  // disk full
        case 1114:  // table full
            return SQLITE_FULL;
        case 1040:  // too many connections
        case 1044:  // access denied to the database
        case 1045:  // access denied
        case 1049:  // unknown database
            return SQLITE_CANTOPEN;
        default:
            return connection_error(err) ? SQLITE_IOERR : SQLITE_ERROR;
    }
}

bool numeric(enum_field_types t) {
    return t == MYSQL_TYPE_TINY || t == MYSQL_TYPE_SHORT || t == MYSQL_TYPE_LONG ||
           t == MYSQL_TYPE_LONGLONG || t == MYSQL_TYPE_INT24 || t == MYSQL_TYPE_YEAR;
}

}  // namespace

struct MariaConnection {
    explicit MariaConnection(MariaTarget t) : target(std::move(t)) {}
    ~MariaConnection() {
        if (mysql) mysql_close(mysql);
    }
    MariaConnection(const MariaConnection&) = delete;
    MariaConnection& operator=(const MariaConnection&) = delete;

    MariaTarget target;
    MYSQL* mysql = nullptr;
    bool broken = true;
    std::uint64_t generation = 0;  // grows with every connection made
    bool in_transaction = false;
    bool writing = false;          // the open transaction is a write transaction
    std::string transaction_lost;  // why the open transaction ended on the server
    std::int64_t changes = 0;
    std::int64_t insert_id = 0;

    // Writes held to go with the next statement or the commit (hold_writes).
    struct Held {
        std::string sql;
        std::function<void(std::int64_t)> ran;  // a write's; empty for the transaction's own
    };
    bool holding = false;
    std::vector<Held> held;
    std::size_t held_bytes = 0;
    // Held statements go out together up to this size, half the smallest
    // max_allowed_packet of the servers (MySQL 5.7's 4 MiB), and a statement
    // of MultiRow::kMaxBytes of values as hex fits; a larger one runs alone.
    static constexpr std::size_t kHeldMax = std::size_t{2} << 20;

    std::string where() const {
        return target.socket.empty() ? target.host + ":" + std::to_string(target.port)
                                     : target.socket;
    }

    [[noreturn]] void fail(unsigned err, const char* message) {
        if (connection_error(err)) broken = true;
        // The server rolled the transaction back: what follows must not run
        // without it.
        if (in_transaction && (connection_error(err) || err == 1213))
            transaction_lost =
                err == 1213 ? "a deadlock rolled it back" : "the connection was lost";
        throw StoreFailure{code_of(err), std::string("MariaDB at '") + where() + "': " + message};
    }

    // The connection, made again when it was lost; never in the middle of a
    // transaction that ended on the server, whose statements would otherwise
    // go on outside it.
    MYSQL* live() {
        if (!transaction_lost.empty())
            throw StoreFailure{SQLITE_BUSY, "the transaction on MariaDB at '" + where() +
                                                "' is over (" + transaction_lost +
                                                "); it is rolled back"};
        if (!broken) return mysql;
        if (mysql) mysql_close(mysql);
        mysql = mysql_init(nullptr);
        if (!mysql) throw StoreFailure{SQLITE_NOMEM, "cannot allocate a MariaDB connection"};
        const unsigned connect_s =
            static_cast<unsigned>(std::max<util::Millis>(1, (target.timeout + 999) / 1000));
        const unsigned io_s =
            static_cast<unsigned>(std::max<util::Millis>(1, (target.io_timeout + 999) / 1000));
        mysql_optionsv(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connect_s);
        mysql_optionsv(mysql, MYSQL_OPT_READ_TIMEOUT, &io_s);
        mysql_optionsv(mysql, MYSQL_OPT_WRITE_TIMEOUT, &io_s);
        mysql_optionsv(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
        const bool by_socket = !target.socket.empty();
        // Else the host "localhost" would mean the default socket, whatever the port.
        const unsigned protocol = by_socket ? MYSQL_PROTOCOL_SOCKET : MYSQL_PROTOCOL_TCP;
        mysql_optionsv(mysql, MYSQL_OPT_PROTOCOL, &protocol);
        if (!mysql_real_connect(mysql, by_socket ? "localhost" : target.host.c_str(),
                                target.user.c_str(), target.password.c_str(),
                                target.database.c_str(), by_socket ? 0 : target.port,
                                by_socket ? target.socket.c_str() : nullptr,
                                CLIENT_FOUND_ROWS | CLIENT_MULTI_STATEMENTS)) {
            const unsigned err = mysql_errno(mysql);
            const std::string message = mysql_error(mysql);
            throw StoreFailure{code_of(err) == SQLITE_ERROR ? SQLITE_CANTOPEN : code_of(err),
                               "cannot connect to MariaDB at '" + where() + "' as '" + target.user +
                                   "': " + message};
        }
        const std::string session =
            "SET SESSION sql_mode = "
            "'STRICT_ALL_TABLES,PIPES_AS_CONCAT,NO_ENGINE_SUBSTITUTION,NO_BACKSLASH_ESCAPES', "
            "time_zone = '+00:00', collation_connection = 'utf8mb4_bin', "
            "group_concat_max_len = 1073741824, auto_increment_increment = 1, "
            "auto_increment_offset = 1, "
            "innodb_lock_wait_timeout = " +
            std::to_string(connect_s);
        try {
            run(mysql, session.c_str(), false);
        } catch (const StoreFailure&) {
            // Never used without its session: || would mean OR.
            mysql_close(mysql);
            mysql = nullptr;
            throw;
        }
        broken = false;
        ++generation;
        return mysql;
    }

    // Keeps `sql`, a write, to go with the next statement or the commit;
    // what was kept is sent first if it would grow past kHeldMax.
    void hold(std::string sql, std::function<void(std::int64_t)> ran) {
        if (held_bytes + sql.size() > kHeldMax) send_held();
        held_bytes += sql.size() + 1;
        held.push_back({std::move(sql), std::move(ran)});
    }

    // Sends what is held in one round trip, with `last` (COMMIT) after it when
    // given. Each held write's `ran` learns the number its first row got; the
    // first statement to fail throws, and the server runs none after it.
    void send_held(const char* last = nullptr) {
        if (held.empty() && !last) return;
        std::vector<Held> pieces = std::move(held);
        const std::size_t held_size = held_bytes;
        held.clear();
        held_bytes = 0;
        if (last) pieces.push_back({last, {}});
        std::string text;
        text.reserve(held_size + pieces.size() + 8);
        for (const Held& p : pieces) {
            if (!text.empty()) text += ';';
            text += p.sql;
        }
        MYSQL* m = live();
        if (mysql_real_query(m, text.data(), text.size())) fail(mysql_errno(m), mysql_error(m));
        for (std::size_t k = 0;; ++k) {
            if (MYSQL_RES* r = mysql_store_result(m)) {
                mysql_free_result(r);
            } else if (mysql_field_count(m) != 0) {
                fail(mysql_errno(m), mysql_error(m));
            } else if (k < pieces.size() && pieces[k].ran) {
                changes = static_cast<std::int64_t>(mysql_affected_rows(m));
                const auto id = static_cast<std::int64_t>(mysql_insert_id(m));
                if (id != 0) insert_id = id;  // as a prepared statement's
                pieces[k].ran(id);
            }
            const int next = mysql_next_result(m);
            if (next > 0) fail(mysql_errno(m), mysql_error(m));
            if (next < 0) break;
        }
    }

    // The connection, with what is held sent: before any other statement.
    MYSQL* ready() {
        send_held();
        return live();
    }

    // Runs statements that return no rows (or whose rows nobody reads); those
    // that `count` set what changes() answers.
    void query(const char* sql, bool count = true) { run(ready(), sql, count); }

    void run(MYSQL* m, const char* sql, bool count) {
        if (mysql_real_query(m, sql, std::strlen(sql))) fail(mysql_errno(m), mysql_error(m));
        while (true) {
            if (MYSQL_RES* r = mysql_store_result(m)) {
                mysql_free_result(r);
            } else if (mysql_field_count(m) != 0) {
                fail(mysql_errno(m), mysql_error(m));
            } else if (count) {
                changes = static_cast<std::int64_t>(mysql_affected_rows(m));
            }
            const int next = mysql_next_result(m);
            if (next < 0) break;
            if (next > 0) fail(mysql_errno(m), mysql_error(m));
        }
    }

    // The first column of the first row of `sql`.
    std::int64_t number(const char* sql) {
        MYSQL* m = ready();
        if (mysql_real_query(m, sql, std::strlen(sql))) fail(mysql_errno(m), mysql_error(m));
        MYSQL_RES* r = mysql_store_result(m);
        if (!r) fail(mysql_errno(m), mysql_error(m));
        std::int64_t out = 0;
        if (MYSQL_ROW row = mysql_fetch_row(r); row && row[0]) {
            const char* end = row[0] + std::strlen(row[0]);
            std::from_chars(row[0], end, out);
        }
        mysql_free_result(r);
        return out;
    }
};

PositionalSql positional(std::string_view sql) {
    PositionalSql out;
    out.sql.reserve(sql.size());
    int largest = 0;
    char quote = 0;
    for (std::size_t i = 0; i < sql.size(); ++i) {
        const char c = sql[i];
        if (quote) {
            if (c == quote) quote = 0;  // a doubled quote closes and opens again
            out.sql += c;
            continue;
        }
        if (c == '\'' || c == '"' || c == '`') {
            quote = c;
            out.sql += c;
            continue;
        }
        if (c != '?') {
            out.sql += c;
            continue;
        }
        int n = 0;
        std::size_t j = i + 1;
        while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9' && n < 100000)
            n = n * 10 + (sql[j++] - '0');
        if (j == i + 1) n = largest + 1;
        i = j - 1;
        largest = std::max(largest, n);
        out.parameters.push_back(n);
        out.at.push_back(out.sql.size());
        out.sql += '?';
    }
    return out;
}

namespace {

class MariaStatement final : public StatementImpl {
  public:
    MariaStatement(std::shared_ptr<MariaConnection> c, std::string_view sql)
        : c_(std::move(c)), sql_(positional(sql)) {
        const int count = sql_.parameters.empty()
                              ? 0
                              : *std::max_element(sql_.parameters.begin(), sql_.parameters.end());
        params_.resize(static_cast<std::size_t>(count));
        prepared();
    }
    ~MariaStatement() override {
        if (s_) mysql_stmt_close(s_);
    }
    MariaStatement(const MariaStatement&) = delete;
    MariaStatement& operator=(const MariaStatement&) = delete;

    void bind_text(int i, std::string_view v) override { set(i, Param::text_value, v); }
    void bind_blob(int i, std::string_view bytes) override { set(i, Param::blob_value, bytes); }
    void bind_integer(int i, std::int64_t v) override {
        if (Param* p = param(i)) {
            p->kind = Param::integer_value;
            p->number = v;
        }
    }
    void bind_null(int i) override {
        if (Param* p = param(i)) p->kind = Param::null_value;
    }

    bool hold(std::function<void(std::int64_t)> ran) override {
        if (!c_->holding || !c_->writing || c_->broken || !c_->mysql) return false;
        std::string sql = with_values();
        if (sql.size() > MariaConnection::kHeldMax) return false;
        c_->hold(std::move(sql), std::move(ran));
        return true;
    }

    bool step() override {
        if (!executed_) {
            execute();
            executed_ = true;
        }
        if (columns_ == 0) return false;
        const int rc = mysql_stmt_fetch(s_);
        if (rc == MYSQL_NO_DATA) return false;
        for (auto& f : formatted_) f.reset();
        if (rc == MYSQL_DATA_TRUNCATED) {
            fetch_whole();
            return true;
        }
        if (rc != 0) {
            // As SQLite does: the next step runs the statement again.
            const unsigned err = mysql_stmt_errno(s_);
            const std::string message = mysql_stmt_error(s_);
            end_result();
            c_->fail(err, message.c_str());
        }
        return true;
    }

    void reset() override {
        end_result();
        for (Param& p : params_) p.kind = Param::null_value;
    }

    std::string_view text(int col) const override {
        const auto i = static_cast<std::size_t>(col);
        if (i >= columns_ || nulls_[i]) return {};
        if (numeric_[i]) {
            // Written once a row, so that every view of it stays valid.
            if (!formatted_[i]) formatted_[i] = std::to_string(numbers_[i]);
            return *formatted_[i];
        }
        return std::string_view(buffers_[i].data(),
                                std::min<std::size_t>(lengths_[i], buffers_[i].size()));
    }
    std::string_view blob(int col) const override { return text(col); }
    bool is_null(int col) const override {
        const auto i = static_cast<std::size_t>(col);
        return i >= columns_ || nulls_[i];
    }
    int columns() const override { return static_cast<int>(columns_); }
    std::int64_t integer(int col) const override {
        const auto i = static_cast<std::size_t>(col);
        if (i >= columns_ || nulls_[i]) return 0;
        if (numeric_[i]) return numbers_[i];
        const std::string_view v = text(col);
        std::int64_t out = 0;
        std::from_chars(v.data(), v.data() + v.size(), out);  // a DECIMAL's whole part
        return out;
    }

  private:
    struct Param {
        enum Kind { null_value, text_value, blob_value, integer_value } kind = null_value;
        std::string bytes;
        long long number = 0;
    };

    Param* param(int i) {
        if (i < 1 || static_cast<std::size_t>(i) > params_.size()) return nullptr;
        return &params_[static_cast<std::size_t>(i - 1)];
    }
    void set(int i, Param::Kind kind, std::string_view v) {
        if (Param* p = param(i)) {
            p->kind = kind;
            p->bytes.assign(v.data() ? v.data() : "", v.size());
        }
    }

    // The statement as text, each parameter replaced by its value as a literal.
    std::string with_values() const {
        std::string out;
        std::size_t from = 0;
        for (std::size_t k = 0; k < sql_.at.size(); ++k) {
            out.append(sql_.sql, from, sql_.at[k] - from);
            from = sql_.at[k] + 1;
            const Param& p = params_[static_cast<std::size_t>(sql_.parameters[k] - 1)];
            switch (p.kind) {
                case Param::null_value:
                    out += "NULL";
                    break;
                case Param::integer_value:
                    out += std::to_string(p.number);
                    break;
                case Param::text_value: {
                    // As the session escapes (NO_BACKSLASH_ESCAPES or not).
                    std::string quoted(p.bytes.size() * 2 + 1, '\0');
                    const unsigned long n =
                        mysql_real_escape_string(c_->mysql, quoted.data(), p.bytes.data(),
                                                 static_cast<unsigned long>(p.bytes.size()));
                    out += '\'';
                    out.append(quoted.data(), n);
                    out += '\'';
                    break;
                }
                case Param::blob_value: {
                    static constexpr char kHex[] = "0123456789ABCDEF";
                    out += "X'";
                    for (const unsigned char b : p.bytes) {
                        out += kHex[b >> 4];
                        out += kHex[b & 15];
                    }
                    out += '\'';
                    break;
                }
            }
        }
        out.append(sql_.sql, from, std::string::npos);
        return out;
    }

    void end_result() {
        if (executed_ && columns_ > 0 && s_) mysql_stmt_free_result(s_);
        executed_ = false;
        columns_ = 0;
    }

    // The statement prepared on the connection as it is now.
    MYSQL_STMT* prepared() {
        MYSQL* m = c_->live();
        if (s_ && generation_ == c_->generation) return s_;
        if (s_) mysql_stmt_close(s_);
        s_ = mysql_stmt_init(m);
        if (!s_) c_->fail(mysql_errno(m), mysql_error(m));
        if (mysql_stmt_prepare(s_, sql_.sql.data(), sql_.sql.size())) {
            const unsigned err = mysql_stmt_errno(s_);
            const std::string message = mysql_stmt_error(s_);
            mysql_stmt_close(s_);
            s_ = nullptr;
            c_->fail(err, message.c_str());
        }
        const my_bool update_max_length = 1;
        mysql_stmt_attr_set(s_, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max_length);
        generation_ = c_->generation;
        return s_;
    }

    void execute() {
        c_->send_held();
        MYSQL_STMT* s = prepared();
        std::vector<MYSQL_BIND> in(sql_.parameters.size());
        for (std::size_t k = 0; k < in.size(); ++k) {
            Param& p = params_[static_cast<std::size_t>(sql_.parameters[k] - 1)];
            MYSQL_BIND& b = in[k];
            switch (p.kind) {
                case Param::null_value:
                    b.buffer_type = MYSQL_TYPE_NULL;
                    break;
                case Param::text_value:
                case Param::blob_value:
                    b.buffer_type =
                        p.kind == Param::text_value ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
                    b.buffer = p.bytes.data();
                    b.buffer_length = static_cast<unsigned long>(p.bytes.size());
                    break;
                case Param::integer_value:
                    b.buffer_type = MYSQL_TYPE_LONGLONG;
                    b.buffer = &p.number;
                    break;
            }
        }
        if (!in.empty() && mysql_stmt_bind_param(s, in.data()))
            c_->fail(mysql_stmt_errno(s), mysql_stmt_error(s));
        if (mysql_stmt_execute(s)) c_->fail(mysql_stmt_errno(s), mysql_stmt_error(s));
        const unsigned fields = mysql_stmt_field_count(s);
        if (fields == 0) {
            c_->changes = static_cast<std::int64_t>(mysql_stmt_affected_rows(s));
            if (const auto id = mysql_stmt_insert_id(s); id != 0)
                c_->insert_id = static_cast<std::int64_t>(id);
            return;
        }
        if (mysql_stmt_store_result(s)) c_->fail(mysql_stmt_errno(s), mysql_stmt_error(s));
        bind_columns(s, fields);
        columns_ = fields;
    }

    void bind_columns(MYSQL_STMT* s, unsigned fields) {
        MYSQL_RES* meta = mysql_stmt_result_metadata(s);
        if (!meta) c_->fail(mysql_stmt_errno(s), mysql_stmt_error(s));
        const MYSQL_FIELD* f = mysql_fetch_fields(meta);
        out_.assign(fields, MYSQL_BIND{});
        buffers_.resize(fields);
        numbers_.assign(fields, 0);
        lengths_.assign(fields, 0);
        nulls_.assign(fields, 0);
        numeric_.assign(fields, false);
        formatted_.assign(fields, std::nullopt);
        for (unsigned i = 0; i < fields; ++i) {
            MYSQL_BIND& b = out_[i];
            numeric_[i] = numeric(f[i].type);
            if (numeric_[i]) {
                b.buffer_type = MYSQL_TYPE_LONGLONG;
                b.buffer = &numbers_[i];
            } else {
                buffers_[i].resize(std::max<unsigned long>(f[i].max_length, 1));
                b.buffer_type = MYSQL_TYPE_STRING;
                b.buffer = buffers_[i].data();
                b.buffer_length = static_cast<unsigned long>(buffers_[i].size());
            }
            b.length = &lengths_[i];
            b.is_null = &nulls_[i];
        }
        mysql_free_result(meta);
        if (mysql_stmt_bind_result(s, out_.data()))
            c_->fail(mysql_stmt_errno(s), mysql_stmt_error(s));
    }

    // A row with a column longer than its buffer: that column read again whole.
    void fetch_whole() {
        bool grown = false;
        for (unsigned i = 0; i < columns_; ++i) {
            if (numeric_[i] || nulls_[i] || lengths_[i] <= buffers_[i].size()) continue;
            buffers_[i].resize(lengths_[i]);
            out_[i].buffer = buffers_[i].data();
            out_[i].buffer_length = static_cast<unsigned long>(buffers_[i].size());
            if (mysql_stmt_fetch_column(s_, &out_[i], i, 0))
                c_->fail(mysql_stmt_errno(s_), mysql_stmt_error(s_));
            grown = true;
        }
        if (grown && mysql_stmt_bind_result(s_, out_.data()))
            c_->fail(mysql_stmt_errno(s_), mysql_stmt_error(s_));
    }

    std::shared_ptr<MariaConnection> c_;
    PositionalSql sql_;
    MYSQL_STMT* s_ = nullptr;
    std::uint64_t generation_ = 0;
    std::vector<Param> params_;
    bool executed_ = false;
    unsigned columns_ = 0;
    std::vector<MYSQL_BIND> out_;
    std::vector<std::string> buffers_;
    std::vector<long long> numbers_;
    std::vector<unsigned long> lengths_;
    std::vector<my_bool> nulls_;
    std::vector<bool> numeric_;
    mutable std::vector<std::optional<std::string>> formatted_;  // numbers as text
};

}  // namespace

MariaDb::MariaDb(const MariaTarget& target) : c_(std::make_shared<MariaConnection>(target)) {
    c_->live();
}

MariaDb::~MariaDb() {
    rollback();
}

std::unique_ptr<StatementImpl> MariaDb::prepare(std::string_view sql) {
    return std::make_unique<MariaStatement>(c_, sql);
}

void MariaDb::exec(const char* sql) {
    c_->query(sql);
}

void MariaDb::begin_write() {
    // START TRANSACTION would commit the open one (SQLite refuses a nested BEGIN).
    if (c_->in_transaction) throw StoreFailure{SQLITE_ERROR, "a transaction is open already"};
    // One round trip, or none yet while writes are held; rolled back if either
    // part fails.
    static constexpr const char* kBegin[] = {
        "START TRANSACTION", "UPDATE notify_writer SET version = version + 1 WHERE id = 1"};
    c_->in_transaction = true;
    c_->writing = true;
    if (c_->holding) {
        for (const char* sql : kBegin) c_->hold(sql, {});
        return;
    }
    try {
        c_->query((std::string(kBegin[0]) + ";" + kBegin[1]).c_str(), false);
    } catch (const StoreFailure&) {
        rollback();
        throw;
    }
}

bool MariaDb::begin_read() noexcept {
    if (c_->in_transaction) return false;
    try {
        c_->query("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", false);
        c_->in_transaction = true;
        return true;
    } catch (const StoreFailure&) {
        return false;
    }
}

void MariaDb::commit() {
    try {
        c_->send_held("COMMIT");
    } catch (const StoreFailure&) {
        rollback();
        throw;
    }
    c_->in_transaction = false;
    c_->writing = false;
}

void MariaDb::rollback() noexcept {
    // Held writes never reach the server.
    c_->held.clear();
    c_->held_bytes = 0;
    const bool open = c_->in_transaction && !c_->broken;
    c_->in_transaction = false;
    c_->writing = false;
    c_->transaction_lost.clear();
    if (!open) return;
    try {
        c_->query("ROLLBACK", false);
    } catch (const StoreFailure&) {
        // The connection is lost, and the server rolls the transaction back.
    }
}

bool MariaDb::hold_writes(bool on) {
    return std::exchange(c_->holding, on);
}

bool MariaDb::in_transaction() const {
    return c_->in_transaction;
}

std::int64_t MariaDb::changes() const {
    return c_->changes;
}

std::int64_t MariaDb::last_insert_id() const {
    return c_->insert_id;
}

std::int64_t MariaDb::first_insert_id(std::int64_t) const {
    // The server gives the first row's number; the session counts in steps of 1.
    return c_->insert_id;
}

std::optional<std::int64_t> MariaDb::replication_lag() {
    MYSQL* m = c_->ready();
    // MariaDB 10.5 and MySQL 8.0.22 know REPLICA; older servers only SLAVE.
    const char* kAsked[] = {"SHOW REPLICA STATUS", "SHOW SLAVE STATUS"};
    MYSQL_RES* r = nullptr;
    for (const char* sql : kAsked) {
        if (mysql_real_query(m, sql, std::strlen(sql)) == 0) {
            r = mysql_store_result(m);
            if (r) break;
        }
        if (mysql_errno(m) != 1064) c_->fail(mysql_errno(m), mysql_error(m));  // not a syntax error
    }
    if (!r) c_->fail(mysql_errno(m), mysql_error(m));
    std::optional<std::int64_t> lag;
    const unsigned fields = mysql_num_fields(r);
    const MYSQL_FIELD* field = mysql_fetch_fields(r);
    // The default connection's row (MySQL: a row per channel, the furthest behind counts).
    while (MYSQL_ROW row = mysql_fetch_row(r)) {
        for (unsigned i = 0; i < fields; ++i) {
            const std::string_view name(field[i].name, field[i].name_length);
            if (name != "Seconds_Behind_Master" && name != "Seconds_Behind_Source") continue;
            if (!row[i]) {
                mysql_free_result(r);
                return std::nullopt;  // stopped, or not connected to its source
            }
            std::int64_t seconds = 0;
            std::from_chars(row[i], row[i] + std::strlen(row[i]), seconds);
            lag = std::max(lag.value_or(0), seconds);
        }
    }
    mysql_free_result(r);
    return lag;  // none: no replication is set up
}

std::int64_t MariaDb::writes_begun() {
    return c_->number(commits_seen(Dialect::mariadb));
}

}  // namespace notify::store
