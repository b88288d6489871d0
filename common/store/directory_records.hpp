// directory_records.hpp - users as records: the checks every user passes before
// it is stored, and the two file formats of `notifyctl user import|export` and
// POST /v1/users/import.
//
// JSON Lines: one object per line with the members id, name, email, phone,
// locale, timezone, quiet_hours, module (strings), groups (an array of names),
// identities (an object channel -> address, or -> an array of addresses for
// several devices) and attributes (any JSON object).
// Blank lines are skipped. Unknown members are errors.
//
// CSV (RFC 4180, with a header row): the columns id, name, email, phone, locale,
// timezone, quiet_hours, module, groups (names separated by ';'),
// identity.CHANNEL (the user's address on CHANNEL, several a line each in
// the quoted cell) and attr.KEY (an attribute,
// as text). Quoted fields may hold commas, quotes ("") and line breaks; an
// empty cell is an unset value. Only id is needed: a file without a column
// (one written before quiet_hours existed) imports as before. Unknown columns
// are errors. Attributes that are not strings are written as their JSON text,
// so they come back from CSV as strings.
#pragma once

#include <iosfwd>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "store/directory_store.hpp"
#include "util/error.hpp"

namespace notify::store {

// letters, digits, '-', '_', '.', '@'; 1 to 128 bytes.
Status check_user_id(const std::string& id);
// letters, digits, '-', '_', '.'; 1 to 128 bytes.
Status check_group_name(const std::string& name);
// A user's quiet hours as stored: "" (follow preferences.quiet_hours), "off"
// (in any case) for none, or a window in the user's zone that may run past
// midnight, in its canonical form (" 9:00 - 18:00" is "09:00-18:00"). Invalid
// "invalid_quiet_hours" with field "quiet_hours", quoting the text, otherwise.
Expected<std::string> canonical_quiet_hours(std::string_view text);
// Every field of `u` (its groups' names too, not whether they exist). The error
// names the field ("email") and quotes the value.
Status check_user(const User& u);

// One good record of an import and the line it starts on.
struct UserRecord {
    long line = 0;
    User user;
};

struct RecordSet {
    std::vector<UserRecord> records;  // in input order
    std::vector<ImportError> errors;  // bad rows, in input order
};

// Parses and checks every record of `text`. A bad row lands in `errors` and the
// reading goes on; only a CSV header that cannot be used fails the whole input.
Expected<RecordSet> read_user_records(std::string_view text, RecordFormat format);

// A user from one JSON object in record form (the JSON Lines member names);
// unknown members are "unknown_field" errors with a hint. Checked with check_user.
Expected<User> user_from_record(const nlohmann::json& j);
// The record form of `u`: members that are empty are left out.
nlohmann::json user_record(const User& u);
// The record form plus unsubscribed_at (RFC 3339 or null), created_at and updated_at:
// what `notifyctl user show --json` and GET /v1/users/{id} print.
nlohmann::json user_view(const User& u);
// What `notifyctl group show --json` and GET /v1/groups/{name} print.
nlohmann::json group_view(const Group& g);
// The member names of a record, for hints.
const std::vector<std::string>& user_record_fields();

// Writes `users` as JSON Lines or as CSV whose header has every identity
// channel and attribute key that any of them uses, sorted.
void write_user_records(std::ostream& out, RecordFormat format, const std::vector<User>& users);

}  // namespace notify::store
