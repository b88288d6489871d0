// template_cmd.cpp - `notifyctl template`: the command group, and `render`,
// which previews a template without any daemon, from a local file (--file) or
// from the store (NAME, with the channel and locale fallbacks a send would
// use). {{> name}} partials come from --partials DIR as DIR/name.mustache.
// Unfilled variables render as empty text and are reported, with exit 65, as a
// send would refuse them. The other subcommands live in template_manage.cpp
// and template_files.cpp.
#include <CLI/CLI.hpp>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "input.hpp"
#include "local_store.hpp"
#include "store/template_store.hpp"
#include "template/template.hpp"
#include "template_manage.hpp"
#include "util/strings.hpp"

namespace notify::cli {

namespace {

struct RenderArgs {
    std::string name;
    std::string file;
    std::string data;
    std::string partials;
    std::string channel;
    std::string locale;
    std::string escape;
};

// One piece to render: "subject", "text", "html" or the file's own name.
struct Piece {
    std::string label;
    std::string text;
    tmpl::Escape escape;
};

tmpl::Escape escape_for_file(const std::string& path) {
    auto ends = [&](const char* suffix) {
        std::string s(suffix);
        return path.size() >= s.size() && path.compare(path.size() - s.size(), s.size(), s) == 0;
    };
    if (ends(".html") || ends(".htm") || ends(".html.mustache")) return tmpl::Escape::html;
    if (ends(".json") || ends(".json.mustache")) return tmpl::Escape::json;
    return tmpl::Escape::none;
}

Expected<tmpl::Escape> parse_escape(const std::string& text) {
    if (text == "html") return tmpl::Escape::html;
    if (text == "none") return tmpl::Escape::none;
    if (text == "json") return tmpl::Escape::json;
    return make_error(ErrorKind::usage, "usage",
                      "--escape: unknown mode '" + text + "'" +
                          util::did_you_mean(text, {"html", "none", "json"}) +
                          " (html, none or json)");
}

Expected<std::vector<Piece>> pieces_from_file(const std::string& path) {
    std::string text;
    if (!util::read_file(path, text))
        return make_error(ErrorKind::no_input, "no_input",
                          "--file: cannot read '" + path + "': " + std::strerror(errno));
    return std::vector<Piece>{{path, std::move(text), escape_for_file(path)}};
}

Expected<std::vector<Piece>> pieces_from_store(const Context& ctx, const RenderArgs& a) {
    auto st = open_store(ctx, false);
    if (!st) return st.error();
    std::optional<store::TemplateVersion> t;
    auto config = load(ctx);
    if (!config) return config.error();
    if (*st)
        t = store::TemplateStore(**st, config->templates.default_locale)
                .resolve(a.name, a.channel, a.locale);
    if (!t)
        return make_error(ErrorKind::invalid, "not_found",
                          "no template '" + a.name + "'" +
                              (a.channel.empty() ? "" : " for channel '" + a.channel + "'") +
                              (a.locale.empty() ? "" : " in locale '" + a.locale + "'"));
    std::vector<Piece> out;
    if (!t->subject.empty()) out.push_back({"subject", t->subject, tmpl::Escape::none});
    if (!t->text.empty()) out.push_back({"text", t->text, tmpl::Escape::none});
    if (!t->html.empty()) out.push_back({"html", t->html, tmpl::Escape::html});
    return out;
}

int run_render(Context& ctx, const RenderArgs& a) {
    if (a.name.empty() == a.file.empty())
        return fail(ctx, exit_usage, "template render: give a template NAME or --file F, not both");
    nlohmann::json data = nlohmann::json::object();
    if (!a.data.empty()) {
        auto d = data_object(a.data);
        if (!d) return fail(ctx, d.error());
        data = std::move(*d);
    }
    std::optional<tmpl::Escape> forced;
    if (!a.escape.empty()) {
        auto e = parse_escape(a.escape);
        if (!e) return fail(ctx, e.error());
        forced = *e;
    }
    auto pieces = a.file.empty() ? pieces_from_store(ctx, a) : pieces_from_file(a.file);
    if (!pieces) return fail(ctx, pieces.error());

    // {{> name}}: --partials DIR, else (for a stored template) the stored template
    // `name`, as a send renders it.
    tmpl::PartialLoader partials = partials_from(a.partials);
    std::unique_ptr<store::Store> partial_store;
    std::unique_ptr<store::TemplateStore> stored;
    if (!partials && a.file.empty()) {
        auto st = open_store(ctx, false);
        if (st && *st) {
            partial_store = std::move(*st);
            auto config = load(ctx);
            stored = std::make_unique<store::TemplateStore>(
                *partial_store, config ? config->templates.default_locale : std::string());
            partials = [&stored,
                        &a](const std::string& name) -> std::optional<tmpl::PartialSource> {
                auto t = stored->resolve(name, a.channel, a.locale);
                if (!t) return std::nullopt;
                return tmpl::PartialSource(t->text);
            };
        }
    }
    std::vector<std::string> missing;
    nlohmann::json rendered = nlohmann::json::object();
    const bool labelled = a.file.empty();
    for (const Piece& p : *pieces) {
        auto parsed = tmpl::Template::parse(p.text);
        if (!parsed)
            return fail(ctx, exit_data,
                        "template render: " + p.label + ": " + parsed.error().message);
        tmpl::RenderOptions options;
        options.escape = forced.value_or(p.escape);
        options.partials = partials;
        options.missing = &missing;
        auto out = tmpl::render(*parsed, data, options);
        if (!out)
            return fail(ctx, exit_data, "template render: " + p.label + ": " + out.error().message);
        if (ctx.globals.json) {
            rendered[labelled ? p.label : "text"] = *out;
        } else {
            if (labelled) ctx.out << "--- " << p.label << " ---\n";
            ctx.out << *out;
            if (labelled && (out->empty() || out->back() != '\n')) ctx.out << "\n";
        }
    }
    if (ctx.globals.json)
        ctx.out << rendered.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    if (!missing.empty())
        return fail(ctx, exit_data, "template render: " + tmpl::missing_message(missing));
    return exit_ok;
}

}  // namespace

Runner setup_template(CLI::App& cmd, Context& ctx) {
    cmd.require_subcommand(0, 1);
    auto a = std::make_shared<RenderArgs>();
    auto* render = cmd.add_subcommand(
        "render", "render a stored template or a local file, without any daemon");
    render->add_option("name", a->name, "a stored template (with --channel and --locale)");
    render->add_option("--file", a->file, "a local Mustache file instead of a stored template");
    render->add_option("--data", a->data, "the variables: a JSON object, or @FILE");
    render->add_option("--partials", a->partials, "{{> name}} reads DIR/name.mustache");
    render->add_option("--channel", a->channel, "the channel whose variant to render");
    render->add_option("--locale", a->locale,
                       "the locale, as zh-CN (falls back to zh, then the default)");
    render->add_option("--escape", a->escape,
                       "html, none or json (default: html for .html files, json for .json, "
                       "none otherwise; stored html bodies are html)");
    render->footer(
        "Examples:\n"
        "  notifyctl template render --file reset.html --data '{\"code\":\"493021\"}' "
        "--partials templates/partials\n"
        "  notifyctl template render password-reset --channel email --locale zh-CN "
        "--data @vars.json");
    Subcommands subs{{render, [&ctx, a] { return run_render(ctx, *a); }}};
    setup_template_manage(cmd, ctx, subs);
    setup_template_files(cmd, ctx, subs);
    cmd.footer(
        "Examples:\n"
        "  notifyctl template import templates/\n"
        "  notifyctl template ls\n"
        "  notifyctl template history password-reset\n"
        "  notifyctl template restore password-reset --locale en --version 2");
    return dispatch(cmd, ctx, std::move(subs));
}

}  // namespace notify::cli
