// config_cmd.cpp - `notifyctl config check` (load the configuration, check
// each provider's settings with the channel adapters' own rules, read the
// calendar's zone and override file and the CURVE secrets, and say whether it
// is good, with file:line when not) and `notifyctl config show` (every
// setting, its value and where it came from); `config types` is
// config_types.cpp. Secrets are masked by
// declaration: a global key's `secret` flag in config.cpp, a provider key's in
// its type's `keys` (channels/registry.hpp); URLs lose their passwords.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "calendar/calendar.hpp"
#include "command.hpp"
#include "config_link.hpp"
#include "config_secret.hpp"
#include "config_types.hpp"
#include "daemon_path.hpp"
#include "output.hpp"
#include "provider_type.hpp"
#include "providers/shown_settings.hpp"
#include "util/json_parse.hpp"
#include "util/redact.hpp"
#include "util/strings.hpp"

namespace notify::cli {

namespace {

struct Line {
    std::string key, value, origin;
};

std::string shown(const Setting& s) {
    return is_secret_setting(s.key) ? util::masked_secret(s.value)
                                    : util::without_password(s.value);
}

// A provider's table with its secrets masked.
nlohmann::json shown_settings(const ProviderConfig& p) {
    nlohmann::json settings = util::json_or_discarded(providers::shown_settings(p));
    return settings.is_object() ? settings : nlohmann::json::object();
}

// The keys notify reads itself that the table leaves out, with the values
// they take: the provider's cap of attempts in flight (for a type held to it)
// and its type's documented rate limit.
nlohmann::json own_defaults(const ProviderConfig& p, const nlohmann::json& settings) {
    nlohmann::json out = nlohmann::json::object();
    const ProviderType* type = find_provider_type(p.type);
    if (!settings.contains("max_connections") && !(type && type->multiplexed))
        out["max_connections"] = p.max_connections;
    if (!settings.contains("rate_limit") && !p.rate_limits.empty())
        out["rate_limit"] = rate_limit_text(p.rate_limits);
    return out;
}

std::vector<Line> provider_lines(const Config& c) {
    std::vector<Line> out;
    auto add = [&out](const std::string& key, const nlohmann::json& v, const std::string& origin) {
        out.push_back({key, v.is_string() ? v.get<std::string>() : v.dump(), origin});
    };
    for (const auto& [name, p] : c.providers) {
        std::string origin = p.line ? c.file + ":" + std::to_string(p.line) : "default";
        nlohmann::json settings = shown_settings(p);
        for (const auto& [k, v] : settings.items()) add("providers." + name + "." + k, v, origin);
        const nlohmann::json defaults = own_defaults(p, settings);
        for (const auto& [k, v] : defaults.items())
            add("providers." + name + "." + k, v, "default");
    }
    for (const auto& [name, ch] : c.channels)
        out.push_back({"channels." + name + ".providers", util::join(ch.providers, ","),
                       c.file.empty() ? "default" : c.file});
    return out;
}

int show(Context& ctx) {
    auto config = load(ctx);
    if (!config) return fail(ctx, config.error());
    const Config& c = *config;
    if (ctx.globals.json) {
        nlohmann::json j = {{"file", c.file.empty() ? nlohmann::json() : nlohmann::json(c.file)}};
        j["settings"] = nlohmann::json::array();
        for (const auto& s : c.settings)
            j["settings"].push_back({{"key", s.key}, {"value", shown(s)}, {"origin", s.origin}});
        j["providers"] = nlohmann::json::object();
        // The tables as written; what notify takes for the keys they leave
        // out apart, so that "providers" can be written back as it was.
        j["provider_defaults"] = nlohmann::json::object();
        for (const auto& [name, p] : c.providers) {
            nlohmann::json settings = shown_settings(p);
            if (nlohmann::json defaults = own_defaults(p, settings); !defaults.empty())
                j["provider_defaults"][name] = std::move(defaults);
            j["providers"][name] = std::move(settings);
        }
        j["channels"] = nlohmann::json::object();
        for (const auto& [name, ch] : c.channels)
            j["channels"][name] = {{"providers", ch.providers}};
        print_json(ctx.out, j);
        return exit_ok;
    }
    std::vector<Line> lines;
    for (const auto& s : c.settings) lines.push_back({s.key, shown(s), s.origin});
    auto rest = provider_lines(c);
    lines.insert(lines.end(), rest.begin(), rest.end());
    size_t width = 0;
    for (const auto& l : lines)
        width = std::max(width, std::min<size_t>(64, display_width(l.key + " = " + l.value)));
    ctx.out << "# " << (c.file.empty() ? "built-in defaults (no configuration file)" : c.file)
            << "\n";
    for (const auto& l : lines) {
        std::string text = l.key + " = " + l.value;
        size_t w = display_width(text);
        ctx.out << text << std::string(w < width ? width - w : 0, ' ') << "    # " << l.origin
                << "\n";
    }
    return exit_ok;
}

// Each provider's own settings, as the worker's adapter will read them: the
// worker reads them (`notify-channel-worker --check`), one line per mistake on
// its stdout and 65. Anything else it says or does (a worker too old for
// --check, one that cannot start) is not a verdict on the file: 70 (69 when
// it cannot be run at all), with what it wrote on stderr.
int check_providers(Context& ctx, const Config& c) {
    constexpr size_t kMaxReport = 1 << 20;
    auto worker = locate_daemon("notify-channel-worker");
    if (!worker)
        return fail(ctx, exit_unavailable, "cannot check the providers: " + worker.error().message);
    std::vector<std::string> args = {"--check"};
    if (!c.file.empty()) args.insert(args.end(), {"--config", c.file});
    auto done = run_to_end(*worker, args, kMaxReport);
    if (!done)
        return fail(ctx, exit_unavailable, "cannot check the providers: " + done.error().message);
    if (done->status == exit_ok) return exit_ok;
    std::vector<std::string> mistakes;
    if (done->status == exit_data)
        for (auto& line : util::split(done->out, '\n'))
            if (!line.empty()) mistakes.push_back(std::move(line));
    if (mistakes.empty()) {
        std::string why = util::trim(done->err);
        return fail(ctx, done->status == 127 ? exit_unavailable : exit_software,
                    "cannot check the providers: '" + *worker + " --check' exited " +
                        std::to_string(done->status) + (why.empty() ? "" : ": " + why));
    }
    for (const auto& line : mistakes) fail(ctx, exit_data, line);
    return exit_data;
}

int check(Context& ctx) {
    auto config = load(ctx);
    if (!config) return fail(ctx, config.error());
    const Config& c = *config;
    int code = check_providers(ctx, c);
    // The calendar's zone and override file are part of the configuration.
    if (auto calendar = calendar::Calendar::load(c.calendar); !calendar)
        code = fail(ctx, calendar.error());
    // The CURVE secrets, read as the daemons read them when they start.
    const std::pair<const std::string*, const char*> secrets[] = {
        {&c.router.curve_secret_key, "router.curve_secret_key"},
        {&c.worker.curve_secret_key, "worker.curve_secret_key"}};
    for (const auto& [value, key] : secrets)
        if (!value->empty())
            if (auto read = resolve_key(*value, key); !read) code = fail(ctx, read.error());
    if (code != exit_ok) return code;
    if (!ctx.globals.quiet)
        ctx.out << "config OK: " << (c.file.empty() ? "built-in defaults" : c.file) << " ("
                << count_of(static_cast<std::int64_t>(c.providers.size()), "provider", "providers")
                << ", "
                << count_of(static_cast<std::int64_t>(c.channels.size()), "channel", "channels")
                << ")\n";
    return exit_ok;
}

}  // namespace

Runner setup_config(CLI::App& cmd, Context& ctx) {
    cmd.require_subcommand(0, 1);
    cmd.footer(
        "Examples:\n"
        "  notifyctl --config /etc/notify/notify.toml config check\n"
        "  notifyctl config show | grep '# env'");
    auto* check_cmd = cmd.add_subcommand("check", "load the configuration and report errors");
    check_cmd->footer("Example:\n  notifyctl config check --config ./notify.toml");
    auto* show_cmd = cmd.add_subcommand("show", "print every setting with its origin");
    show_cmd->footer("Example:\n  notifyctl config show --json | jq '.settings[]'");
    auto* types_cmd =
        cmd.add_subcommand("types", "list the provider types, or describe one and its keys");
    auto type_name = std::make_shared<std::string>();
    types_cmd->add_option("TYPE", *type_name, "a provider type, such as 'telegram'");
    types_cmd->footer("Examples:\n  notifyctl config types\n  notifyctl config types apns --json");
    return dispatch(cmd, ctx,
                    {{check_cmd, [&ctx] { return check(ctx); }},
                     {show_cmd, [&ctx] { return show(ctx); }},
                     {types_cmd, [&ctx, type_name] { return config_types(ctx, *type_name); }}});
}

}  // namespace notify::cli
