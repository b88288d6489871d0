// api_templates.cpp - /v1/templates: the versioned templates of
// store::TemplateStore over HTTP, checked as `notifyctl template add` checks
// them (template/checks.hpp). Every change is a new version, written at once
// through the loop thread's store: templates are not part of the accept path's
// group commit. The author of a version is the API key's name.
//
//   GET    /v1/templates                   {"templates":[{name,channel,locale,version,
//                                            created_at,author}]}   current, not deleted
//   GET    /v1/templates/{name}            {"name","variants":[...]}: every current
//                                          variant with subject, text, html, params
//          ?channel=&locale=[&version=N]   one variant: the one a send would use
//                                          (fallbacks as TemplateStore::resolve), or
//                                          with version that exact variant's version
//   GET    /v1/templates/{name}/history    {"name","versions":[...]} with each "state"
//   PUT    /v1/templates/{name}            {"channel","locale","subject","text","html",
//                                          "params"} -> 201 {"name","channel","locale",
//                                          "version"}; syntax errors 422 template_syntax
//   DELETE /v1/templates/{name}?channel=&locale=   a deleted version; 404 when none
//   POST   /v1/templates/{name}/restore    {"version","channel","locale"} -> 200
//   POST   /v1/templates/preview           {"channel","locale","subject","text","html",
//                                          "data"} -> 200 {"subject","text","html",
//                                          "missing":[...]}: the parts rendered against
//                                          data as a send renders them (HTML escaped in
//                                          html, partials from the store for the channel
//                                          and locale); variables data leaves unfilled
//                                          are listed, not refused. Checked as PUT
//                                          checks (422 template_syntax with the field);
//                                          a rendering past its budget is 413
//                                          render_too_large; stores nothing, so the
//                                          read scope may ask.
#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "api.hpp"
#include "door.hpp"
#include "store/template_store.hpp"
#include "template/checks.hpp"
#include "util/json_parse.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

const std::vector<std::string> kPutFields = {"channel", "locale", "subject",
                                             "text",    "html",   "params"};
const std::vector<std::string> kRestoreFields = {"version", "channel", "locale"};
const std::vector<std::string> kPreviewFields = {"channel", "locale", "subject",
                                                 "text",    "html",   "data"};

Error store_failure() {
    return make_error(ErrorKind::unavailable, "store_unavailable",
                      "the store cannot be reached; try again shortly");
}

Error invalid(const std::string& code, const std::string& message, const std::string& field) {
    return make_error(ErrorKind::invalid, code, message, field);
}

std::string variant_label(const std::string& name, const std::string& channel,
                          const std::string& locale) {
    std::string s = "'" + name + "'";
    if (!channel.empty()) s += " for channel '" + channel + "'";
    if (!locale.empty()) s += " in locale '" + locale + "'";
    return s;
}

std::string query_value(const Request& req, const std::string& name) {
    auto it = req.query.find(name);
    return it == req.query.end() ? std::string() : it->second;
}

Status allow_query(const Request& req, const std::vector<std::string>& names) {
    for (const auto& [name, value] : req.query)
        if (std::find(names.begin(), names.end(), name) == names.end())
            return invalid("unknown_field",
                           "unknown query parameter '" + name + "'" +
                               util::did_you_mean(name, names) +
                               (names.empty() ? " (this route takes none)"
                                              : " (known: " + util::join(names, ", ") + ")"),
                           name);
    return ok();
}

// The request body: a JSON object of known fields, within ingest.max_body_bytes.
Expected<json> object_body(const Request& req, const std::vector<std::string>& fields,
                           long max_bytes) {
    auto body = parse_sized_body(req.body, max_bytes);
    if (!body) return body.error();
    if (!body->is_object()) return invalid("invalid_request", "the body must be a JSON object", "");
    for (const auto& [key, _] : body->items())
        if (std::find(fields.begin(), fields.end(), key) == fields.end())
            return invalid("unknown_field",
                           "unknown field '" + key + "'" + util::did_you_mean(key, fields) +
                               " (known: " + util::join(fields, ", ") + ")",
                           key);
    return body;
}

Status read_text(const json& body, const std::string& name, std::string& out) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) return ok();
    if (!it->is_string()) return invalid("invalid_type", "'" + name + "' must be a string", name);
    out = it->get<std::string>();
    return ok();
}

json params_value(const std::string& params_json) {
    if (params_json.empty()) return json::object();
    auto j = util::json_or_discarded(params_json);
    return j.is_discarded() ? json(params_json) : j;
}

json brief(const store::TemplateVersion& t) {
    return json{{"name", t.name},
                {"channel", t.channel},
                {"locale", t.locale},
                {"version", t.version},
                {"created_at", util::format_rfc3339(t.created_at)},
                {"author", t.author}};
}

json full(const store::TemplateVersion& t) {
    json j = brief(t);
    j["deleted"] = t.deleted;
    j["subject"] = t.subject;
    j["text"] = t.text;
    j["html"] = t.html;
    j["params"] = params_value(t.params_json);
    return j;
}

// The answers of each route; errors come back as Error and are answered by the caller.
class TemplateRoutes {
  public:
    TemplateRoutes(store::Store& store, const Config& config, rendering::StoredTemplates& renderer,
                   const std::string& author)
        : templates_(store, config.templates.default_locale),
          renderer_(renderer),
          config_(config),
          author_(author) {}

    Expected<Response> list(const Request& req) {
        if (auto st = allow_query(req, {}); !st) return st.error();
        json out = json::array();
        for (const auto& t : templates_.list()) out.push_back(brief(t));
        return json_response(200, json{{"templates", std::move(out)}});
    }

    Expected<Response> show(const Request& req, const std::string& name) {
        if (auto st = allow_query(req, {"channel", "locale", "version"}); !st) return st.error();
        bool one = req.query.count("channel") || req.query.count("locale");
        std::string channel = query_value(req, "channel"), locale = query_value(req, "locale");
        if (req.query.count("version")) {
            auto version = positive(query_value(req, "version"), "version");
            if (!version) return version.error();
            for (const auto& t : templates_.history(name))
                if (t.channel == channel && t.locale == locale && t.version == *version)
                    return json_response(200, full(t));
            return make_error(ErrorKind::not_found, "not_found",
                              "no template " + variant_label(name, channel, locale) +
                                  " at version " + std::to_string(*version));
        }
        if (one) {
            if (auto t = templates_.resolve(name, channel, locale))
                return json_response(200, full(*t));
            return make_error(
                ErrorKind::not_found, "not_found",
                "no template " + variant_label(name, channel, locale) + variants_hint(name));
        }
        json variants = json::array();
        for (const auto& t : templates_.list())
            if (t.name == name) variants.push_back(full(t));
        if (variants.empty())
            return make_error(ErrorKind::not_found, "not_found", "no template '" + name + "'");
        return json_response(200, json{{"name", name}, {"variants", std::move(variants)}});
    }

    Expected<Response> history(const Request& req, const std::string& name) {
        if (auto st = allow_query(req, {}); !st) return st.error();
        auto all = templates_.history(name);
        if (all.empty())
            return make_error(ErrorKind::not_found, "not_found", "no template '" + name + "'");
        json versions = json::array();
        for (size_t i = 0; i < all.size(); ++i) {
            // History is ordered by channel, locale, version: the last of a variant is current.
            bool newest = i + 1 == all.size() || all[i + 1].channel != all[i].channel ||
                          all[i + 1].locale != all[i].locale;
            json j = brief(all[i]);
            j["state"] = all[i].deleted ? "deleted" : newest ? "current" : "old";
            versions.push_back(std::move(j));
        }
        return json_response(200, json{{"name", name}, {"versions", std::move(versions)}});
    }

    Expected<Response> put(const Request& req, const std::string& name) {
        if (auto st = allow_query(req, {}); !st) return st.error();
        if (auto st = tmpl::check_word(name, "template name"); !st)
            return bad_word(st.error(), "invalid_name", "name");
        auto body = object_body(req, kPutFields, config_.ingest.max_body_bytes);
        if (!body) return body.error();
        store::TemplateVersion t;
        t.name = name;
        if (auto st = read_variant(*body, t); !st) return st.error();
        if (t.subject.empty() && t.text.empty() && t.html.empty())
            return invalid("missing_field", "give at least one of 'subject', 'text', 'html'", "");
        if (auto p = body->find("params"); p != body->end() && !p->is_null()) {
            if (!p->is_object())
                return invalid("invalid_type", "'params' must be an object", "params");
            auto params = tmpl::normalized_params(p->dump(), "params");
            if (!params) return params.error();
            t.params_json = *params;
        }
        if (auto st = tmpl::check_template({t.subject, t.text, t.html, t.params_json},
                                           partials_for(t.channel, t.locale));
            !st)
            return st.error();
        t.author = author_;
        auto version = templates_.add(t);
        if (!version) return version.error();
        Response r = json_response(201, json{{"name", t.name},
                                             {"channel", t.channel},
                                             {"locale", t.locale},
                                             {"version", *version}});
        r.headers.emplace_back("Location", "/v1/templates/" + t.name);
        return r;
    }

    Expected<Response> remove(const Request& req, const std::string& name) {
        if (auto st = allow_query(req, {"channel", "locale"}); !st) return st.error();
        std::string channel = query_value(req, "channel"), locale = query_value(req, "locale");
        auto version = templates_.remove(name, channel, locale, author_);
        if (!version) {
            if (version.error().kind != ErrorKind::not_found) return version.error();
            return make_error(
                ErrorKind::not_found, "not_found",
                "no template " + variant_label(name, channel, locale) + variants_hint(name));
        }
        return json_response(200, json{{"name", name},
                                       {"channel", channel},
                                       {"locale", locale},
                                       {"version", *version},
                                       {"deleted", true}});
    }

    Expected<Response> restore(const Request& req, const std::string& name) {
        if (auto st = allow_query(req, {}); !st) return st.error();
        auto body = object_body(req, kRestoreFields, config_.ingest.max_body_bytes);
        if (!body) return body.error();
        std::string channel, locale;
        if (auto st = read_text(*body, "channel", channel); !st) return st.error();
        if (auto st = read_text(*body, "locale", locale); !st) return st.error();
        auto v = body->find("version");
        if (v == body->end() || v->is_null())
            return invalid("missing_field", "'version' is required: the version to go back to",
                           "version");
        if (!v->is_number_integer() || v->get<long long>() < 1 ||
            v->get<long long>() > std::numeric_limits<int>::max())
            return invalid("invalid_type", "'version' must be a whole number from 1", "version");
        int old = static_cast<int>(v->get<long long>());
        auto version = templates_.restore(name, channel, locale, old, author_);
        if (!version) return version.error();
        return json_response(200, json{{"name", name},
                                       {"channel", channel},
                                       {"locale", locale},
                                       {"restored", old},
                                       {"version", *version}});
    }

    Expected<Response> preview(const Request& req) {
        if (auto st = allow_query(req, {}); !st) return st.error();
        auto body = object_body(req, kPreviewFields, config_.ingest.max_body_bytes);
        if (!body) return body.error();
        store::TemplateVersion t;
        if (auto st = read_variant(*body, t); !st) return st.error();
        json data = json::object();
        if (auto d = body->find("data"); d != body->end() && !d->is_null()) {
            if (!d->is_object()) return invalid("invalid_type", "'data' must be an object", "data");
            data = std::move(*d);
        }
        if (auto st = tmpl::check_template({t.subject, t.text, t.html, ""},
                                           partials_for(t.channel, t.locale));
            !st)
            return st.error();
        std::vector<std::string> missing;
        auto content = renderer_.render_draft(t, data, missing);
        if (!content) return content.error();
        return json_response(200, json{{"subject", content->subject},
                                       {"text", content->body},
                                       {"html", content->html},
                                       {"missing", missing}});
    }

  private:
    // A variant's channel is one of the configuration ("" is every channel)
    // and its locale a plain word.
    // The variant's channel and locale and its parts, checked.
    Status read_variant(const json& body, store::TemplateVersion& t) {
        for (const auto& [field_name, slot] : {std::pair{"channel", &t.channel},
                                               {"locale", &t.locale},
                                               {"subject", &t.subject},
                                               {"text", &t.text},
                                               {"html", &t.html}})
            if (auto st = read_text(body, field_name, *slot); !st) return st;
        return check_variant(t);
    }

    Status check_variant(const store::TemplateVersion& t) {
        if (!t.channel.empty() && !config_.channel(t.channel))
            return invalid("unknown_channel",
                           "unknown channel '" + t.channel + "'" +
                               util::did_you_mean(t.channel, config_.channel_names()) +
                               " (known: " + util::join(config_.channel_names(), ", ") + ")",
                           "channel");
        if (!t.locale.empty())
            if (auto st = tmpl::check_word(t.locale, "locale"); !st)
                return bad_word(st.error(), "invalid_locale", "locale");
        return ok();
    }

    // {{> name}} is the stored template `name` for the same channel and locale,
    // as when a notification is rendered.
    tmpl::PartialLoader partials_for(const std::string& channel, const std::string& locale) {
        return [this, channel,
                locale](const std::string& partial) -> std::optional<tmpl::PartialSource> {
            auto p = templates_.resolve(partial, channel, locale);
            if (!p) return std::nullopt;
            return tmpl::PartialSource(p->text);
        };
    }

    // check_word's error, with the code word and field of this API.
    static Error bad_word(Error e, const std::string& code, const std::string& name) {
        e.kind = ErrorKind::invalid;
        e.code = code;
        e.field = name;
        return e;
    }

    static Expected<int> positive(const std::string& text, const std::string& name) {
        char* end = nullptr;
        long n = std::strtol(text.c_str(), &end, 10);
        if (text.empty() || *end || n < 1 || n > std::numeric_limits<int>::max())
            return invalid("invalid_type",
                           "'" + name + "' must be a whole number from 1, not '" + text + "'",
                           name);
        return static_cast<int>(n);
    }

    // " (it has channel 'sms' and locale 'zh-CN'; the default variant)": the
    // variants `name` does have, for a lookup that found none.
    std::string variants_hint(const std::string& name) {
        std::vector<std::string> have;
        for (const auto& t : templates_.list()) {
            if (t.name != name) continue;
            std::string v = t.channel.empty() ? "" : "channel '" + t.channel + "'";
            if (!t.locale.empty()) v += (v.empty() ? "" : " and ") + ("locale '" + t.locale + "'");
            have.push_back(v.empty() ? "the default variant" : v);
        }
        return have.empty() ? std::string() : " (it has " + util::join(have, "; ") + ")";
    }

    store::TemplateStore templates_;
    rendering::StoredTemplates& renderer_;
    const Config& config_;
    std::string author_;
};

// The methods each path takes; "" for a path that is not a route.
std::string allowed_methods(const std::vector<std::string>& parts) {
    if (parts.size() == 1) return "GET";
    if (parts.size() == 2 && parts[1] == "preview") return "GET, PUT, DELETE, POST";
    if (parts.size() == 2) return "GET, PUT, DELETE";
    if (parts.size() == 3 && parts[2] == "history") return "GET";
    if (parts.size() == 3 && parts[2] == "restore") return "POST";
    return "";
}

}  // namespace

bool is_template_preview(const std::string& method, const std::vector<std::string>& parts) {
    return method == "POST" && parts.size() == 2 && parts[0] == "templates" &&
           parts[1] == "preview";
}

void Api::templates_request(const Request& req, const std::vector<std::string>& parts,
                            const Principal& who, const Reply& done) {
    std::string allowed = allowed_methods(parts);
    if (allowed.empty())
        return fail(done, make_error(ErrorKind::not_found, "not_found",
                                     "no such route '" + req.path + "'"));
    if (!method_allowed(req, allowed, done)) return;

    Expected<Response> answer = store_failure();
    try {
        TemplateRoutes routes(reads_, config_, templates_.shared(), who.name);
        const std::string name = parts.size() > 1 ? parts[1] : std::string();
        if (parts.size() == 1)
            answer = routes.list(req);
        else if (parts.size() == 3)
            answer = parts[2] == "history" ? routes.history(req, name) : routes.restore(req, name);
        else if (req.method == "GET")
            answer = routes.show(req, name);
        else if (req.method == "PUT")
            answer = routes.put(req, name);
        else if (req.method == "POST")
            answer = routes.preview(req);
        else
            answer = routes.remove(req, name);
    } catch (const std::exception& e) {
        NLOG(error, "", "templates error=" << log::clip(e.what()));
        answer = store_failure();
    } catch (...) {
        // The store's reads throw its own failure type: the store is busy or broken.
        NLOG(error, "", "templates error=store_failure path=" << req.path);
        answer = store_failure();
    }
    if (!answer) {
        const Error& e = answer.error();
        return fail(done, e.code == "template_syntax" ? 422 : http_status(e.kind), e);
    }
    if (req.method != "GET" && !is_template_preview(req.method, parts))
        NLOG(info, "",
             "template " << (req.method == "PUT"      ? "added"
                             : req.method == "DELETE" ? "removed"
                                                      : "restored")
                         << " name=" << parts[1] << " by=" << who.name
                         << " status=" << answer->status);
    done(std::move(*answer));
}

}  // namespace notify::ingest
