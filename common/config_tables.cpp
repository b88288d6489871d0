// config_tables.cpp - [providers.NAME], [channels.NAME] and
// [recipient_limits]; see config_tables.hpp.
#include "config_tables.hpp"

#include <sstream>

#include "provider_type.hpp"
#include "util/strings.hpp"

namespace notify {

Error config_error(const std::string& where, const std::string& what) {
    return make_error(ErrorKind::invalid, "invalid_config", where + ": " + what);
}

std::string where(const std::string& name, const toml::node& node) {
    auto line = node.source().begin.line;
    return line ? name + ":" + std::to_string(line) : name;
}

namespace {

// The most a provider's max_connections may be.
constexpr std::int64_t kMaxConnectionsLimit = 65536;

// "20/1m", several as "5/1s, 100/1m", or "" / "none" for no limit.
Expected<std::vector<FrequencyCap>> parse_rate_limit(const std::string& text) {
    std::vector<FrequencyCap> out;
    if (text.empty() || text == "none") return out;
    for (const auto& part : util::split(text, ',')) {
        std::string one = util::trim(part);
        auto cap = parse_frequency_cap(one);
        if (!cap || cap->count <= 0)
            return make_error(ErrorKind::invalid, "invalid_config",
                              "'" + one +
                                  "' must be COUNT/PERIOD, like \"20/1m\" (twenty a minute), "
                                  "several separated by commas, or \"none\"");
        out.push_back(*cap);
    }
    return out;
}

// `weights = [3, 1]`: one non-negative integer per provider, at least one above 0.
Status read_weights(ChannelConfig& ch, const toml::node& node, const std::string& at) {
    const std::string key = "'channels." + ch.name + ".weights'";
    const auto* arr = node.as_array();
    if (!arr) return config_error(at, key + " must be an array of integers, like [3, 1]");
    if (arr->size() != ch.providers.size())
        return config_error(at, key + " has " + std::to_string(arr->size()) + " weight" +
                                    (arr->size() == 1 ? "" : "s") + " for " +
                                    std::to_string(ch.providers.size()) + " provider" +
                                    (ch.providers.size() == 1 ? "" : "s") +
                                    "; give one per provider, in the same order");
    long total = 0;
    for (const auto& el : *arr) {
        auto w = el.value<int64_t>();
        if (!w) return config_error(at, key + " must be an array of integers, like [3, 1]");
        if (*w < 0)
            return config_error(at, key + ": weight " + std::to_string(*w) +
                                        " is negative; use 0 for a provider kept for "
                                        "failover");
        if (*w > 1'000'000)
            return config_error(
                at, key + ": weight " + std::to_string(*w) + " is too large (at most 1000000)");
        ch.weights.push_back(static_cast<long>(*w));
        total += static_cast<long>(*w);
    }
    if (total == 0) return config_error(at, key + " needs at least one weight above 0");
    return ok();
}

}  // namespace

Status read_providers(Config& c, const toml::table& root, const std::string& name) {
    const toml::node* node = root.get("providers");
    if (!node) return ok();
    const auto* tbl = node->as_table();
    if (!tbl) return config_error(where(name, *node), "'providers' must be a table");
    for (const auto& [key, value] : *tbl) {
        std::string pname(key.str());
        const auto* ptbl = value.as_table();
        if (!ptbl)
            return config_error(where(name, value), "'providers." + pname + "' must be a table");
        ProviderConfig p;
        p.name = pname;
        p.line = static_cast<int>(value.source().begin.line);
        auto type = (*ptbl)["type"].value<std::string>();
        if (!type)
            return config_error(
                where(name, value),
                "provider '" + pname + "' has no 'type' (smtp, webhook, file, ...)");
        p.type = *type;
        if (const toml::node* limit = ptbl->get("rate_limit")) {
            auto text = limit->value<std::string>();
            auto cap = text ? parse_rate_limit(*text)
                            : Expected<std::vector<FrequencyCap>>(make_error(
                                  ErrorKind::invalid, "invalid_config",
                                  "must be a string like \"20/1m\" (twenty a minute) or \"none\""));
            if (!cap)
                return config_error(where(name, *limit),
                                    "'providers." + pname + ".rate_limit': " + cap.error().message);
            p.rate_limits = *cap;
        } else {
            p.rate_limits = default_rate_limit(p.type);
        }
        if (const toml::node* most = ptbl->get("max_connections")) {
            auto n = most->value<std::int64_t>();
            if (!most->is_integer() || !n || *n < 1 || *n > kMaxConnectionsLimit)
                return config_error(where(name, *most),
                                    "'providers." + pname +
                                        ".max_connections' must be a whole number from 1 to " +
                                        std::to_string(kMaxConnectionsLimit));
            p.max_connections = static_cast<long>(*n);
        }
        std::ostringstream js;
        js << toml::json_formatter{*ptbl};
        p.settings_json = js.str();
        c.providers[pname] = std::move(p);
    }
    return ok();
}

Status read_channels(Config& c, const toml::table& root, const std::string& name) {
    const toml::node* node = root.get("channels");
    if (!node) return ok();
    const auto* tbl = node->as_table();
    if (!tbl) return config_error(where(name, *node), "'channels' must be a table");
    for (const auto& [key, value] : *tbl) {
        std::string cname(key.str());
        const auto* ctbl = value.as_table();
        if (!ctbl)
            return config_error(where(name, value), "'channels." + cname + "' must be a table");
        ChannelConfig ch;
        ch.name = cname;
        for (const auto& [ck, cv] : *ctbl) {
            if (ck.str() == "frequency_cap") {
                auto text = cv.value<std::string>();
                auto cap = text ? parse_frequency_cap(*text)
                                : Expected<FrequencyCap>(
                                      make_error(ErrorKind::invalid, "invalid_config",
                                                 "'frequency_cap' must be a string like \"5/1h\""));
                if (!cap)
                    return config_error(
                        where(name, cv),
                        "'channels." + cname + ".frequency_cap': " + cap.error().message);
                ch.frequency_cap = *cap;
            } else if (ck.str() != "providers" && ck.str() != "weights") {
                return config_error(
                    where(name, cv),
                    "unknown key 'channels." + cname + "." + std::string(ck.str()) + "'" +
                        util::did_you_mean(ck.str(), {"providers", "frequency_cap", "weights"}));
            }
        }
        const auto* arr = (*ctbl)["providers"].as_array();
        if (!arr || arr->empty())
            return config_error(where(name, value),
                                "channel '" + cname + "' needs 'providers = [\"...\"]'");
        std::vector<std::string> known;
        for (const auto& [pn, _] : c.providers) known.push_back(pn);
        for (const auto& el : *arr) {
            auto s = el.value<std::string>();
            if (!s) return config_error(where(name, el), "provider names must be strings");
            if (!c.providers.count(*s))
                return config_error(where(name, el), "channel '" + cname +
                                                         "' names unknown provider '" + *s + "'" +
                                                         util::did_you_mean(*s, known));
            ch.providers.push_back(*s);
        }
        // An inbox channel is written by the router, any other by workers: a
        // channel is one or the other, so that failover never crosses over.
        size_t inboxes = 0;
        for (const auto& pn : ch.providers)
            if (address_kind(c.providers.at(pn).type) == AddressKind::user) ++inboxes;
        if (inboxes && inboxes != ch.providers.size())
            return config_error(where(name, value),
                                "channel '" + cname +
                                    "' mixes inbox providers with others; give the inbox a "
                                    "channel of its own");
        if (const toml::node* weights = ctbl->get("weights")) {
            auto st = read_weights(ch, *weights, where(name, *weights));
            if (!st) return st;
        }
        c.channels[cname] = std::move(ch);
    }
    return ok();
}

// [recipient_limits]: CATEGORY = "5/1h" or ["5/1h", "10/1d"].
Status read_recipient_limits(Config& c, const toml::table& root, const std::string& name) {
    const toml::node* node = root.get("recipient_limits");
    if (!node) return ok();
    const auto* tbl = node->as_table();
    if (!tbl) return config_error(where(name, *node), "'recipient_limits' must be a table");
    for (const auto& [key, value] : *tbl) {
        const std::string category(key.str());
        const std::string what = "'recipient_limits." + category + "'";
        std::vector<const toml::node*> items;
        if (const auto* arr = value.as_array())
            for (const auto& el : *arr) items.push_back(&el);
        else
            items.push_back(&value);
        std::vector<FrequencyCap>& caps = c.recipient_limits[category];
        for (const toml::node* item : items) {
            auto text = item->value<std::string>();
            if (!text)
                return config_error(where(name, *item),
                                    what + " must be a cap like \"5/1h\" or a list of them");
            auto cap = parse_frequency_cap(*text);
            if (!cap) return config_error(where(name, *item), what + ": " + cap.error().message);
            if (cap->count == 0)
                return config_error(where(name, *item), what + " needs a cap like \"5/1h\"");
            caps.push_back(*cap);
        }
        if (caps.empty())
            return config_error(where(name, value), what + " needs a cap like \"5/1h\"");
    }
    return ok();
}

}  // namespace notify
