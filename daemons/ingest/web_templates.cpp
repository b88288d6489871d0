// web_templates.cpp - the dashboard's templates: the current variants of every
// template (GET /v1/templates); one template's variants with their content,
// its version history and the line diff of two versions of a variant
// (GET /v1/templates/{name}[/history]), with an admin's "roll back" per old
// version (POST /v1/templates/{name}/restore). The editor is in
// web_template_editor.cpp.
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "util/line_diff.hpp"
#include "web_html.hpp"
#include "web_pages.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

constexpr const char* kParts[] = {"subject", "text", "html"};

// "email · zh-CN", "every channel · default locale".
std::string variant_label(const WebCall& c, const std::string& channel, const std::string& locale) {
    return (channel.empty() ? std::string(c.t("every_channel")) : channel) + " · " +
           (locale.empty() ? std::string(c.t("default_locale")) : locale);
}

std::string edit_link(const WebCall& c, const std::string& name, const std::string& channel,
                      const std::string& locale, const std::string& id) {
    return link(
        with_query(template_path(name) + "/edit", {{"channel", channel}, {"locale", locale}}),
        c.t("edit"), id);
}

// A number field as the API wants it; text that is not one is passed on for
// the API to refuse by name.
json whole_number(const std::string& text) {
    char* end = nullptr;
    long long n = std::strtoll(text.c_str(), &end, 10);
    return !text.empty() && *end == '\0' ? json(n) : json(text);
}

// The notice a save or a rollback leaves on the template's page.
std::string template_notice(const WebCall& c) {
    const std::string done = c.param("done"), version = c.param("version");
    if (done == "saved") return notice("success", c.t("done_saved") + (" " + version));
    if (done == "restored")
        return notice("success", c.t("done_restored") + (" " + c.param("restored") + "; ") +
                                     c.t("now_version") + " " + version);
    return {};
}

// --- the list and one template --------------------------------------------------

std::string variants_html(const WebCall& c, const std::string& name, const json& variants) {
    std::string tabs = "<ul class=\"nav nav-pills mb-3\" id=\"variant-tabs\">", cards;
    int i = 0;
    for (const auto& v : variants) {
        const std::string channel = str(v, "channel"), locale = str(v, "locale");
        const std::string anchor = "variant-" + std::to_string(i);
        tabs += "<li class=\"nav-item\"><a class=\"nav-link\" href=\"#" + anchor + "\">" +
                escape_html(variant_label(c, channel, locale)) + "</a></li>";
        cards += "<div class=\"card mb-3\" id=\"" + anchor + "\" data-channel=\"" +
                 escape_html(channel) + "\" data-locale=\"" + escape_html(locale) +
                 "\"><div class=\"card-header d-flex gap-3 align-items-center\"><strong>" +
                 escape_html(variant_label(c, channel, locale)) + "</strong><span>" +
                 c.t("version") + " " + std::to_string(v.value("version", 0)) + " · " +
                 escape_html(str(v, "author")) + " · " +
                 escape_html(shown_time(str(v, "created_at"))) + "</span>" +
                 edit_link(c, name, channel, locale, "edit-" + std::to_string(i)) +
                 "</div><div class=\"card-body\">";
        for (const char* part : kParts) {
            if (str(v, part).empty()) continue;
            cards += "<h3 class=\"h6\">" + std::string(c.t(part)) +
                     "</h3><pre class=\"border rounded p-2 bg-light\" data-part=\"" + part + "\">" +
                     escape_html(str(v, part)) + "</pre>";
        }
        cards += "</div></div>";
        ++i;
    }
    return tabs + "</ul>" + cards;
}

// The line diff of versions `a` and `b` (GET /v1/templates/{name}?version=).
std::string diff_html(const WebCall& c, const json& a, const json& b) {
    std::string parts;
    bool changed = false;
    for (const char* part : kParts) {
        const std::string before = str(a, part), after = str(b, part);
        if (before.empty() && after.empty()) continue;
        const util::LineDiff diff = util::line_diff(before, after);
        std::string lines;
        for (const auto& line : diff.lines) {
            const std::string text = escape_html(line.text);
            switch (line.change) {
                case util::LineChange::same:
                    lines += "<span class=\"d-block\">  " + text + "</span>";
                    break;
                case util::LineChange::removed:
                    changed = true;
                    lines +=
                        "<del class=\"d-block text-decoration-none bg-danger bg-opacity-25\">- " +
                        text + "</del>";
                    break;
                case util::LineChange::added:
                    changed = true;
                    lines +=
                        "<ins class=\"d-block text-decoration-none bg-success bg-opacity-25\">+ " +
                        text + "</ins>";
                    break;
            }
        }
        parts += "<h3 class=\"h6\">" + std::string(c.t(part)) + "</h3>" +
                 (diff.coarse ? notice("info", c.t("diff_coarse"), std::string("coarse-") + part)
                              : std::string()) +
                 "<pre class=\"border rounded p-2\" data-part=\"" + part + "\">" + lines + "</pre>";
    }
    return "<section id=\"diff\" class=\"mb-4\"><h2 class=\"h5\">" + std::string(c.t("changes")) +
           ": " + c.t("version") + " " + std::to_string(a.value("version", 0)) + " → " +
           c.t("version") + " " + std::to_string(b.value("version", 0)) + " (" +
           escape_html(variant_label(c, str(b, "channel"), str(b, "locale"))) + ")</h2>" +
           (changed ? std::string() : notice("info", c.t("no_changes"), "no-changes")) + parts +
           "</section>";
}

std::string history_html(const WebCall& c, const std::string& name, const json& versions) {
    HtmlTable table("history", {c.t("channel"), c.t("locale"), c.t("version"), c.t("status"),
                                c.t("author"), c.t("created"), ""});
    int i = 0;
    for (const auto& v : versions) {
        const std::string channel = str(v, "channel"), locale = str(v, "locale"),
                          state = str(v, "state");
        const int version = v.value("version", 0);
        std::string actions = "<div class=\"d-flex flex-wrap gap-2 align-items-center\">";
        if (version > 1)
            actions += link(with_query(template_path(name), {{"channel", channel},
                                                             {"locale", locale},
                                                             {"a", std::to_string(version - 1)},
                                                             {"b", std::to_string(version)}}) +
                                "#diff",
                            c.t("changes"), "changes-" + std::to_string(i));
        if (c.admin && state == "old")
            actions +=
                post_button(template_path(name) + "/restore", c.t("roll_back"),
                            "restore-" + std::to_string(i), c.user.csrf, "btn-outline-warning",
                            hidden("version", std::to_string(version)) +
                                hidden("channel", channel) + hidden("locale", locale));
        actions += "</div>";
        table.row({escape_html(channel.empty() ? c.t("every_channel") : channel),
                   escape_html(locale.empty() ? c.t("default_locale") : locale),
                   std::to_string(version), state_badge(state), escape_html(str(v, "author")),
                   escape_html(shown_time(str(v, "created_at"))), actions},
                  "data-channel=\"" + escape_html(channel) + "\" data-locale=\"" +
                      escape_html(locale) + "\" data-version=\"" + std::to_string(version) +
                      "\" data-state=\"" + escape_html(state) + "\"");
        ++i;
    }
    return "<h2 class=\"h5\">" + std::string(c.t("history")) + "</h2>" + table.html("");
}

}  // namespace

std::string template_path(const std::string& name) {
    return "/templates/" + name;
}

std::string read_only_notice(const WebCall& c) {
    return c.admin ? std::string() : notice("info", c.t("admin_to_save"), "read-only");
}

void templates_page(const WebCall& c) {
    c.get("/v1/templates", {}, [c](json list) {
        HtmlTable table("templates", {c.t("template_name"), c.t("channel"), c.t("locale"),
                                      c.t("version"), c.t("author"), c.t("created"), ""});
        for (const auto& t : list["templates"]) {
            const std::string name = str(t, "name"), channel = str(t, "channel"),
                              locale = str(t, "locale");
            table.row({link(template_path(name), name),
                       escape_html(channel.empty() ? c.t("every_channel") : channel),
                       escape_html(locale.empty() ? c.t("default_locale") : locale),
                       std::to_string(t.value("version", 0)), escape_html(str(t, "author")),
                       escape_html(shown_time(str(t, "created_at"))),
                       edit_link(c, name, channel, locale, {})},
                      "data-name=\"" + escape_html(name) + "\" data-channel=\"" +
                          escape_html(channel) + "\" data-locale=\"" + escape_html(locale) + "\"");
        }
        std::string add;
        if (c.admin)
            add =
                "<p><a class=\"btn btn-sm btn-primary\" id=\"new-template\" "
                "href=\"/new-template\">" +
                escape_html(c.t("new_template")) + "</a></p>";
        c.page(200, c.t("templates"),
               heading(c.t("templates")) + add + table.html(c.t("no_templates")));
    });
}

void template_page(const WebCall& c) {
    const std::string name = c.parts[1];
    c.get("/v1" + template_path(name), {}, [c, name](json t) {
        c.get("/v1" + template_path(name) + "/history", {}, [c, name, t](json history) {
            auto show = [c, name, t, history](const std::string& diff) {
                c.page(200, name,
                       heading(c.t("template") + (" " + name)) + template_notice(c) +
                           read_only_notice(c) + diff + variants_html(c, name, t["variants"]) +
                           history_html(c, name, history["versions"]));
            };
            const std::string a = c.param("a"), b = c.param("b");
            if (a.empty() || b.empty()) return show({});
            const util::FormFields variant = {{"channel", c.param("channel")},
                                              {"locale", c.param("locale")}};
            util::FormFields first = variant, second = variant;
            first.emplace_back("version", a);
            second.emplace_back("version", b);
            c.get("/v1" + template_path(name), first, [c, name, second, show](json older) {
                c.get("/v1" + template_path(name), second,
                      [c, older, show](json newer) { show(diff_html(c, older, newer)); });
            });
        });
    });
}

void template_restore(const WebCall& c) {
    const std::string name = c.parts[1];
    c.change("POST", "/v1" + template_path(name) + "/restore",
             json{{"version", whole_number(c.param("version"))},
                  {"channel", c.param("channel")},
                  {"locale", c.param("locale")}},
             [c, name](json answer) {
                 c.go(with_query(template_path(name),
                                 {{"done", "restored"},
                                  {"restored", std::to_string(answer.value("restored", 0L))},
                                  {"version", std::to_string(answer.value("version", 0L))},
                                  {"channel", str(answer, "channel")},
                                  {"locale", str(answer, "locale")}}));
             });
}

}  // namespace notify::ingest
