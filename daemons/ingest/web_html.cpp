// web_html.cpp - see web_html.hpp.
#include "web_html.hpp"

#include "web_page.hpp"

namespace notify::ingest {

namespace {

std::string attr(std::string_view name, std::string_view value) {
    return " " + std::string(name) + "=\"" + escape_html(value) + "\"";
}

}  // namespace

std::string heading(std::string_view text) {
    return "<h1 class=\"h3 mb-4\">" + escape_html(text) + "</h1>";
}

std::string link(std::string_view href, std::string_view text, std::string_view id) {
    return "<a" + attr("href", href) + (id.empty() ? "" : attr("id", id)) + ">" +
           escape_html(text) + "</a>";
}

std::string with_query(std::string_view path, const util::FormFields& query) {
    util::FormFields kept;
    for (const auto& f : query)
        if (!f.second.empty()) kept.push_back(f);
    std::string q = util::form_encode(kept);
    return std::string(path) + (q.empty() ? "" : "?" + q);
}

std::string hidden(std::string_view name, std::string_view value) {
    return "<input type=\"hidden\"" + attr("name", name) + attr("value", value) + ">";
}

std::string post_button(std::string_view action, std::string_view label, std::string_view id,
                        std::string_view csrf, std::string_view style,
                        std::string_view fields_html) {
    return "<form method=\"post\" class=\"d-inline-flex gap-2 align-items-center\"" +
           attr("action", action) + ">" + hidden("csrf", csrf) + std::string(fields_html) +
           "<button type=\"submit\" class=\"btn btn-sm " + escape_html(style) + "\"" +
           attr("id", id) + ">" + escape_html(label) + "</button></form>";
}

std::string input_field(std::string_view type, std::string_view name, std::string_view label,
                        std::string_view value) {
    const std::string id = "f-" + std::string(name);
    return "<div class=\"col-auto\"><label class=\"form-label small\"" + attr("for", id) + ">" +
           escape_html(label) + "</label><input class=\"form-control form-control-sm\"" +
           attr("type", type) + attr("id", id) + attr("name", name) + attr("value", value) +
           "></div>";
}

std::string textarea_field(std::string_view name, std::string_view label, std::string_view value,
                           int rows) {
    const std::string id = "f-" + std::string(name);
    return "<div class=\"mb-2\"><label class=\"form-label small\"" + attr("for", id) + ">" +
           escape_html(label) +
           "</label><textarea class=\"form-control form-control-sm font-monospace\"" +
           attr("id", id) + attr("name", name) + attr("rows", std::to_string(rows)) +
           // The parser drops one newline after <textarea>: this one, not the value's.
           " spellcheck=\"false\">\n" + escape_html(value) + "</textarea></div>";
}

std::string select_field(std::string_view name, std::string_view label, std::string_view any,
                         const std::vector<std::pair<std::string, std::string>>& options,
                         std::string_view chosen) {
    const std::string id = "f-" + std::string(name);
    std::string out = "<div class=\"col-auto\"><label class=\"form-label small\"" +
                      attr("for", id) + ">" + escape_html(label) +
                      "</label><select class=\"form-select form-select-sm\"" + attr("id", id) +
                      attr("name", name) + "><option value=\"\">" + escape_html(any) + "</option>";
    for (const auto& [value, text] : options)
        out += "<option" + attr("value", value) + (value == chosen ? " selected" : "") + ">" +
               escape_html(text) + "</option>";
    return out + "</select></div>";
}

std::string notice(std::string_view kind, std::string_view text, std::string_view id) {
    return "<div class=\"alert alert-" + escape_html(kind) + "\"" + attr("id", id) + ">" +
           escape_html(text) + "</div>";
}

std::string state_badge(const std::string& state, long count) {
    static const std::pair<const char*, const char*> kStyles[] = {
        {"sent", "success"},     {"delivered", "success"}, {"read", "success"},
        {"failed", "danger"},    {"expired", "warning"},   {"canceled", "secondary"},
        {"suppressed", "light"}, {"held", "info"},         {"pending-approval", "warning"},
        {"rejected", "danger"}};
    const char* style = "primary";
    for (const auto& [s, st] : kStyles)
        if (state == s) style = st;
    std::string text = state + (count >= 0 ? " " + std::to_string(count) : "");
    return "<span class=\"badge text-bg-" + std::string(style) + "\" data-state=\"" +
           escape_html(state) + "\">" + escape_html(text) + "</span>";
}

std::string shown_time(const std::string& rfc3339) {
    if (rfc3339.size() < 19) return rfc3339;
    return rfc3339.substr(0, 10) + " " + rfc3339.substr(11, 8);
}

std::string str(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

HtmlTable::HtmlTable(std::string id, std::vector<std::string> headers)
    : id_(std::move(id)), headers_(std::move(headers)) {}

void HtmlTable::row(const std::vector<std::string>& cells_html, std::string_view attrs_html) {
    any_ = true;
    rows_ += "<tr";
    if (!attrs_html.empty()) rows_ += " " + std::string(attrs_html);
    rows_ += ">";
    for (const auto& c : cells_html) rows_ += "<td>" + c + "</td>";
    rows_ += "</tr>";
}

std::string HtmlTable::html(std::string_view empty) const {
    if (!any_)
        return "<p class=\"text-muted\"" + attr("id", id_) + ">" + escape_html(empty) + "</p>";
    std::string out =
        "<div class=\"table-responsive\"><table class=\"table table-sm "
        "table-hover align-middle\"" +
        attr("id", id_) + "><thead><tr>";
    for (const auto& h : headers_) out += "<th>" + escape_html(h) + "</th>";
    return out + "</tr></thead><tbody>" + rows_ + "</tbody></table></div>";
}

}  // namespace notify::ingest
