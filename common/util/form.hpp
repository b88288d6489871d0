// form.hpp - application/x-www-form-urlencoded bodies (HTML forms, vendors'
// callbacks): '+' is a space, %XX a byte.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace notify::util {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// The fields in order, repeats kept; nullopt for a malformed escape.
std::optional<FormFields> parse_form(std::string_view body);
// The first value of `name`, or "".
std::string form_value(const FormFields& fields, std::string_view name);

// RFC 3986 percent-encoding: unreserved characters (A-Z a-z 0-9 - _ . ~) stay,
// every other byte becomes %XX with upper-case hex (space is %20, '*' is %2A).
std::string percent_encode(std::string_view text);
// The bytes of percent-encoded `text` (a URL's path segment: '+' stays);
// nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);
// "a=1&b=2" from name/value pairs, each percent-encoded, in the given order.
std::string form_encode(const FormFields& fields);

}  // namespace notify::util
