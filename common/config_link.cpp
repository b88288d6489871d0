#include "config_link.hpp"

#include <set>

#include "config_tables.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "util/z85.hpp"

namespace notify {

namespace {

const std::string kZ85 = " must be a key of 40 Z85 characters (notifyctl keys generate)";

// The elements of a list as held (joined by commas), each trimmed: an
// environment variable may separate them with ", ".
std::vector<std::string> list(const std::string& text) {
    std::vector<std::string> out;
    if (!text.empty())
        for (const auto& part : util::split(text, ',')) out.push_back(util::trim(part));
    return out;
}

// worker.router: no more routers than worker.concurrency can give a share of
// the credit to.
Status bind_routers(Config::Worker& w, const Setting& s) {
    auto routers = endpoint_list(s);
    if (!routers) return routers.error();
    w.routers = std::move(*routers);
    if (w.concurrency >= 1 && static_cast<std::size_t>(w.concurrency) < w.routers.size())
        return config_error(s.origin, "'worker.router' names " + std::to_string(w.routers.size()) +
                                          " routers, more than 'worker.concurrency' (" +
                                          std::to_string(w.concurrency) +
                                          ") can give a share of its credit to");
    return ok();
}

}  // namespace

Expected<std::vector<std::string>> endpoint_list(const Setting& s) {
    std::vector<std::string> endpoints = list(s.value);
    const std::string key = "'" + s.key + "'";
    if (endpoints.empty()) return config_error(s.origin, key + " must name at least one endpoint");
    std::set<std::string> seen;
    for (const auto& endpoint : endpoints) {
        if (endpoint.empty()) return config_error(s.origin, key + " has an empty endpoint");
        if (!seen.insert(endpoint).second)
            return config_error(s.origin, key + " names '" + log::clip(endpoint, 200) + "' twice");
    }
    return endpoints;
}

Status bind_link(Config& c, const std::map<std::string, Setting>& settings) {
    auto setting = [&](const char* key) -> const Setting& { return settings.at(key); };
    auto at = [&](const char* key) { return setting(key).origin; };
    auto ingests = endpoint_list(setting("notifyctl.ingest"));
    if (!ingests) return ingests.error();
    c.notifyctl.ingest = std::move(*ingests);
    auto control = endpoint_list(setting("ingest.router"));
    if (!control) return control.error();
    c.ingest.router = std::move(*control);
    if (auto st = bind_routers(c.worker, setting("worker.router")); !st) return st;
    c.router.curve_secret_key = setting("router.curve_secret_key").value;
    c.router.curve_workers = list(setting("router.curve_workers").value);
    c.worker.curve_secret_key = setting("worker.curve_secret_key").value;
    c.worker.router_public_keys = list(setting("worker.router_public_key").value);
    for (const char* key : {"router.curve_secret_key", "worker.curve_secret_key"}) {
        const std::string& value = setting(key).value;
        const bool reference =
            util::starts_with(value, "env:") || util::starts_with(value, "file:");
        if (!value.empty() && !reference && !util::is_z85_key(value))
            return config_error(
                at(key), std::string("'") + key + "'" + kZ85 + ", or env:NAME or file:/path");
    }
    for (const auto& key : c.router.curve_workers)
        if (!util::is_z85_key(key))
            return config_error(
                at("router.curve_workers"),
                "each of 'router.curve_workers'" + kZ85 + "; '" + log::clip(key, 60) + "' is not");
    for (const auto& key : c.worker.router_public_keys)
        if (!util::is_z85_key(key))
            return config_error(at("worker.router_public_key"),
                                "'worker.router_public_key'" + kZ85 +
                                    (c.worker.router_public_keys.size() > 1
                                         ? "; '" + log::clip(key, 60) + "' is not"
                                         : std::string()));
    if (!c.router.curve_secret_key.empty() && c.router.curve_workers.empty())
        return config_error(at("router.curve_secret_key"),
                            "'router.curve_workers' must list the public key of each worker "
                            "allowed in when 'router.curve_secret_key' is set");
    if (c.router.curve_secret_key.empty() && !c.router.curve_workers.empty())
        return config_error(at("router.curve_workers"),
                            "'router.curve_workers' needs 'router.curve_secret_key'");
    if (c.worker.curve_secret_key.empty() != c.worker.router_public_keys.empty())
        return config_error(
            at(c.worker.curve_secret_key.empty() ? "worker.router_public_key"
                                                 : "worker.curve_secret_key"),
            "'worker.curve_secret_key' and 'worker.router_public_key' are set together");
    const std::size_t keys = c.worker.router_public_keys.size(), routers = c.worker.routers.size();
    if (keys > 1 && keys != routers)
        return config_error(at("worker.router_public_key"),
                            "'worker.router_public_key' lists " + std::to_string(keys) +
                                " keys for the " + std::to_string(routers) +
                                " routers of 'worker.router': give one key for all of them, "
                                "or one for each in the same order");
    return ok();
}

Expected<std::string> resolve_key(const std::string& value, const std::string& key) {
    auto text = resolve_secret(value);
    if (!text)
        return make_error(text.error().kind, text.error().code,
                          "'" + key + "': " + text.error().message);
    // Where the key came from, never what it is.
    const std::string found = (value == *text ? std::string("it") : value) + " holds " +
                              std::to_string(text->size()) + " characters" +
                              (text->size() == 40 ? ", not all of them Z85" : "");
    if (!util::is_z85_key(*text))
        return make_error(ErrorKind::invalid, "invalid_key", "'" + key + "'" + kZ85 + "; " + found);
    return text;
}

}  // namespace notify
