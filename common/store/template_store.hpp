// template_store.hpp - versioned templates in the store.
//
// A template is found by name, channel and locale. Every change is a new version
// of its (name, channel, locale); a removal is a version marked deleted, and going
// back to an old version writes it again as the newest, so the history keeps
// everything. Lookup falls back from the locale to its language, then to the
// default locale (templates.default_locale) and its language, then to a variant
// without a locale ("zh-CN" -> "zh" -> "en" -> ""), and from the channel to the
// template for any channel ("").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

namespace notify::store {

struct TemplateVersion {
    std::string name;
    std::string channel;  // "" for any channel
    std::string locale;   // "" for the default
    int version = 0;
    std::string subject;
    std::string text;
    std::string html;
    std::string params_json;  // channel parameters: a provider's template code, variable mapping
    Millis created_at = 0;
    std::string author;
    bool deleted = false;
};

// The locales to try for `locale`, most specific first, then those of
// `default_locale`, ending with "".
std::vector<std::string> locale_fallbacks(const std::string& locale,
                                          const std::string& default_locale = {});

class TemplateStore {
  public:
    explicit TemplateStore(Store& store, std::string default_locale = {});
    ~TemplateStore();

    // Writes `t` as the newest version of its (name, channel, locale); returns the version.
    Expected<int> add(TemplateVersion t);
    // The newest version, unless it is deleted. With `as_of` > 0: the newest
    // version written at or before that time (what a send made then used).
    std::optional<TemplateVersion> current(const std::string& name, const std::string& channel,
                                           const std::string& locale, Millis as_of = 0);
    // The template to render for a send: locale and channel fallbacks applied,
    // each variant as current() finds it at `as_of`.
    std::optional<TemplateVersion> resolve(const std::string& name, const std::string& channel,
                                           const std::string& locale, Millis as_of = 0);
    // Every version of every variant of `name`, oldest first.
    std::vector<TemplateVersion> history(const std::string& name);
    // The current version of every variant that is not deleted, by name.
    std::vector<TemplateVersion> list();
    // Marks the variant deleted (a new version); not_found when there is none.
    Expected<int> remove(const std::string& name, const std::string& channel,
                         const std::string& locale, const std::string& author);
    // Writes version `version` again as the newest; not_found when it does not exist.
    Expected<int> restore(const std::string& name, const std::string& channel,
                          const std::string& locale, int version, const std::string& author);

  private:
    struct Statements;
    Store& store_;
    std::string default_locale_;
    std::unique_ptr<Statements> st_;
};

}  // namespace notify::store
