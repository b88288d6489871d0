// escape.hpp - escaping of interpolated values for each output kind.
#pragma once

#include <string>
#include <string_view>

#include "template/template.hpp"

namespace notify::tmpl {

// Appends `text` to `out`, escaped for `mode`: html turns & < > " ' into
// entities; json escapes quotes, backslashes, control characters and the
// JavaScript line separators so the result is safe inside a JSON string
// literal; none copies the text as it is.
void append_escaped(std::string& out, std::string_view text, Escape mode);

}  // namespace notify::tmpl
