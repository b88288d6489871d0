// web_template_editor.cpp - the dashboard's template editor: a variant's
// subject, text, HTML and channel parameters with sample data, whose preview
// the server renders (POST /v1/templates/preview) when asked and, through
// web/templates.js, as the user types. Saving is PUT /v1/templates/{name}: a
// new version. A refusal the user can fix (a syntax error, a bad locale) shows
// the editor again with the API's message and everything typed kept.
#include <nlohmann/json.hpp>

#include "template/checks.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"
#include "web_html.hpp"
#include "web_pages.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

// What the editor holds: the form's fields as typed.
struct Draft {
    std::string name, channel, locale, subject, text, html;
    std::string params;  // JSON text, "" for none
    std::string data;    // the sample data, JSON text
    bool is_new = false;
};

// A <textarea>'s value as typed: browsers send its line ends as CRLF.
std::string typed_text(const WebCall& c, const char* field) {
    std::string out;
    const std::string sent = c.param(field);
    for (size_t i = 0; i < sent.size(); ++i)
        if (!(sent[i] == '\r' && i + 1 < sent.size() && sent[i + 1] == '\n')) out += sent[i];
    return out;
}

Draft draft_of_form(const WebCall& c) {
    Draft d;
    d.name = util::trim(c.param("name"));
    d.channel = util::trim(c.param("channel"));
    d.locale = util::trim(c.param("locale"));
    d.subject = typed_text(c, "subject");
    d.text = typed_text(c, "text");
    d.html = typed_text(c, "html");
    d.params = typed_text(c, "params");
    d.data = typed_text(c, "data");
    d.is_new = c.parts[0] == "new-template";
    return d;
}

// The variant of `t` (GET /v1/templates/{name}) for channel and locale, else
// the default variant, else the first: what a new variant starts from.
Draft draft_of_variant(const json& t, const std::string& channel, const std::string& locale) {
    const json* exact = nullptr;
    const json* fallback = nullptr;
    for (const auto& v : t["variants"]) {
        if (str(v, "channel") == channel && str(v, "locale") == locale) exact = &v;
        if (str(v, "channel").empty() && str(v, "locale").empty()) fallback = &v;
    }
    const json* from = exact                   ? exact
                       : fallback              ? fallback
                       : t["variants"].empty() ? nullptr
                                               : &t["variants"].front();
    Draft d;
    d.name = str(t, "name");
    d.channel = channel;
    d.locale = locale;
    if (from) {
        d.subject = str(*from, "subject");
        d.text = str(*from, "text");
        d.html = str(*from, "html");
        if (auto p = from->find("params"); p != from->end() && p->is_object() && !p->empty())
            d.params = p->dump(2);
    }
    return d;
}

// A placeholder for each variable the template leaves unfilled ("user.name"
// becomes {"user":{"name":"[user.name]"}}); "{}" for none.
std::string sample_data(const json& missing) {
    json out = json::object();
    for (const auto& m : missing) {
        if (!m.is_string()) continue;
        const std::string name = m.get<std::string>();
        json* at = &out;
        const auto names = util::split(name, '.');
        for (size_t i = 0; i < names.size() && at->is_object(); ++i) {
            json& next = (*at)[names[i]];
            if (next.is_null())
                next = i + 1 == names.size() ? json("[" + name + "]") : json::object();
            at = &next;
        }
    }
    return out.dump(2, ' ', false, json::error_handler_t::replace);
}

// A JSON field of the form; the error names it (`what`) and its `field`.
Expected<json> json_field(const std::string& text, const char* what, const char* field) {
    auto j =
        util::parse_json(text, util::JsonLimits{util::kMaxJsonDepth, util::kMaxJsonBytes, what});
    if (j) return j;
    Error e = j.error();
    if (e.code == "malformed_json") e.message = std::string(what) + ": " + e.message;
    e.field = field;
    return e;
}

// The draft rendered by POST /v1/templates/preview against `data_text`, or the
// reason there is no preview, as the API's answer.
void render_preview(const WebCall& c, const Draft& d, const std::string& data_text, Reply then) {
    auto data =
        json_field(util::trim(data_text).empty() ? "{}" : data_text, "the sample data", "data");
    if (!data) return then(error_response(400, data.error()));
    c.attempt("POST", "/v1/templates/preview",
              json{{"channel", d.channel},
                   {"locale", d.locale},
                   {"subject", d.subject},
                   {"text", d.text},
                   {"html", d.html},
                   {"data", std::move(*data)}},
              std::move(then));
}

// #preview: what web/templates.js fills in as the user types.
std::string preview_html(const WebCall& c, const Response& answer) {
    const bool ok = answer.status / 100 == 2;
    json p = ok ? util::json_or_discarded(answer.body) : json();
    if (!p.is_object()) p = json::object();
    std::string missing;
    if (p.contains("missing") && p["missing"].is_array())
        for (const auto& m : p["missing"])
            if (m.is_string()) missing += (missing.empty() ? "" : ", ") + m.get<std::string>();
    return "<div id=\"preview\" aria-live=\"polite\" data-failed=\"" +
           escape_html(c.t("preview_failed")) + "\"><div class=\"alert alert-danger\" " +
           "id=\"preview-error\"" + (ok ? " hidden>" : ">") +
           (ok ? std::string() : escape_html(error_message(answer))) + "</div><dl><dt>" +
           c.t("subject") + "</dt><dd id=\"preview-subject\">" + escape_html(str(p, "subject")) +
           "</dd><dt>" + c.t("text") +
           "</dt><dd><pre class=\"border rounded p-2 bg-light\" id=\"preview-text\">" +
           escape_html(str(p, "text")) + "</pre></dd><dt>" + c.t("html") +
           "</dt><dd><iframe class=\"w-100 border rounded\" height=\"240\" id=\"preview-html\" "
           "sandbox=\"\" title=\"HTML\" srcdoc=\"" +
           escape_html(str(p, "html")) + "\"></iframe><details><summary>" + c.t("html_source") +
           "</summary><pre class=\"border rounded p-2\" id=\"preview-html-source\">" +
           escape_html(str(p, "html")) + "</pre></details></dd><dt>" + c.t("missing_variables") +
           "</dt><dd id=\"preview-missing\">" + escape_html(missing) + "</dd></dl></div>";
}

std::string editor_form(const WebCall& c, const Draft& d) {
    const std::string action = d.is_new ? "/new-template" : template_path(d.name);
    std::string out = "<form method=\"post\" id=\"template-form\" action=\"" + escape_html(action) +
                      "\">" + hidden("csrf", c.user.csrf) + "<div class=\"row g-2 mb-2\">" +
                      (d.is_new ? input_field("text", "name", c.t("template_name"), d.name)
                                : hidden("name", d.name)) +
                      input_field("text", "channel", c.t("channel"), d.channel) +
                      input_field("text", "locale", c.t("locale"), d.locale) +
                      "<div class=\"form-text\">" + c.t("variant_help") + "</div></div>" +
                      textarea_field("subject", c.t("subject"), d.subject, 1) +
                      textarea_field("text", c.t("text"), d.text, 8) +
                      textarea_field("html", c.t("html"), d.html, 8) +
                      textarea_field("params", c.t("params"), d.params, 3) +
                      textarea_field("data", c.t("sample_data"), d.data, 5) +
                      "<div class=\"d-flex gap-2 align-items-center\"><button type=\"submit\" "
                      "class=\"btn btn-sm btn-outline-secondary\" name=\"op\" value=\"preview\" "
                      "id=\"preview-button\">" +
                      c.t("preview") + "</button>";
    if (c.admin)
        out +=
            "<button type=\"submit\" class=\"btn btn-sm btn-primary\" name=\"op\" "
            "value=\"save\" id=\"save\">" +
            std::string(c.t("save")) + "</button>";
    if (!d.is_new) out += link(template_path(d.name), c.t("back_to_template"), "back");
    return out + "</div></form>";
}

// The editor holding `d`, with its preview; `error`: why the last save failed.
void show_editor(const WebCall& c, const Draft& d, int status, const std::string& error) {
    render_preview(c, d, d.data, [c, d, status, error](Response answer) {
        const std::string title =
            d.is_new ? c.t("new_template") : c.t("edit_template") + (" " + d.name);
        c.page(status, title,
               heading(title) + (error.empty() ? std::string() : notice("danger", error, "error")) +
                   read_only_notice(c) + "<div class=\"row g-4\"><div class=\"col-lg-6\">" +
                   editor_form(c, d) + "</div><div class=\"col-lg-6\"><h2 class=\"h5\">" +
                   c.t("preview") + "</h2>" + preview_html(c, answer) +
                   "</div></div><script src=\"/static/templates.js\" defer></script>");
    });
}

// PUT /v1/templates/{name}: to the template's page, or the editor again with
// the reason the API gave.
void save(const WebCall& c, const Draft& d) {
    if (auto st = tmpl::check_word(d.name, "template name"); !st)
        return show_editor(c, d, 400, st.error().message);
    json body{{"channel", d.channel},
              {"locale", d.locale},
              {"subject", d.subject},
              {"text", d.text},
              {"html", d.html}};
    if (!util::trim(d.params).empty()) {
        auto params = json_field(d.params, "params", "params");
        if (!params) return show_editor(c, d, 400, params.error().message);
        body["params"] = std::move(*params);
    }
    c.attempt("PUT", "/v1" + template_path(d.name), body, [c, d](Response answer) {
        if (answer.status / 100 == 2) {
            json saved = util::json_or_discarded(answer.body);
            const long version = saved.is_object() ? saved.value("version", 0L) : 0L;
            return c.go(with_query(template_path(d.name), {{"done", "saved"},
                                                           {"version", std::to_string(version)},
                                                           {"channel", d.channel},
                                                           {"locale", d.locale}}));
        }
        if (answer.status == 400 || answer.status == 413 || answer.status == 422)
            return show_editor(c, d, answer.status, error_message(answer));
        c.error_page(answer);
    });
}

}  // namespace

void template_editor(const WebCall& c) {
    if (c.parts[0] == "new-template") {
        Draft d;
        d.is_new = true;
        d.data = "{}";
        return show_editor(c, d, 200, {});
    }
    const std::string name = c.parts[1], channel = c.param("channel"), locale = c.param("locale");
    c.get("/v1" + template_path(name), {}, [c, channel, locale](json t) {
        Draft d = draft_of_variant(t, channel, locale);
        // The sample data: a placeholder for each variable the template uses.
        render_preview(c, d, "{}", [c, d](Response answer) mutable {
            json p = util::json_or_discarded(answer.body);
            d.data = sample_data(answer.status == 200 && p.is_object() ? p["missing"] : json());
            show_editor(c, d, 200, {});
        });
    });
}

void template_post(const WebCall& c) {
    const Draft d = draft_of_form(c);
    const std::string op = c.param("op");
    if (op == "save") return save(c, d);
    if (op == "preview" || c.parts[0] != "template-preview") return show_editor(c, d, 200, {});
    // templates.js: the API's answer as it is, for the script to show.
    render_preview(c, d, d.data, [c](Response answer) {
        answer.headers.emplace_back("Cache-Control", "no-store");
        c.done(std::move(answer));
    });
}

}  // namespace notify::ingest
