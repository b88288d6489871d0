// config_types.cpp - `notifyctl config types [TYPE]`: the provider types this
// build knows, read from their descriptors (provider_type.hpp): what each
// sends through, how its recipients are written, the rate limit a provider
// of it gets when its table sets none, whether it sends only from vendor
// templates, and the keys of its table (secrets marked). Needs no
// configuration file, store or daemon.
#include "config_types.hpp"

#include <nlohmann/json.hpp>

#include "output.hpp"
#include "provider_type.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::cli {

namespace {

nlohmann::json describe(const ProviderType& t) {
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& k : t.keys) keys.push_back({{"name", k.name}, {"secret", k.secret}});
    return {{"type", t.name},
            {"summary", t.summary},
            {"address", address_kind_name(t.address)},
            {"rate_limit", rate_limit_text(t.rate_limit)},
            {"vendor_templates", t.vendor_templates},
            {"keys", keys}};
}

void print_one(std::ostream& out, const ProviderType& t) {
    std::vector<std::string> keys;
    for (const auto& k : t.keys)
        keys.push_back(std::string(k.name) + (k.secret ? " (secret)" : ""));
    out << "type:             " << t.name << "\n"
        << "sends through:    " << t.summary << "\n"
        << "recipients:       " << address_kind_name(t.address) << "\n"
        << "rate limit:       " << rate_limit_text(t.rate_limit)
        << " (when the provider sets no rate_limit)\n"
        << "vendor templates: " << (t.vendor_templates ? "required" : "no") << "\n"
        << "keys:             " << util::join(keys, ", ") << "\n";
}

}  // namespace

int config_types(Context& ctx, const std::string& name) {
    if (!name.empty()) {
        const ProviderType* t = find_provider_type(name);
        if (!t) {
            std::vector<std::string> names;
            for (const ProviderType* p : provider_types()) names.emplace_back(p->name);
            std::string hint = util::did_you_mean(name, names);
            if (hint.empty()) hint = " (known types: " + util::join(names, ", ") + ")";
            return fail(ctx, exit_usage, "unknown provider type '" + name + "'" + hint);
        }
        if (ctx.globals.json)
            print_json(ctx.out, describe(*t));
        else
            print_one(ctx.out, *t);
        return exit_ok;
    }
    if (ctx.globals.json) {
        for (const ProviderType* t : provider_types()) print_json(ctx.out, describe(*t));
        return exit_ok;
    }
    Table table({"TYPE", "RECIPIENTS", "RATE LIMIT", "SENDS THROUGH"});
    for (const ProviderType* t : provider_types())
        table.add({t->name, std::string(address_kind_name(t->address)),
                   rate_limit_text(t->rate_limit), t->summary});
    table.print(ctx.out);
    return exit_ok;
}

}  // namespace notify::cli
