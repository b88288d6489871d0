// directory_records.cpp - the checks on a user and its record forms (JSON Lines
// and CSV), read and written.
#include "store/directory_records.hpp"

#include <unistd.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <set>
#include <thread>
#include <unordered_map>

#include "address.hpp"
#include "store/csv.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::store {

using nlohmann::json;

namespace {

constexpr size_t kMaxName = 128;
constexpr size_t kMaxText = 1024;  // a user's display name, a module, an identity address
constexpr size_t kMaxLocale = 35;  // the longest language tag worth keeping

const std::vector<std::string> kFields = {"id",         "name",      "email",  "phone",
                                          "locale",     "timezone",  "module", "groups",
                                          "identities", "attributes"};
const std::vector<std::string> kColumns = {"id",     "name",     "email",  "phone",
                                           "locale", "timezone", "module", "groups"};
const std::string kIdentityPrefix = "identity.";
const std::string kAttrPrefix = "attr.";

Error invalid(const std::string& code, const std::string& message, const std::string& field) {
    return make_error(ErrorKind::invalid, code, message, field);
}

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool word_of(const std::string& s, std::string_view extra, size_t max) {
    if (s.empty() || s.size() > max) return false;
    for (char c : s)
        if (!is_alnum(c) && extra.find(c) == std::string_view::npos) return false;
    return true;
}

bool has_control(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f) return true;
    return false;
}

// Plain text of at most `max` bytes: UTF-8, no control characters.
Status check_text(const std::string& value, const std::string& field, size_t max) {
    if (value.size() > max)
        return invalid("invalid_field",
                       "'" + field + "' is longer than " + std::to_string(max) + " bytes", field);
    if (util::invalid_utf8_at(value) != std::string_view::npos)
        return invalid("invalid_utf8", "'" + field + "' is not valid UTF-8", field);
    if (has_control(value))
        return invalid("invalid_field", "'" + field + "' holds a control character", field);
    return ok();
}

// An IANA zone the C library knows (as util::parse_time reads them).
bool known_zone(const std::string& zone) {
    if (zone == "UTC") return true;
    if (!word_of(zone, "-_/+", 64) || zone.front() == '/' || zone.find("..") != std::string::npos)
        return false;
    thread_local std::unordered_map<std::string, bool> seen;
    auto it = seen.find(zone);
    if (it != seen.end()) return it->second;
    bool known = access(("/usr/share/zoneinfo/" + zone).c_str(), R_OK) == 0;
    if (seen.size() < 1000) seen.emplace(zone, known);
    return known;
}

Expected<std::string> string_member(const json& j, const std::string& key) {
    if (j.is_null()) return std::string();
    if (!j.is_string()) return invalid("invalid_field", "'" + key + "' must be a string", key);
    return j.get<std::string>();
}

}  // namespace

Status check_user_id(const std::string& id) {
    if (id.empty()) return invalid("missing_field", "a user needs an 'id'", "id");
    if (!word_of(id, "-_.@", kMaxName))
        return invalid("invalid_id",
                       "user id '" + id +
                           "' must be letters, digits, '-', '_', '.' or '@' (at most 128 bytes)",
                       "id");
    return ok();
}

Status check_group_name(const std::string& name) {
    if (name.empty()) return invalid("missing_field", "a group needs a 'name'", "name");
    if (!word_of(name, "-_.", kMaxName))
        return invalid("invalid_name",
                       "group name '" + name +
                           "' must be letters, digits, '-', '_' or '.' (at most 128 bytes)",
                       "name");
    return ok();
}

namespace {

// check_user, trusting `attributes_json` when it was made from a JSON object here.
Status check_fields(const User& u, bool attributes_checked) {
    if (auto s = check_user_id(u.id); !s) return s;
    if (auto s = check_text(u.name, "name", kMaxText); !s) return s;
    if (!u.email.empty() && !is_email_address(u.email))
        return invalid(
            "invalid_address",
            "invalid email address '" + u.email + "' (a bare address such as 'ann@example.com')",
            "email");
    if (!u.phone.empty() && !is_e164_number(u.phone))
        return invalid("invalid_address",
                       "invalid phone number '" + u.phone +
                           "' (E.164 with country code, such as '+8613800138000')",
                       "phone");
    if (!u.locale.empty() && (!word_of(u.locale, "-_", kMaxLocale) || !is_alnum(u.locale[0])))
        return invalid("invalid_locale",
                       "invalid locale '" + u.locale + "' (a language tag such as 'zh-CN')",
                       "locale");
    if (!u.timezone.empty() && !known_zone(u.timezone))
        return invalid(
            "invalid_timezone",
            "unknown time zone '" + u.timezone + "' (an IANA name such as 'Asia/Shanghai')",
            "timezone");
    if (auto s = check_text(u.module, "module", kMaxName); !s) return s;
    for (const auto& [channel, address] : u.identities) {
        std::string field = "identities." + channel;
        if (!word_of(channel, "-_.", kMaxName))
            return invalid(
                "invalid_field",
                "identity channel '" + channel + "' must be letters, digits, '-', '_' or '.'",
                "identities");
        if (address.empty())
            return invalid("invalid_address",
                           "empty address for channel '" + channel + "' in 'identities'", field);
        if (auto s = check_text(address, field, kMaxText); !s) return s;
    }
    if (!attributes_checked && !u.attributes_json.empty()) {
        json a = json::parse(u.attributes_json, nullptr, false);
        if (a.is_discarded() || !a.is_object())
            return invalid("invalid_attributes", "'attributes' must be a JSON object",
                           "attributes");
    }
    for (const auto& g : u.groups)
        if (auto s = check_group_name(g); !s)
            return invalid(s.error().code, s.error().message, "groups");
    return ok();
}

}  // namespace

Status check_user(const User& u) {
    return check_fields(u, false);
}

const std::vector<std::string>& user_record_fields() {
    return kFields;
}

Expected<User> user_from_record(const json& j) {
    if (!j.is_object()) return invalid("invalid_request", "a user must be a JSON object", "");
    User u;
    for (const auto& [key, value] : j.items()) {
        if (std::find(kFields.begin(), kFields.end(), key) == kFields.end())
            return invalid("unknown_field",
                           "unknown field '" + key + "'" + util::did_you_mean(key, kFields), key);
        if (key == "groups") {
            if (value.is_null()) continue;
            if (!value.is_array())
                return invalid("invalid_field", "'groups' must be an array of group names", key);
            for (const auto& g : value) {
                if (!g.is_string())
                    return invalid("invalid_field", "'groups' must be an array of group names",
                                   key);
                u.groups.push_back(g.get<std::string>());
            }
        } else if (key == "identities") {
            if (value.is_null()) continue;
            if (!value.is_object())
                return invalid("invalid_field",
                               "'identities' must be an object of channel: address", key);
            for (const auto& [channel, address] : value.items()) {
                if (!address.is_string())
                    return invalid("invalid_field",
                                   "the address for channel '" + channel +
                                       "' in 'identities' must be a string",
                                   key + "." + channel);
                u.identities[channel] = address.get<std::string>();
            }
        } else if (key == "attributes") {
            if (value.is_null()) continue;
            if (!value.is_object())
                return invalid("invalid_attributes", "'attributes' must be a JSON object", key);
            if (!value.empty()) u.attributes_json = value.dump();
        } else {
            auto s = string_member(value, key);
            if (!s) return s.error();
            std::string* slot = key == "id"         ? &u.id
                                : key == "name"     ? &u.name
                                : key == "email"    ? &u.email
                                : key == "phone"    ? &u.phone
                                : key == "locale"   ? &u.locale
                                : key == "timezone" ? &u.timezone
                                                    : &u.module;
            *slot = std::move(*s);
        }
    }
    std::sort(u.groups.begin(), u.groups.end());
    u.groups.erase(std::unique(u.groups.begin(), u.groups.end()), u.groups.end());
    if (auto s = check_fields(u, true); !s) return s.error();
    return u;
}

json user_record(const User& u) {
    json j = json::object();
    j["id"] = u.id;
    const std::pair<const char*, const std::string*> scalars[] = {
        {"name", &u.name},     {"email", &u.email},       {"phone", &u.phone},
        {"locale", &u.locale}, {"timezone", &u.timezone}, {"module", &u.module}};
    for (const auto& [key, value] : scalars)
        if (!value->empty()) j[key] = *value;
    if (!u.groups.empty()) j["groups"] = u.groups;
    if (!u.identities.empty()) j["identities"] = u.identities;
    if (!u.attributes_json.empty()) {
        json a = json::parse(u.attributes_json, nullptr, false);
        if (!a.is_discarded()) j["attributes"] = std::move(a);
    }
    return j;
}

json user_view(const User& u) {
    json j{{"id", u.id},         {"name", u.name},     {"email", u.email},
           {"phone", u.phone},   {"locale", u.locale}, {"timezone", u.timezone},
           {"module", u.module}, {"groups", u.groups}, {"identities", u.identities}};
    json a =
        u.attributes_json.empty() ? json::object() : json::parse(u.attributes_json, nullptr, false);
    j["attributes"] = a.is_discarded() ? json::object() : a;
    j["unsubscribed_at"] =
        u.unsubscribed_at ? json(util::format_rfc3339(u.unsubscribed_at)) : json(nullptr);
    j["created_at"] = util::format_rfc3339(u.created_at);
    j["updated_at"] = util::format_rfc3339(u.updated_at);
    return j;
}

// --- reading ------------------------------------------------------------------

namespace {

// Rows become users on every core: checking a phone number with libphonenumber
// costs more than parsing the row, and the rows do not depend on each other.
constexpr size_t kParallelRows = 2000;

template <class Make>
std::vector<std::optional<Expected<User>>> convert_all(size_t n, Make make) {
    std::vector<std::optional<Expected<User>>> out(n);
    auto work = [&out, &make](size_t from, size_t to) {
        for (size_t i = from; i < to; ++i) {
            try {
                out[i].emplace(make(i));
            } catch (const std::exception& e) {
                out[i].emplace(invalid("invalid_record", e.what(), ""));
            }
        }
    };
    size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
    if (n < kParallelRows || threads < 2) {
        work(0, n);
        return out;
    }
    size_t step = (n + threads - 1) / threads;
    std::vector<std::thread> pool;
    for (size_t t = 1; t < threads; ++t)
        pool.emplace_back(work, std::min(n, t * step), std::min(n, (t + 1) * step));
    work(0, std::min(n, step));
    for (auto& th : pool) th.join();
    return out;
}

Expected<User> user_from_line(std::string_view row) {
    if (util::invalid_utf8_at(row) != std::string_view::npos)
        return invalid("invalid_utf8", "not valid UTF-8", "");
    json j;
    try {
        j = json::parse(row);
    } catch (const json::parse_error& e) {
        std::string what = e.what();
        auto cut = what.find("] ");
        if (cut != std::string::npos) what = what.substr(cut + 2);
        auto col = what.find("parse error at line 1, ");
        if (col != std::string::npos) what = what.substr(col + 23);
        return invalid("malformed_json", "malformed JSON: " + what, "");
    }
    return user_from_record(j);
}

void read_jsonl(std::string_view text, RecordSet& set) {
    std::vector<std::pair<long, std::string_view>> rows;
    long line = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view row = text.substr(pos, end - pos);
        pos = end + 1;
        ++line;
        if (row.find_first_not_of(" \t\r") != std::string_view::npos) rows.emplace_back(line, row);
    }
    auto users =
        convert_all(rows.size(), [&rows](size_t i) { return user_from_line(rows[i].second); });
    set.records.reserve(set.records.size() + rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
        if (!*users[i])
            set.errors.push_back({rows[i].first, users[i]->error().message});
        else
            set.records.push_back({rows[i].first, std::move(users[i]->value())});
    }
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
            u.identities[c.name] = v;
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
            std::string* slot = c.name == "id"         ? &u.id
                                : c.name == "name"     ? &u.name
                                : c.name == "email"    ? &u.email
                                : c.name == "phone"    ? &u.phone
                                : c.name == "locale"   ? &u.locale
                                : c.name == "timezone" ? &u.timezone
                                                       : &u.module;
            *slot = v;
        }
    }
    if (!attrs.empty()) u.attributes_json = attrs.dump();
    std::sort(u.groups.begin(), u.groups.end());
    u.groups.erase(std::unique(u.groups.begin(), u.groups.end()), u.groups.end());
    if (auto s = check_fields(u, true); !s) return s.error();
    return u;
}

Status read_csv(std::string_view text, RecordSet& set) {
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
        convert_all(rows.size(), [&](size_t i) { return user_from_row(columns, rows[i]); });
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

}  // namespace

Expected<RecordSet> read_user_records(std::string_view text, RecordFormat format) {
    RecordSet set;
    if (format == RecordFormat::jsonl) {
        read_jsonl(text, set);
    } else if (auto s = read_csv(text, set); !s) {
        return s.error();
    }
    return set;
}

// --- writing ------------------------------------------------------------------

namespace {

void write_jsonl(std::ostream& out, const std::vector<User>& users) {
    for (const auto& u : users) {
        // Members in the order of the format's description, id first.
        nlohmann::ordered_json j;
        json r = user_record(u);
        for (const auto& key : kFields)
            if (r.contains(key)) j[key] = r[key];
        out << j.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
    }
}

void write_csv(std::ostream& out, const std::vector<User>& users) {
    std::set<std::string> channels, keys;
    std::vector<json> attrs(users.size());
    for (size_t i = 0; i < users.size(); ++i) {
        for (const auto& [channel, _] : users[i].identities) channels.insert(channel);
        if (users[i].attributes_json.empty()) continue;
        attrs[i] = json::parse(users[i].attributes_json, nullptr, false);
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
        row = {u.id,     u.name,     u.email,  u.phone,
               u.locale, u.timezone, u.module, util::join(u.groups, ";")};
        for (const auto& c : channels) {
            auto it = u.identities.find(c);
            row.push_back(it == u.identities.end() ? std::string() : it->second);
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

}  // namespace

void write_user_records(std::ostream& out, RecordFormat format, const std::vector<User>& users) {
    if (format == RecordFormat::jsonl)
        write_jsonl(out, users);
    else
        write_csv(out, users);
}

}  // namespace notify::store
