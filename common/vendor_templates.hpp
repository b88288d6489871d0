// vendor_templates.hpp - templates registered at a vendor (SMS template codes,
// WeChat template ids) and how a notification's data fills their parameters.
//
// Some providers send only what the vendor has approved in advance: Aliyun and
// Tencent SMS send a template code with parameters, a WeChat Official Account a
// template id with data fields. A provider of such a type maps each notify
// template to the vendor's:
//
//   [providers.aliyun.templates.login-code]     # notify template "login-code"
//   code   = "SMS_71390007"                     # the vendor's template code or id
//   params = { code = "code", ttl = "minutes" } # vendor parameter = data variable
//   # params = ["code", "minutes"]              # positional (Tencent TemplateParamSet)
//
// A data variable is a dotted path into the notification's data ("order.id").
// Other string keys of the table are the adapter's options (WeChat's url, page).
// The door refuses a send that such a channel's providers could not make.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config.hpp"
#include "util/error.hpp"

namespace notify {

struct VendorTemplate {
    std::string code;
    // vendor parameter -> data variable; positional ones are named "1", "2", ...
    std::vector<std::pair<std::string, std::string>> params;
    bool positional = false;
    std::map<std::string, std::string> options;
};

// True for provider types that send only from a template registered at the vendor.
bool needs_vendor_template(std::string_view provider_type);

// The provider's `templates` table, checked; errors name the provider and key.
Expected<std::map<std::string, VendorTemplate>> read_vendor_templates(
    const ProviderConfig& provider);

// not ok (invalid, "no_vendor_template") when a provider of `channel` sends
// only from vendor templates and has none for `template_name` ("" when the
// notification has no template).
Status check_vendor_template(const Config& config, const std::string& channel,
                             const std::string& template_name, const std::string& field);

// The parameters' values from the notification's data (JSON object text):
// strings as they are, numbers and booleans as JSON text. Fails naming the
// first variable the data lacks.
Expected<std::vector<std::pair<std::string, std::string>>> vendor_params(
    const VendorTemplate& t, const std::string& data_json);

}  // namespace notify
