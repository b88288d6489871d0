// sms_template.cpp - E.164 recipients and vendor templates of the SMS adapters.
#include "channels/sms_template.hpp"

#include "util/strings.hpp"

namespace notify::channels {

bool is_e164(std::string_view to) {
    if (to.size() < 8 || to.size() > 16 || to.front() != '+') return false;
    for (char c : to.substr(1))
        if (c < '0' || c > '9') return false;
    return true;
}

Status check_e164(const std::string& to, std::string_view example) {
    if (is_e164(to)) return ok();
    return make_error(
        ErrorKind::invalid, "unsupported_recipient",
        "'" + to + "' is not an E.164 phone number such as '" + std::string(example) + "'");
}

Expected<SmsTemplates> SmsTemplates::read(const Settings& settings, const ProviderConfig& provider,
                                          const std::string& registry, std::string reference) {
    auto templates = read_vendor_templates(provider);
    if (!templates) return templates.error();
    if (templates->empty())
        return settings.error("templates", "'templates' is missing: " + provider.type +
                                               " sends only templates registered at " + registry +
                                               " (add [providers." + provider.name +
                                               ".templates.NAME] with 'code' and 'params')");
    SmsTemplates out;
    out.provider_ = provider.name;
    out.type_ = provider.type;
    out.reference_ = std::move(reference);
    out.templates_ = std::move(*templates);
    return out;
}

Expected<FilledTemplate> SmsTemplates::fill(const wire::Job& job) const {
    if (job.template_name.empty())
        return make_error(ErrorKind::invalid, "no_vendor_template",
                          "the notification has no template; provider '" + provider_ + "' (" +
                              type_ + ") sends only from templates");
    auto t = templates_.find(job.template_name);
    if (t == templates_.end()) {
        std::vector<std::string> known;
        for (const auto& [name, v] : templates_) known.push_back(name);
        return make_error(ErrorKind::invalid, "no_vendor_template",
                          "provider '" + provider_ + "' (" + type_ + ") has no vendor template " +
                              reference_ + " for template '" + job.template_name + "'" +
                              util::did_you_mean(job.template_name, known));
    }
    auto values = vendor_params(t->second, job.data_json);
    if (!values) return values.error();
    return FilledTemplate{t->second.code, std::move(*values)};
}

}  // namespace notify::channels
