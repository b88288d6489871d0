#include "templating.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "store/template_store.hpp"
#include "template/template.hpp"

namespace notify::ingest {

namespace {

struct Parsed {
    std::optional<tmpl::Template> subject, text, html;
};

Error unprocessable(const std::string& code, const std::string& message, const std::string& field) {
    return make_error(ErrorKind::conflict, code, message, field);
}

}  // namespace

struct StoredTemplates::State {
    State(store::Store& s, const std::string& default_locale) : templates(s, default_locale) {}
    store::TemplateStore templates;
    std::map<std::string, Parsed> parsed;  // "name|channel|locale|version"
};

StoredTemplates::StoredTemplates(store::Store& store, const std::string& default_locale)
    : state_(std::make_unique<State>(store, default_locale)) {}

StoredTemplates::~StoredTemplates() = default;

Status StoredTemplates::render(Notification& n, const nlohmann::json& data,
                               const std::string& prefix) {
    auto t = state_->templates.resolve(n.template_name, n.channel, n.locale);
    if (!t) {
        std::string where = " for channel '" + n.channel + "'";
        if (!n.locale.empty()) where += " in locale '" + n.locale + "'";
        return unprocessable("unknown_template", "no template '" + n.template_name + "'" + where,
                             prefix + "template");
    }
    const std::string key =
        t->name + "|" + t->channel + "|" + t->locale + "|" + std::to_string(t->version);
    auto it = state_->parsed.find(key);
    if (it == state_->parsed.end()) {
        Parsed p;
        for (auto [text, out, part] :
             {std::tuple{&t->subject, &p.subject, "subject"}, std::tuple{&t->text, &p.text, "text"},
              std::tuple{&t->html, &p.html, "html"}}) {
            if (text->empty()) continue;
            auto parsed = tmpl::Template::parse(*text);
            if (!parsed)
                return unprocessable(
                    "template_syntax",
                    "template '" + t->name + "' " + part + ": " + parsed.error().message,
                    prefix + "template");
            *out = std::move(*parsed);
        }
        it = state_->parsed.emplace(key, std::move(p)).first;
    }

    std::vector<std::string> missing;
    tmpl::RenderOptions options;
    options.missing = &missing;
    const std::string channel = n.channel, locale = n.locale;
    options.partials = [this, channel,
                        locale](const std::string& name) -> std::optional<tmpl::PartialSource> {
        auto partial = state_->templates.resolve(name, channel, locale);
        if (!partial) return std::nullopt;
        return tmpl::PartialSource(partial->text);
    };
    for (auto [parsed, out, escape] :
         {std::tuple{&it->second.subject, &n.subject, tmpl::Escape::none},
          std::tuple{&it->second.text, &n.body, tmpl::Escape::none},
          std::tuple{&it->second.html, &n.html, tmpl::Escape::html}}) {
        if (!*parsed) continue;
        options.escape = escape;
        auto rendered = tmpl::render(**parsed, data, options);
        if (!rendered)
            return unprocessable("template_syntax",
                                 "template '" + t->name + "': " + rendered.error().message,
                                 prefix + "template");
        *out = std::move(*rendered);
    }
    if (!missing.empty())
        return unprocessable("missing_variables",
                             "template '" + t->name + "': " + tmpl::missing_message(missing),
                             prefix + "data");
    return ok();
}

}  // namespace notify::ingest
