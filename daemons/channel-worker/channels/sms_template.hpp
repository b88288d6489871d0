// sms_template.hpp - what the SMS adapters share: the E.164 check of a
// recipient, and for those that send only templates registered at the vendor
// (aliyun-sms, tencent-sms) the provider's `templates` table, which they
// cannot do without, and a job's vendor template found and filled from the
// job's data.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "channels/settings.hpp"
#include "util/error.hpp"
#include "vendor_templates.hpp"
#include "wire.hpp"

namespace notify::channels {

// '+' and 7 to 15 digits.
bool is_e164(std::string_view to);

// not ok (invalid, "unsupported_recipient") unless `to` is E.164; `example` is
// a number of the vendor's region, for the message.
Status check_e164(const std::string& to, std::string_view example);

// A job's vendor template and its parameters' values.
struct FilledTemplate {
    std::string code;  // the vendor's template code or id
    std::vector<std::pair<std::string, std::string>> params;
};

class SmsTemplates {
  public:
    // The provider's `templates`, which must not be empty. `registry` says
    // where templates are registered ("Aliyun"); `reference` what the vendor
    // calls a template's key ("code", "id").
    static Expected<SmsTemplates> read(const Settings& settings, const ProviderConfig& provider,
                                       const std::string& registry, std::string reference);

    const std::map<std::string, VendorTemplate>& all() const { return templates_; }

    // `job`'s vendor template filled from its data; fails (invalid,
    // "no_vendor_template") when the provider has none for the job.
    Expected<FilledTemplate> fill(const wire::Job& job) const;

  private:
    std::string provider_;
    std::string type_;
    std::string reference_;
    std::map<std::string, VendorTemplate> templates_;
};

}  // namespace notify::channels
