// templating.hpp - a request that names a template gets its subject, text, HTML
// body and webhook payload from it at the door, so the store holds exactly what
// is sent. The rendering itself is rendering::StoredTemplates (shared with the
// router, which renders per user); this is the seam request.cpp sees.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "model.hpp"
#include "rendering/stored_templates.hpp"
#include "util/error.hpp"

namespace notify::accept {

using rendering::Content;
using rendering::TemplateRef;

class TemplateRenderer {
  public:
    virtual ~TemplateRenderer() = default;
    // Fills n.subject, n.body, n.html and n.payload from the template n.template_name.
    virtual Status render(Notification& n, const nlohmann::json& data,
                          const std::string& field_prefix) = 0;
};

// Templates from the store (current versions), parsed once per version and kept.
class StoredTemplates final : public TemplateRenderer {
  public:
    StoredTemplates(store::Store& store, const std::string& default_locale)
        : templates_(store, default_locale) {}
    Status render(Notification& n, const nlohmann::json& data,
                  const std::string& field_prefix) override {
        return templates_.render(n, data, field_prefix);
    }
    // The shared renderer, for callers that render a TemplateRef.
    rendering::StoredTemplates& shared() { return templates_; }

  private:
    rendering::StoredTemplates templates_;
};

}  // namespace notify::accept
