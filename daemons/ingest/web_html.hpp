// web_html.hpp - the pieces the dashboard's pages are built from. Every text
// argument is escaped here; arguments named *_html are markup already made by
// these functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/form.hpp"

namespace notify::ingest {

// <h1>
std::string heading(std::string_view text);
// <a href> with escaped text.
std::string link(std::string_view href, std::string_view text, std::string_view id = {});
// "/path?a=1&b=2" without the empty values.
std::string with_query(std::string_view path, const util::FormFields& query);
// A hidden field.
std::string hidden(std::string_view name, std::string_view value);
// A form with one button that POSTs to `action`, carrying the CSRF token and
// `fields_html` (more hidden fields or inputs).
std::string post_button(std::string_view action, std::string_view label, std::string_view id,
                        std::string_view csrf, std::string_view style = "btn-primary",
                        std::string_view fields_html = {});
// A labelled <input> in a Bootstrap column.
std::string input_field(std::string_view type, std::string_view name, std::string_view label,
                        std::string_view value);
// A labelled <textarea> across its form (monospace: template text, JSON).
std::string textarea_field(std::string_view name, std::string_view label, std::string_view value,
                           int rows);
// A labelled <select>; the first option is "any" (value "").
std::string select_field(std::string_view name, std::string_view label, std::string_view any,
                         const std::vector<std::pair<std::string, std::string>>& options,
                         std::string_view chosen);
// A notice: kind "success", "danger", "info".
std::string notice(std::string_view kind, std::string_view text, std::string_view id = "notice");

// A state ("sent", "failed", "pending-approval") as a coloured badge, with a
// count when `count` is not negative.
std::string state_badge(const std::string& state, long count = -1);
// "2026-12-01T08:00:00.123Z" as "2026-12-01 08:00:00".
std::string shown_time(const std::string& rfc3339);
// The string at `key` of a JSON object, or "".
std::string str(const nlohmann::json& j, const char* key);

// A table: headers are words, cells are markup (text cells: escape them).
class HtmlTable {
  public:
    HtmlTable(std::string id, std::vector<std::string> headers);
    // `attrs_html`: attributes of the <tr> (data-id="...").
    void row(const std::vector<std::string>& cells_html, std::string_view attrs_html = {});
    // The table, or `empty` in its place when it has no rows.
    std::string html(std::string_view empty) const;

  private:
    std::string id_;
    std::vector<std::string> headers_;
    std::string rows_;
    bool any_ = false;
};

}  // namespace notify::ingest
