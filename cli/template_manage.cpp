// template_manage.cpp - `notifyctl template add|ls|show|history|rm|restore`:
// the operator's versioned templates, worked on in the store directly (like
// `apikey`), so no daemon is needed. Every change is a new version; `restore`
// writes an old version again as the newest, which is the way to go back.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>

#include "input.hpp"
#include "local_store.hpp"
#include "output.hpp"
#include "store/audit.hpp"
#include "template_manage.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::cli {

tmpl::PartialLoader partials_from(const std::string& dir) {
    if (dir.empty()) return {};
    return [dir](const std::string& name) -> std::optional<tmpl::PartialSource> {
        std::string text;
        if (!util::read_file(dir + "/" + name + ".mustache", text)) return std::nullopt;
        return tmpl::PartialSource(std::move(text));
    };
}

std::string template_author() {
    for (const char* var : {"SUDO_USER", "USER"})
        if (const char* v = std::getenv(var); v && *v) return v;
    return "notifyctl";
}

std::string variant_label(const std::string& name, const std::string& channel,
                          const std::string& locale) {
    std::string s = "'" + name + "'";
    if (!channel.empty()) s += " for channel '" + channel + "'";
    if (!locale.empty()) s += " in locale '" + locale + "'";
    return s;
}

namespace {

std::string or_dash(const std::string& s) {
    return s.empty() ? "-" : s;
}

struct AddArgs {
    std::string name, channel, locale, subject, text, html, params, partials;
};

struct VariantArgs {
    std::string name, channel, locale;
    int version = 0;
};

nlohmann::json params_value(const std::string& params_json) {
    if (params_json.empty()) return nlohmann::json::object();
    auto j = util::json_or_discarded(params_json);
    return j.is_discarded() ? nlohmann::json(params_json) : j;
}

// The store for a command that reads or changes templates that must exist.
Expected<std::unique_ptr<store::Store>> existing_store(const Context& ctx,
                                                       const std::string& name) {
    auto st = open_store(ctx, false);
    if (!st) return st.error();
    if (!*st) return make_error(ErrorKind::not_found, "not_found", "no template '" + name + "'");
    return st;
}

int run_add(Context& ctx, const AddArgs& a) {
    if (auto ok = tmpl::check_word(a.name, "template name"); !ok) return fail(ctx, ok.error());
    if (!a.locale.empty())
        if (auto ok = tmpl::check_word(a.locale, "--locale"); !ok) return fail(ctx, ok.error());
    store::TemplateVersion t;
    t.name = a.name;
    t.channel = a.channel;
    t.locale = a.locale;
    t.subject = a.subject;
    const std::pair<const std::string*, std::string*> files[] = {
        {&a.text, &t.text}, {&a.html, &t.html}, {&a.params, &t.params_json}};
    const char* flags[] = {"--text", "--html", "--params"};
    for (int i = 0; i < 3; ++i) {
        if (files[i].first->empty()) continue;
        auto v = text_or_file(*files[i].first, flags[i]);
        if (!v) return fail(ctx, v.error());
        *files[i].second = std::move(*v);
    }
    if (t.subject.empty() && t.text.empty() && t.html.empty())
        return fail(ctx, exit_usage,
                    "template add: give at least one of --subject, --text, --html");
    for (const auto& [text, what] :
         {std::pair{&t.subject, "--subject"}, {&t.text, "--text"}, {&t.html, "--html"}})
        if (auto ok = utf8_arg(*text, what); !ok) return fail(ctx, ok.error());
    auto params = tmpl::normalized_params(t.params_json);
    if (!params) return fail(ctx, exit_data, "template add: " + params.error().message);
    t.params_json = *params;
    if (auto ok = tmpl::check_template({t.subject, t.text, t.html, t.params_json},
                                       partials_from(a.partials));
        !ok)
        return fail(ctx, exit_data, "template add: " + ok.error().message);
    t.author = template_author();

    auto st = open_store(ctx, true);
    if (!st) return fail(ctx, st.error());
    auto version = store::TemplateStore(**st).add(t);
    if (!version) return fail(ctx, version.error());
    audit_local(ctx, **st, "template.add", t.name,
                store::template_detail(t.name, t.channel, t.locale, *version));
    if (ctx.globals.json)
        print_json(ctx.out, {{"name", t.name},
                             {"channel", t.channel},
                             {"locale", t.locale},
                             {"version", *version}});
    else if (!ctx.globals.quiet)
        ctx.out << "added " << t.name << " version " << *version << "\n";
    return exit_ok;
}

int run_ls(Context& ctx) {
    auto st = open_store(ctx, false);
    if (!st) return fail(ctx, st.error());
    auto all = *st ? store::TemplateStore(**st).list() : std::vector<store::TemplateVersion>{};
    if (ctx.globals.json) {
        for (const auto& t : all)
            print_json(ctx.out, {{"name", t.name},
                                 {"channel", t.channel},
                                 {"locale", t.locale},
                                 {"version", t.version},
                                 {"updated", util::format_rfc3339(t.created_at)},
                                 {"author", t.author}});
        return exit_ok;
    }
    if (all.empty()) {
        ctx.out << "no templates (add one with 'notifyctl template add' or 'notifyctl template "
                   "import DIR')\n";
        return exit_ok;
    }
    Table table({"NAME", "CHANNEL", "LOCALE", "VERSION", "UPDATED"});
    for (const auto& t : all)
        table.add({t.name, or_dash(t.channel), or_dash(t.locale), std::to_string(t.version),
                   util::format_rfc3339(t.created_at)});
    table.print(ctx.out);
    return exit_ok;
}

// "current", "deleted" or "old" for each version of a history, in order.
std::vector<std::string> states_of(const std::vector<store::TemplateVersion>& all) {
    std::vector<std::string> out(all.size(), "old");
    for (size_t i = 0; i < all.size(); ++i) {
        bool newest = i + 1 == all.size() || all[i + 1].channel != all[i].channel ||
                      all[i + 1].locale != all[i].locale;
        if (all[i].deleted)
            out[i] = "deleted";
        else if (newest)
            out[i] = "current";
    }
    return out;
}

Expected<store::TemplateVersion> find_for_show(store::TemplateStore& ts, const VariantArgs& a) {
    if (a.version > 0) {
        for (auto& t : ts.history(a.name))
            if (t.channel == a.channel && t.locale == a.locale && t.version == a.version) return t;
        return make_error(ErrorKind::not_found, "not_found",
                          "no template " + variant_label(a.name, a.channel, a.locale) +
                              " at version " + std::to_string(a.version));
    }
    if (auto t = ts.resolve(a.name, a.channel, a.locale)) return *t;
    std::string hint;
    for (const auto& t : ts.list())
        if (t.name == a.name)
            hint += std::string(hint.empty() ? " (it has " : ", ") +
                    (t.channel.empty() ? "" : "--channel " + t.channel + " ") +
                    (t.locale.empty() ? "the default locale" : "--locale " + t.locale);
    if (!hint.empty()) hint += ")";
    return make_error(ErrorKind::not_found, "not_found",
                      "no template " + variant_label(a.name, a.channel, a.locale) + hint);
}

int run_show(Context& ctx, const VariantArgs& a) {
    auto st = existing_store(ctx, a.name);
    if (!st) return fail(ctx, st.error());
    auto config = load(ctx);
    if (!config) return fail(ctx, config.error());
    store::TemplateStore ts(**st, config->templates.default_locale);
    auto t = find_for_show(ts, a);
    if (!t) return fail(ctx, t.error());
    if (ctx.globals.json) {
        print_json(ctx.out, {{"name", t->name},
                             {"channel", t->channel},
                             {"locale", t->locale},
                             {"version", t->version},
                             {"updated", util::format_rfc3339(t->created_at)},
                             {"author", t->author},
                             {"deleted", t->deleted},
                             {"subject", t->subject},
                             {"text", t->text},
                             {"html", t->html},
                             {"params", params_value(t->params_json)}});
        return exit_ok;
    }
    ctx.out << "name:     " << t->name << "\n"
            << "channel:  " << or_dash(t->channel) << "\n"
            << "locale:   " << or_dash(t->locale) << "\n"
            << "version:  " << t->version << (t->deleted ? " (deleted)" : "") << "\n"
            << "updated:  " << util::format_rfc3339(t->created_at) << " by " << or_dash(t->author)
            << "\n"
            << "subject:  " << t->subject << "\n";
    auto block = [&](const char* label, const std::string& text) {
        if (text.empty()) return;
        ctx.out << "--- " << label << " ---\n" << text;
        if (text.back() != '\n') ctx.out << "\n";
    };
    block("text", t->text);
    block("html", t->html);
    if (!t->params_json.empty()) block("params", params_value(t->params_json).dump(2) + "\n");
    return exit_ok;
}

int run_history(Context& ctx, const std::string& name) {
    auto st = existing_store(ctx, name);
    if (!st) return fail(ctx, st.error());
    auto all = store::TemplateStore(**st).history(name);
    if (all.empty()) return fail(ctx, exit_data, "no template '" + name + "'");
    auto states = states_of(all);
    if (ctx.globals.json) {
        for (size_t i = 0; i < all.size(); ++i)
            print_json(ctx.out, {{"name", name},
                                 {"version", all[i].version},
                                 {"channel", all[i].channel},
                                 {"locale", all[i].locale},
                                 {"updated", util::format_rfc3339(all[i].created_at)},
                                 {"author", all[i].author},
                                 {"state", states[i]}});
        return exit_ok;
    }
    Table table({"VERSION", "CHANNEL", "LOCALE", "UPDATED", "AUTHOR", "STATE"});
    for (size_t i = 0; i < all.size(); ++i)
        table.add({std::to_string(all[i].version), or_dash(all[i].channel), or_dash(all[i].locale),
                   util::format_rfc3339(all[i].created_at), or_dash(all[i].author), states[i]});
    table.print(ctx.out);
    return exit_ok;
}

int run_rm(Context& ctx, const VariantArgs& a) {
    auto st = existing_store(ctx, a.name);
    if (!st) return fail(ctx, st.error());
    auto version =
        store::TemplateStore(**st).remove(a.name, a.channel, a.locale, template_author());
    if (!version) return fail(ctx, version.error());
    audit_local(ctx, **st, "template.remove", a.name,
                store::template_detail(a.name, a.channel, a.locale, *version));
    if (ctx.globals.json)
        print_json(ctx.out, {{"removed", a.name},
                             {"channel", a.channel},
                             {"locale", a.locale},
                             {"version", *version}});
    else if (!ctx.globals.quiet)
        ctx.out << "removed " << a.name << "\n";
    return exit_ok;
}

int run_restore(Context& ctx, const VariantArgs& a) {
    auto st = existing_store(ctx, a.name);
    if (!st) return fail(ctx, st.error());
    auto version = store::TemplateStore(**st).restore(a.name, a.channel, a.locale, a.version,
                                                      template_author());
    if (!version) return fail(ctx, version.error());
    audit_local(ctx, **st, "template.restore", a.name,
                store::template_detail(a.name, a.channel, a.locale, *version, a.version));
    if (ctx.globals.json)
        print_json(ctx.out, {{"name", a.name},
                             {"channel", a.channel},
                             {"locale", a.locale},
                             {"restored", a.version},
                             {"version", *version}});
    else if (!ctx.globals.quiet)
        ctx.out << "restored " << a.name << " version " << a.version << " as version " << *version
                << "\n";
    return exit_ok;
}

void variant_options(CLI::App* cmd, VariantArgs& a) {
    cmd->add_option("--channel", a.channel, "the channel's variant (default: for any channel)");
    cmd->add_option("--locale", a.locale, "the locale's variant, as zh-CN (default: the default)");
}

}  // namespace

void setup_template_manage(CLI::App& cmd, Context& ctx, Subcommands& subs) {
    auto add = std::make_shared<AddArgs>();
    auto* c = cmd.add_subcommand("add", "store a new version of a template");
    c->add_option("name", add->name, "the template's name, as password-reset")->required();
    c->add_option("--channel", add->channel, "a variant for one channel (default: any channel)");
    c->add_option("--locale", add->locale, "a variant for one locale, as zh-CN (default: none)");
    c->add_option("--subject", add->subject, "the subject template");
    c->add_option("--text", add->text, "the plain text body: TEXT or @FILE");
    c->add_option("--html", add->html, "the HTML body: TEXT or @FILE");
    c->add_option("--params", add->params, "channel parameters: a JSON object or @FILE");
    c->add_option("--partials", add->partials, "check {{> name}} against DIR/name.mustache");
    c->footer(
        "Example:\n  notifyctl template add password-reset --locale en --subject 'Reset your "
        "password' --text @reset.txt --html @reset.html --partials templates/partials");
    subs.emplace_back(c, [&ctx, add] { return run_add(ctx, *add); });

    auto* ls = cmd.add_subcommand("ls", "list the current version of every template");
    subs.emplace_back(ls, [&ctx] { return run_ls(ctx); });

    auto show = std::make_shared<VariantArgs>();
    auto* s = cmd.add_subcommand("show", "print a template's subject, bodies and parameters");
    s->add_option("name", show->name, "the template's name")->required();
    variant_options(s, *show);
    s->add_option("--version", show->version, "an older version of that exact variant")
        ->check(CLI::PositiveNumber);
    s->footer("Example:\n  notifyctl template show password-reset --locale zh-CN");
    subs.emplace_back(s, [&ctx, show] { return run_show(ctx, *show); });

    auto hist = std::make_shared<std::string>();
    auto* h = cmd.add_subcommand("history", "every version of every variant of a template");
    h->add_option("name", *hist, "the template's name")->required();
    subs.emplace_back(h, [&ctx, hist] { return run_history(ctx, *hist); });

    auto rm = std::make_shared<VariantArgs>();
    auto* r = cmd.add_subcommand("rm", "remove a template variant (kept in its history)");
    r->add_option("name", rm->name, "the template's name")->required();
    variant_options(r, *rm);
    subs.emplace_back(r, [&ctx, rm] { return run_rm(ctx, *rm); });

    auto res = std::make_shared<VariantArgs>();
    auto* b = cmd.add_subcommand("restore", "write an old version again as the newest");
    b->add_option("name", res->name, "the template's name")->required();
    b->add_option("--version", res->version, "the version to go back to")
        ->required()
        ->check(CLI::PositiveNumber);
    variant_options(b, *res);
    b->footer("Example:\n  notifyctl template restore password-reset --locale en --version 3");
    subs.emplace_back(b, [&ctx, res] { return run_restore(ctx, *res); });
}

}  // namespace notify::cli
