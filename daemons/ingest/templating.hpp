// templating.hpp - a request that names a template gets its subject, text and
// HTML body from it at the door, so the store holds exactly what is sent.
//
// The template is the stored one for the notification's channel and locale,
// with the fallbacks of store::TemplateStore::resolve. The subject and text are
// rendered without escaping, the HTML body with HTML escaping; {{> name}} reads
// the stored template `name` (its text) for the same channel and locale. An
// unknown template, a syntax error in a stored one, and variables that the
// request's data leaves unfilled are refused (422) before anything is stored.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "model.hpp"
#include "util/error.hpp"

namespace notify::store {
class Store;
}

namespace notify::ingest {

class TemplateRenderer {
  public:
    virtual ~TemplateRenderer() = default;
    // Fills n.subject, n.body and n.html from the template n.template_name.
    virtual Status render(Notification& n, const nlohmann::json& data,
                          const std::string& field_prefix) = 0;
};

// Templates from the store, parsed once per version and kept.
class StoredTemplates : public TemplateRenderer {
  public:
    StoredTemplates(store::Store& store, const std::string& default_locale);
    ~StoredTemplates() override;
    Status render(Notification& n, const nlohmann::json& data,
                  const std::string& field_prefix) override;

  private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace notify::ingest
