// html.hpp - text made safe to put in HTML, in an element or a quoted attribute.
#pragma once

#include <string>
#include <string_view>

namespace notify::util {

// Appends `text` with & < > " ' as entities.
void append_html(std::string& out, std::string_view text);
std::string escape_html(std::string_view text);

}  // namespace notify::util
