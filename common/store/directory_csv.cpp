// directory_csv.cpp - users as CSV (RFC 4180, with a header row), the file
// format of `notifyctl user import|export` and POST /v1/users/import beside
// JSON Lines: the header's columns, a row read into a checked user, and users
// written with every identity channel and attribute key any of them uses.
// See directory_records.hpp for the format.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>
#include <set>

#include "store/csv.hpp"
#include "store/directory_formats.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"

namespace notify::store {

using nlohmann::json;

namespace {

const std::vector<std::string> kColumns = {"id",       "name",        "email",  "phone", "locale",
                                           "timezone", "quiet_hours", "module", "groups"};
const std::string kIdentityPrefix = "identity.";
const std::string kAttrPrefix = "attr.";

Error invalid(const std::string& code, const std::string& message, const std::string& field) {
    return make_error(ErrorKind::invalid, code, message, field);
}

// Where each CSV column goes.
struct Column {
    enum Kind { base, identity, attr } kind = base;
    std::string name;  // base column name, identity channel or attribute key
};

Expected<std::vector<Column>> read_header(const CsvRow& header) {
    std::vector<Column> out;
    std::set<std::string> seen;
    std::vector<std::string> unknown;
    for (const auto& raw : header.fields) {
        std::string name = util::trim(raw);
        if (!seen.insert(name).second)
            return invalid(
                "invalid_header",
                "line " + std::to_string(header.line) + ": column '" + name + "' appears twice",
                name);
        Column c;
        c.name = name;
        if (util::starts_with(name, kIdentityPrefix) && name.size() > kIdentityPrefix.size()) {
            c.kind = Column::identity;
            c.name = name.substr(kIdentityPrefix.size());
        } else if (util::starts_with(name, kAttrPrefix) && name.size() > kAttrPrefix.size()) {
            c.kind = Column::attr;
            c.name = name.substr(kAttrPrefix.size());
        } else if (std::find(kColumns.begin(), kColumns.end(), name) == kColumns.end()) {
            unknown.push_back(name);
        }
        out.push_back(std::move(c));
    }
    if (unknown.size() == 1)
        return invalid("unknown_field",
                       "line " + std::to_string(header.line) + ": unknown column '" + unknown[0] +
                           "'" + util::did_you_mean(unknown[0], kColumns) + " (columns: " +
                           util::join(kColumns, ", ") + ", identity.CHANNEL, attr.KEY)",
                       unknown[0]);
    if (!unknown.empty())
        return invalid("unknown_field",
                       "line " + std::to_string(header.line) + ": unknown columns '" +
                           util::join(unknown, "', '") + "' (columns: " +
                           util::join(kColumns, ", ") + ", identity.CHANNEL, attr.KEY)",
                       unknown[0]);
    if (!seen.count("id"))
        return invalid("invalid_header",
                       "line " + std::to_string(header.line) + ": the header has no 'id' column",
                       "id");
    return out;
}

Expected<User> user_from_row(const std::vector<Column>& columns, const CsvRow& row) {
    User u;
    json attrs = json::object();
    for (size_t i = 0; i < columns.size(); ++i) {
        const Column& c = columns[i];
        const std::string& v = row.fields[i];
        if (v.empty()) continue;
        if (c.kind == Column::identity) {
            // Several addresses: a line each (a subscription's JSON may hold spaces).
            for (const auto& line : util::split(v, '\n'))
                if (std::string address = util::trim(line); !address.empty())
                    u.identities[c.name].push_back(address);
        } else if (c.kind == Column::attr) {
            if (util::invalid_utf8_at(v) != std::string_view::npos)
                return invalid("invalid_utf8", "'attr." + c.name + "' is not valid UTF-8",
                               "attr." + c.name);
            attrs[c.name] = v;
        } else if (c.name == "groups") {
            for (const auto& g : util::split(v, ';')) {
                std::string name = util::trim(g);
                if (!name.empty()) u.groups.push_back(name);
            }
        } else {
            std::string* slot = c.name == "id"            ? &u.id
                                : c.name == "name"        ? &u.name
                                : c.name == "email"       ? &u.email
                                : c.name == "phone"       ? &u.phone
                                : c.name == "locale"      ? &u.locale
                                : c.name == "timezone"    ? &u.timezone
                                : c.name == "quiet_hours" ? &u.quiet_hours
                                                          : &u.module;
            *slot = v;
        }
    }
    if (!attrs.empty()) u.attributes_json = attrs.dump();
    std::sort(u.groups.begin(), u.groups.end());
    u.groups.erase(std::unique(u.groups.begin(), u.groups.end()), u.groups.end());
    if (auto s = check_user_fields(u, true); !s) return s.error();
    return u;
}

}  // namespace

Status read_csv_records(std::string_view text, RecordSet& set) {
    CsvReader reader(text);
    CsvRow row;
    std::vector<Column> columns;
    std::vector<CsvRow> rows;
    bool have_header = false;
    while (reader.next(row)) {
        if (!row.error.empty()) {
            if (!have_header)
                return invalid("invalid_header",
                               "line " + std::to_string(row.line) + ": " + row.error, "");
            set.errors.push_back({row.line, row.error});
            continue;
        }
        if (!have_header) {
            auto h = read_header(row);
            if (!h) return h.error();
            columns = std::move(*h);
            have_header = true;
            continue;
        }
        if (row.fields.size() != columns.size()) {
            set.errors.push_back({row.line, std::to_string(row.fields.size()) +
                                                " fields where the header has " +
                                                std::to_string(columns.size())});
            continue;
        }
        rows.push_back(std::move(row));
        row = CsvRow();
    }
    auto users =
        users_from_rows(rows.size(), [&](size_t i) { return user_from_row(columns, rows[i]); });
    set.records.reserve(set.records.size() + rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
        if (!*users[i])
            set.errors.push_back({rows[i].line, users[i]->error().message});
        else
            set.records.push_back({rows[i].line, std::move(users[i]->value())});
    }
    std::stable_sort(set.errors.begin(), set.errors.end(),
                     [](const ImportError& a, const ImportError& b) { return a.line < b.line; });
    return ok();
}

void write_csv_records(std::ostream& out, const std::vector<User>& users) {
    std::set<std::string> channels, keys;
    std::vector<json> attrs(users.size());
    for (size_t i = 0; i < users.size(); ++i) {
        for (const auto& [channel, _] : users[i].identities) channels.insert(channel);
        if (users[i].attributes_json.empty()) continue;
        attrs[i] = util::json_or_discarded(users[i].attributes_json);
        if (!attrs[i].is_object()) {
            attrs[i] = json();
            continue;
        }
        for (const auto& [key, _] : attrs[i].items()) keys.insert(key);
    }
    std::vector<std::string> row(kColumns);
    for (const auto& c : channels) row.push_back(kIdentityPrefix + c);
    for (const auto& k : keys) row.push_back(kAttrPrefix + k);
    write_csv_row(out, row);
    for (size_t i = 0; i < users.size(); ++i) {
        const User& u = users[i];
        row = {u.id,          u.name,   u.email,
               u.phone,       u.locale, u.timezone,
               u.quiet_hours, u.module, util::join(u.groups, ";")};
        for (const auto& c : channels) {
            auto it = u.identities.find(c);
            row.push_back(it == u.identities.end() ? std::string() : util::join(it->second, "\n"));
        }
        for (const auto& k : keys) {
            std::string cell;
            if (attrs[i].is_object() && attrs[i].contains(k)) {
                const json& v = attrs[i][k];
                cell = v.is_string() ? v.get<std::string>()
                                     : v.dump(-1, ' ', false, json::error_handler_t::replace);
            }
            row.push_back(std::move(cell));
        }
        write_csv_row(out, row);
    }
}

}  // namespace notify::store
