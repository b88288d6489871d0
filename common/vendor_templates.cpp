// vendor_templates.cpp - reading providers' vendor template tables and filling
// their parameters from a notification's data.
#include "vendor_templates.hpp"

#include <nlohmann/json.hpp>

#include "provider_type.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"

namespace notify {

namespace {

Error bad(const ProviderConfig& p, const std::string& key, const std::string& what) {
    return make_error(ErrorKind::invalid, "invalid_provider",
                      "provider '" + p.name + "': '" + key + "' " + what, key);
}

// The value at a dotted path, or nullptr.
const nlohmann::json* lookup(const nlohmann::json& data, const std::string& path) {
    const nlohmann::json* at = &data;
    for (const auto& part : util::split(path, '.')) {
        if (!at->is_object()) return nullptr;
        auto it = at->find(part);
        if (it == at->end()) return nullptr;
        at = &*it;
    }
    return at;
}

}  // namespace

bool needs_vendor_template(std::string_view type) {
    const ProviderType* t = find_provider_type(type);
    return t && t->vendor_templates;
}

Expected<std::map<std::string, VendorTemplate>> read_vendor_templates(
    const ProviderConfig& provider) {
    std::map<std::string, VendorTemplate> out;
    auto j = util::json_or_discarded(provider.settings_json);
    if (j.is_discarded() || !j.is_object()) return out;
    auto it = j.find("templates");
    if (it == j.end()) return out;
    if (!it->is_object()) return bad(provider, "templates", "must be a table of templates");
    for (const auto& [name, table] : it->items()) {
        const std::string key = "templates." + name;
        if (!table.is_object()) return bad(provider, key, "must be a table with 'code'");
        VendorTemplate t;
        for (const auto& [k, v] : table.items()) {
            if (k == "params") {
                if (v.is_array()) {
                    t.positional = true;
                    for (size_t i = 0; i < v.size(); ++i) {
                        if (!v[i].is_string() || v[i].get<std::string>().empty())
                            return bad(provider, key + ".params", "must list data variable names");
                        t.params.emplace_back(std::to_string(i + 1), v[i].get<std::string>());
                    }
                } else if (v.is_object()) {
                    for (const auto& [param, var] : v.items()) {
                        if (!var.is_string() || var.get<std::string>().empty())
                            return bad(provider, key + ".params." + param,
                                       "must name a data variable");
                        t.params.emplace_back(param, var.get<std::string>());
                    }
                } else {
                    return bad(provider, key + ".params",
                               "must be a table (vendor parameter = data variable) or a list");
                }
            } else if (!v.is_string()) {
                return bad(provider, key + "." + k, "must be a string");
            } else if (k == "code") {
                t.code = v.get<std::string>();
            } else {
                t.options[k] = v.get<std::string>();
            }
        }
        if (t.code.empty()) return bad(provider, key + ".code", "is missing");
        out[name] = std::move(t);
    }
    return out;
}

Status check_vendor_template(const Config& config, const std::string& channel,
                             const std::string& template_name, const std::string& field) {
    const ChannelConfig* ch = config.channel(channel);
    if (!ch) return ok();
    for (const auto& name : ch->providers) {
        const ProviderConfig* p = config.provider(name);
        if (!p || !needs_vendor_template(p->type)) continue;
        if (template_name.empty())
            return make_error(
                ErrorKind::conflict, "no_vendor_template",
                "channel '" + channel + "' sends only from templates: provider '" + name + "' (" +
                    p->type +
                    ") needs a template ('--template NAME', or \"template\" over HTTP) mapped "
                    "in its 'templates' table",
                field);
        auto templates = read_vendor_templates(*p);
        if (!templates) return templates.error();
        if (!templates->count(template_name)) {
            std::vector<std::string> known;
            for (const auto& [k, v] : *templates) known.push_back(k);
            return make_error(ErrorKind::conflict, "no_vendor_template",
                              "provider '" + name + "' (" + p->type +
                                  ") has no vendor template code for template '" + template_name +
                                  "'" + util::did_you_mean(template_name, known) +
                                  " (add [providers." + name + ".templates." + template_name +
                                  "] with 'code')",
                              field);
        }
    }
    return ok();
}

Expected<std::vector<std::pair<std::string, std::string>>> vendor_params(
    const VendorTemplate& t, const std::string& data_json) {
    nlohmann::json data = nlohmann::json::object();
    if (!data_json.empty()) {
        data = util::json_or_discarded(data_json);
        if (data.is_discarded()) data = nlohmann::json::object();
    }
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [param, var] : t.params) {
        const nlohmann::json* v = lookup(data, var);
        if (!v || v->is_null())
            return make_error(
                ErrorKind::invalid, "missing_data",
                "data has no '" + var + "' for the vendor template's parameter '" + param + "'",
                "data");
        out.emplace_back(param, v->is_string() ? v->get<std::string>() : v->dump());
    }
    return out;
}

}  // namespace notify
