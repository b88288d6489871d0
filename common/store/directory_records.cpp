// directory_records.cpp - the checks on a user, its record form as JSON, and
// user records read and written as JSON Lines (CSV: directory_csv.cpp).
#include "store/directory_records.hpp"

#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <unordered_map>

#include "address.hpp"
#include "store/directory_formats.hpp"
#include "util/day_window.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::store {

using nlohmann::json;

namespace {

constexpr size_t kMaxName = 128;
constexpr size_t kMaxText = 1024;  // a user's display name, a module, an identity address
constexpr size_t kMaxLocale = 35;  // the longest language tag worth keeping

const std::vector<std::string> kFields = {"id",     "name",       "email",       "phone",
                                          "locale", "timezone",   "quiet_hours", "module",
                                          "groups", "identities", "addresses",   "attributes"};

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

Expected<std::string> canonical_quiet_hours(std::string_view text) {
    if (text.empty()) return std::string();
    if (util::to_lower(util::trim(text)) == "off") return std::string("off");
    auto window = util::parse_day_window(text, util::WindowRule::across_midnight);
    if (!window)
        return invalid("invalid_quiet_hours",
                       "quiet_hours: " + window.error().message + "; 'off' for none",
                       "quiet_hours");
    return util::format_day_window(*window);
}

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

Status check_user_fields(const User& u, bool attributes_checked) {
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
    if (auto q = canonical_quiet_hours(u.quiet_hours); !q) return q.error();
    if (auto s = check_text(u.module, "module", kMaxName); !s) return s;
    for (const auto& [channel, addresses] : u.identities) {
        std::string field = "identities." + channel;
        if (!word_of(channel, "-_.", kMaxName))
            return invalid(
                "invalid_field",
                "identity channel '" + channel + "' must be letters, digits, '-', '_' or '.'",
                "identities");
        if (addresses.size() > kMaxAddressesPerChannel)
            return invalid("too_many_addresses",
                           "at most " + std::to_string(kMaxAddressesPerChannel) +
                               " addresses for channel '" + channel + "' in 'identities'",
                           field);
        for (std::size_t i = 0; i < addresses.size(); ++i) {
            const std::string& address = addresses[i];
            if (address.empty())
                return invalid("invalid_address",
                               "empty address for channel '" + channel + "' in 'identities'",
                               field);
            if (auto s = check_text(address, field, kMaxText); !s) return s;
            if (std::find(addresses.begin(), addresses.begin() + i, address) !=
                addresses.begin() + i)
                return invalid("invalid_address",
                               "address '" + address + "' is given twice for channel '" + channel +
                                   "' in 'identities'",
                               field);
        }
    }
    if (!attributes_checked && !u.attributes_json.empty()) {
        json a = util::json_or_discarded(u.attributes_json);
        if (a.is_discarded() || !a.is_object())
            return invalid("invalid_attributes", "'attributes' must be a JSON object",
                           "attributes");
    }
    for (const auto& g : u.groups)
        if (auto s = check_group_name(g); !s)
            return invalid(s.error().code, s.error().message, "groups");
    return ok();
}

namespace {

// channel -> the address added last (what a client of one address per
// channel reads), and channel -> all of them, oldest first.
json identities_record(const Identities& identities) {
    json j = json::object();
    for (const auto& [channel, addresses] : identities)
        if (!addresses.empty()) j[channel] = addresses.back();
    return j;
}

json addresses_record(const Identities& identities) {
    json j = json::object();
    for (const auto& [channel, addresses] : identities) j[channel] = addresses;
    return j;
}

// The strings of `value`: one, or an array of them; nullopt when it is neither.
std::optional<std::vector<std::string>> strings_of(const json& value) {
    std::vector<std::string> out;
    for (const json& a : value.is_array() ? value : json::array({value})) {
        if (!a.is_string()) return std::nullopt;
        out.push_back(a.get<std::string>());
    }
    return out;
}

// A user's identities from `identities` (channel -> an address, or several)
// and `addresses` (channel -> all its addresses), either may be null. A
// channel in both: the address in `identities` must be one of `addresses`.
Expected<Identities> identities_from(const json* identities, const json* addresses) {
    Identities out;
    std::map<std::string, std::string> single;
    const std::pair<const json*, const char*> members[] = {{addresses, "addresses"},
                                                           {identities, "identities"}};
    for (const auto& [value, key] : members) {
        if (!value || value->is_null()) continue;
        if (!value->is_object())
            return invalid("invalid_field",
                           std::string("'") + key +
                               "' must be an object of channel: address (or an array of "
                               "addresses)",
                           key);
        for (const auto& [channel, given] : value->items()) {
            auto list = strings_of(given);
            if (!list)
                return invalid("invalid_field",
                               "the address for channel '" + channel + "' in '" + key +
                                   "' must be a string or an array of strings",
                               std::string(key) + "." + channel);
            if (value != identities || !out.count(channel)) {
                out[channel] = std::move(*list);
            } else if (list->size() != 1 || std::find(out[channel].begin(), out[channel].end(),
                                                      list->front()) == out[channel].end()) {
                return invalid("invalid_field",
                               "'identities." + channel + "' is not one of 'addresses." + channel +
                                   "'; change 'addresses', or leave one of them out",
                               "identities." + channel);
            }
        }
    }
    for (auto it = out.begin(); it != out.end();)
        it = it->second.empty() ? out.erase(it) : std::next(it);
    return out;
}

}  // namespace

Status check_user(const User& u) {
    return check_user_fields(u, false);
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
        } else if (key == "identities" || key == "addresses") {
            continue;  // together, below
        } else if (key == "attributes") {
            if (value.is_null()) continue;
            if (!value.is_object())
                return invalid("invalid_attributes", "'attributes' must be a JSON object", key);
            if (!value.empty()) u.attributes_json = value.dump();
        } else {
            auto s = string_member(value, key);
            if (!s) return s.error();
            std::string* slot = key == "id"            ? &u.id
                                : key == "name"        ? &u.name
                                : key == "email"       ? &u.email
                                : key == "phone"       ? &u.phone
                                : key == "locale"      ? &u.locale
                                : key == "timezone"    ? &u.timezone
                                : key == "quiet_hours" ? &u.quiet_hours
                                                       : &u.module;
            *slot = std::move(*s);
        }
    }
    auto identities = identities_from(j.contains("identities") ? &j["identities"] : nullptr,
                                      j.contains("addresses") ? &j["addresses"] : nullptr);
    if (!identities) return identities.error();
    u.identities = std::move(*identities);
    std::sort(u.groups.begin(), u.groups.end());
    u.groups.erase(std::unique(u.groups.begin(), u.groups.end()), u.groups.end());
    if (auto s = check_user_fields(u, true); !s) return s.error();
    return u;
}

json user_record(const User& u) {
    json j = json::object();
    j["id"] = u.id;
    const std::pair<const char*, const std::string*> scalars[] = {
        {"name", &u.name},     {"email", &u.email},       {"phone", &u.phone},
        {"locale", &u.locale}, {"timezone", &u.timezone}, {"quiet_hours", &u.quiet_hours},
        {"module", &u.module}};
    for (const auto& [key, value] : scalars)
        if (!value->empty()) j[key] = *value;
    if (!u.groups.empty()) j["groups"] = u.groups;
    if (!u.identities.empty()) {
        j["identities"] = identities_record(u.identities);
        j["addresses"] = addresses_record(u.identities);
    }
    if (!u.attributes_json.empty()) {
        json a = util::json_or_discarded(u.attributes_json);
        if (!a.is_discarded()) j["attributes"] = std::move(a);
    }
    return j;
}

json group_view(const Group& g) {
    return json{{"name", g.name},
                {"description", g.description},
                {"requires_approval", g.requires_approval},
                {"members", g.members},
                {"created_at", util::format_rfc3339(g.created_at)}};
}

json user_view(const User& u) {
    json j{{"id", u.id},
           {"name", u.name},
           {"email", u.email},
           {"phone", u.phone},
           {"locale", u.locale},
           {"timezone", u.timezone},
           {"quiet_hours", u.quiet_hours},
           {"module", u.module},
           {"groups", u.groups},
           {"identities", identities_record(u.identities)},
           {"addresses", addresses_record(u.identities)}};
    json a =
        u.attributes_json.empty() ? json::object() : util::json_or_discarded(u.attributes_json);
    j["attributes"] = a.is_discarded() ? json::object() : a;
    j["unsubscribed_at"] =
        u.unsubscribed_at ? json(util::format_rfc3339(u.unsubscribed_at)) : json(nullptr);
    j["created_at"] = util::format_rfc3339(u.created_at);
    j["updated_at"] = util::format_rfc3339(u.updated_at);
    return j;
}

// --- reading ------------------------------------------------------------------

namespace {

Expected<User> user_from_line(std::string_view row) {
    if (util::invalid_utf8_at(row) != std::string_view::npos)
        return invalid("invalid_utf8", "not valid UTF-8", "");
    auto j = util::parse_json(row, {.what = "the line"});
    if (!j) return j.error();
    return user_from_record(*j);
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
        users_from_rows(rows.size(), [&rows](size_t i) { return user_from_line(rows[i].second); });
    set.records.reserve(set.records.size() + rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
        if (!*users[i])
            set.errors.push_back({rows[i].first, users[i]->error().message});
        else
            set.records.push_back({rows[i].first, std::move(users[i]->value())});
    }
}

}  // namespace

Expected<RecordSet> read_user_records(std::string_view text, RecordFormat format) {
    RecordSet set;
    if (format == RecordFormat::jsonl) {
        read_jsonl(text, set);
    } else if (auto s = read_csv_records(text, set); !s) {
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

}  // namespace

void write_user_records(std::ostream& out, RecordFormat format, const std::vector<User>& users) {
    if (format == RecordFormat::jsonl)
        write_jsonl(out, users);
    else
        write_csv_records(out, users);
}

}  // namespace notify::store
