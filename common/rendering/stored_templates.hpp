// stored_templates.hpp - rendering a notification's content from the templates
// in the store, at the door (ingest) and per user (the router).
//
// A template is found by name, channel and locale with the fallbacks of
// store::TemplateStore::resolve, as of a time: `as_of` 0 is the current version,
// otherwise the newest version written at or before it, so a delivery made later
// (a fan-out) reads what its notification was accepted with. The subject and text
// render without escaping, the HTML with HTML escaping; {{> name}} reads the
// stored template `name` (its text) for the same channel, locale and time. A
// template whose params_json has "payload" (a Mustache string) also renders the
// webhook body with JSON escaping; the result must parse as JSON.
//
// Errors (kind conflict, 422 at the door): "unknown_template", "template_syntax"
// (also a payload that is not JSON) and "missing_variables" naming every
// variable the data leaves unfilled.
//
// Parsed templates are kept per version. Lookups as of a past time cannot change
// and are kept too (bounded); current lookups read the store each time.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <vector>

#include "model.hpp"
#include "util/error.hpp"

namespace notify::store {
class Store;
struct TemplateVersion;
struct User;
}  // namespace notify::store

namespace notify::rendering {

// What a template renders to.
struct Content {
    std::string subject;
    std::string body;
    std::string html;
    std::string payload;  // "" unless the template has a payload
};

// Which template to render.
struct TemplateRef {
    std::string name;
    std::string channel;
    std::string locale;
    Millis as_of = 0;  // 0: the current version
};

class StoredTemplates {
  public:
    StoredTemplates(store::Store& store, const std::string& default_locale);
    ~StoredTemplates();
    StoredTemplates(const StoredTemplates&) = delete;
    StoredTemplates& operator=(const StoredTemplates&) = delete;

    // The content of `ref` rendered against `data`.
    Expected<Content> render(const TemplateRef& ref, const nlohmann::json& data);

    // A template not (yet) stored, as the editor previews it: `draft` (its
    // name, channel, locale, subject, text, html and params_json) rendered
    // against `data` exactly as render() renders a stored one, with partials
    // from the store's current versions for its channel and locale. Variables
    // `data` leaves unfilled are not an error here: their names go to `missing`.
    // Since whoever writes the draft also gives the data, each part may cost
    // at most a million steps of the engine and 1 MiB of output (else
    // "render_too_large", kind too_large).
    Expected<Content> render_draft(const store::TemplateVersion& draft, const nlohmann::json& data,
                                   std::vector<std::string>& missing);

    // At the door: fills n.subject, n.body, n.html and n.payload from the current
    // version of n.template_name for n.channel and n.locale. Errors name the field
    // `field_prefix` + "template" (or + "data" for missing variables).
    Status render(Notification& n, const nlohmann::json& data, const std::string& field_prefix);

  private:
    struct State;
    std::unique_ptr<State> state_;
};

// The "user" object templates see: id, name, email, phone, locale, timezone,
// module, and every attribute (the named fields win over attributes of the same
// name). Empty fields are left out, so a template that needs one reports it as a
// missing variable.
nlohmann::json user_object(const store::User& user);

}  // namespace notify::rendering
