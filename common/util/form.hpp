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

}  // namespace notify::util
