// stored_templates.cpp - templates from the store, parsed once per version and
// rendered at the door or per user. See stored_templates.hpp.
#include "rendering/stored_templates.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>

#include "store/directory_store.hpp"
#include "store/template_store.hpp"
#include "template/template.hpp"
#include "util/bounded_map.hpp"
#include "util/json_parse.hpp"

namespace notify::rendering {

namespace {

// Past lookups kept at most; the oldest is forgotten for each new one.
constexpr std::size_t kMaxCachedLookups = 20000;
// A draft and its data come from one hand: what rendering one part may cost
// (steps of the engine, bytes of output).
constexpr std::size_t kDraftMaxSteps = 1000000;
constexpr std::size_t kDraftMaxOutput = 1 << 20;

struct Parsed {
    std::string name;
    std::optional<tmpl::Template> subject, text, html, payload;
};

Error unprocessable(const std::string& code, const std::string& message, const std::string& field) {
    return make_error(ErrorKind::conflict, code, message, field);
}

std::string lookup_key(const std::string& name, const std::string& channel,
                       const std::string& locale, Millis as_of) {
    return name + '\n' + channel + '\n' + locale + '\n' + std::to_string(as_of);
}

// The "payload" member of a template's channel parameters, when it has one.
std::optional<std::string> payload_source(const std::string& params_json) {
    if (params_json.empty()) return std::nullopt;
    auto params = util::json_or_discarded(params_json);
    if (!params.is_object()) return std::nullopt;
    auto it = params.find("payload");
    if (it == params.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

Expected<Parsed> parse_parts(const store::TemplateVersion& t) {
    Parsed p;
    p.name = t.name;
    const std::string payload = payload_source(t.params_json).value_or(std::string());
    for (auto [text, out, part] :
         {std::tuple{&t.subject, &p.subject, "subject"}, std::tuple{&t.text, &p.text, "text"},
          std::tuple{&t.html, &p.html, "html"}, std::tuple{&payload, &p.payload, "payload"}}) {
        if (text->empty()) continue;
        auto tree = tmpl::Template::parse(*text);
        if (!tree)
            return unprocessable("template_syntax",
                                 "template '" + t.name + "' " + part + ": " + tree.error().message,
                                 "template");
        *out = std::move(*tree);
    }
    return p;
}

// A rendered payload must be JSON: it is a webhook's body.
Status check_payload(const Parsed& p, const Content& out) {
    if (p.payload && util::json_or_discarded(out.payload).is_discarded())
        return unprocessable(
            "template_syntax",
            "template '" + p.name + "' payload: the rendered payload is not valid JSON",
            "template");
    return ok();
}

}  // namespace

struct StoredTemplates::State {
    State(store::Store& s, const std::string& default_locale) : templates(s, default_locale) {}

    store::TemplateStore templates;
    std::map<std::string, std::shared_ptr<const Parsed>> parsed;  // by name|channel|locale|version
    // Lookups as of a past time: the template found (nullptr: none).
    util::BoundedMap<std::shared_ptr<const Parsed>> past{kMaxCachedLookups};
    util::BoundedMap<std::optional<tmpl::PartialSource>> past_partials{kMaxCachedLookups};

    static bool cacheable(Millis as_of) { return as_of > 0 && as_of < util::now_ms(); }

    Expected<std::shared_ptr<const Parsed>> parse(const store::TemplateVersion& t) {
        const std::string key = lookup_key(t.name, t.channel, t.locale, t.version);
        if (auto it = parsed.find(key); it != parsed.end()) return it->second;
        auto p = parse_parts(t);
        if (!p) return p.error();
        std::shared_ptr<const Parsed> done = std::make_shared<const Parsed>(std::move(*p));
        parsed.emplace(key, done);
        return done;
    }

    // The parsed template for `ref`, or nullptr when there is none.
    Expected<std::shared_ptr<const Parsed>> find(const TemplateRef& ref) {
        const bool keep = cacheable(ref.as_of);
        const std::string key = lookup_key(ref.name, ref.channel, ref.locale, ref.as_of);
        if (keep) {
            if (const auto* known = past.find(key)) return *known;
        }
        std::shared_ptr<const Parsed> found;
        if (auto t = templates.resolve(ref.name, ref.channel, ref.locale, ref.as_of)) {
            auto p = parse(*t);
            if (!p) return p.error();
            found = *p;
        }
        if (keep) {
            past.put(key, found);
        }
        return found;
    }

    std::optional<tmpl::PartialSource> partial(const std::string& name, const TemplateRef& ref) {
        const bool keep = cacheable(ref.as_of);
        const std::string key = lookup_key(name, ref.channel, ref.locale, ref.as_of);
        if (keep) {
            if (const auto* known = past_partials.find(key)) return *known;
        }
        std::optional<tmpl::PartialSource> out;
        if (auto t = templates.resolve(name, ref.channel, ref.locale, ref.as_of)) {
            // Parsed here when it parses; otherwise the text, so that rendering
            // reports its syntax error.
            auto tree = tmpl::Template::parse(t->text);
            out = tree ? tmpl::PartialSource(std::move(*tree)) : tmpl::PartialSource(t->text);
        }
        if (keep) {
            past_partials.put(key, out);
        }
        return out;
    }

    // `p` rendered against `data`: the subject and text unescaped, the HTML
    // HTML-escaped, the payload JSON-escaped; partials as of ref's time.
    // `bounded`: within kDraftMaxSteps and kDraftMaxOutput per part.
    Expected<Content> fill(const Parsed& p, const TemplateRef& ref, const nlohmann::json& data,
                           std::vector<std::string>& missing, bool bounded = false) {
        tmpl::RenderOptions options;
        options.missing = &missing;
        if (bounded) {
            options.max_nodes = kDraftMaxSteps;
            options.max_output = kDraftMaxOutput;
        }
        options.partials = [this, &ref](const std::string& name) { return partial(name, ref); };
        Content out;
        for (auto [tree, text, escape] :
             {std::tuple{&p.subject, &out.subject, tmpl::Escape::none},
              std::tuple{&p.text, &out.body, tmpl::Escape::none},
              std::tuple{&p.html, &out.html, tmpl::Escape::html},
              std::tuple{&p.payload, &out.payload, tmpl::Escape::json}}) {
            if (!*tree) continue;
            options.escape = escape;
            auto rendered = tmpl::render(**tree, data, options);
            if (!rendered && rendered.error().code == "render_too_large") {
                Error e = rendered.error();
                e.message = "template '" + p.name + "': " + e.message;
                e.field = "template";
                return e;
            }
            if (!rendered)
                return unprocessable("template_syntax",
                                     "template '" + p.name + "': " + rendered.error().message,
                                     "template");
            *text = std::move(*rendered);
        }
        return out;
    }
};

StoredTemplates::StoredTemplates(store::Store& store, const std::string& default_locale)
    : state_(std::make_unique<State>(store, default_locale)) {}

StoredTemplates::~StoredTemplates() = default;

Expected<Content> StoredTemplates::render(const TemplateRef& ref, const nlohmann::json& data) {
    auto found = state_->find(ref);
    if (!found) return found.error();
    if (!*found) {
        std::string where = " for channel '" + ref.channel + "'";
        if (!ref.locale.empty()) where += " in locale '" + ref.locale + "'";
        return unprocessable("unknown_template", "no template '" + ref.name + "'" + where,
                             "template");
    }
    std::vector<std::string> missing;
    auto out = state_->fill(**found, ref, data, missing);
    if (!out) return out.error();
    if (!missing.empty())
        return unprocessable("missing_variables",
                             "template '" + (*found)->name + "': " + tmpl::missing_message(missing),
                             "data");
    if (auto st = check_payload(**found, *out); !st) return st.error();
    return out;
}

Expected<Content> StoredTemplates::render_draft(const store::TemplateVersion& draft,
                                                const nlohmann::json& data,
                                                std::vector<std::string>& missing) {
    auto p = parse_parts(draft);
    if (!p) return p.error();
    auto out = state_->fill(*p, TemplateRef{draft.name, draft.channel, draft.locale, 0}, data,
                            missing, true);
    if (!out) return out.error();
    if (auto st = check_payload(*p, *out); !st) return st.error();
    return out;
}

Status StoredTemplates::render(Notification& n, const nlohmann::json& data,
                               const std::string& field_prefix) {
    auto content = render(TemplateRef{n.template_name, n.channel, n.locale, 0}, data);
    if (!content) {
        Error e = content.error();
        e.field = field_prefix + e.field;
        return e;
    }
    n.subject = std::move(content->subject);
    n.body = std::move(content->body);
    n.html = std::move(content->html);
    n.payload = std::move(content->payload);
    return ok();
}

nlohmann::json user_object(const store::User& u) {
    nlohmann::json out = nlohmann::json::object();
    if (!u.attributes_json.empty()) {
        auto attributes = util::json_or_discarded(u.attributes_json);
        if (attributes.is_object()) out = std::move(attributes);
    }
    out["id"] = u.id;
    // A field the user lacks stays out, so a template that needs it reports it missing.
    for (auto [key, value] : {std::pair{"name", &u.name}, std::pair{"email", &u.email},
                              std::pair{"phone", &u.phone}, std::pair{"locale", &u.locale},
                              std::pair{"timezone", &u.timezone}, std::pair{"module", &u.module}}) {
        if (!value->empty())
            out[key] = *value;
        else
            out.erase(key);
    }
    return out;
}

}  // namespace notify::rendering
