// template_files.cpp - `notifyctl template import DIR` and `export DIR`: a
// folder of templates as files, DIR/NAME/LOCALE.toml ("default" is the default
// locale), each with subject, text and html strings, an optional channel and an
// optional params table; DIR/partials/*.mustache are the partials, stored as
// templates of their own name (text only), which is where {{> name}} finds them
// when a notification is rendered. Import
// checks every file before it stores anything, and skips a variant whose
// current version already has the same content, so importing twice adds
// nothing. Export writes the current templates in the same layout.
#include <CLI/CLI.hpp>

#include <toml++/toml.h>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "local_store.hpp"
#include "output.hpp"
#include "store/audit.hpp"
#include "template_manage.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"

namespace notify::cli {

namespace {

namespace fs = std::filesystem;

struct Found {
    std::string file;
    store::TemplateVersion t;
};

Error bad_file(const std::string& file, const std::string& message) {
    return make_error(ErrorKind::invalid, "invalid_template", file + ": " + message);
}

std::string at(const toml::source_region& where) {
    return "line " + std::to_string(where.begin.line) + ", column " +
           std::to_string(where.begin.column);
}

nlohmann::json to_json(const toml::node& n) {
    if (auto* t = n.as_table()) {
        nlohmann::json o = nlohmann::json::object();
        for (auto&& [k, v] : *t) o[std::string(k.str())] = to_json(v);
        return o;
    }
    if (auto* a = n.as_array()) {
        nlohmann::json o = nlohmann::json::array();
        for (auto&& v : *a) o.push_back(to_json(v));
        return o;
    }
    if (auto* s = n.as_string()) return s->get();
    if (auto* i = n.as_integer()) return i->get();
    if (auto* f = n.as_floating_point()) return f->get();
    if (auto* b = n.as_boolean()) return b->get();
    std::ostringstream os;  // dates and times: as TOML writes them
    if (auto* d = n.as_date()) os << *d;
    if (auto* t = n.as_time()) os << *t;
    if (auto* dt = n.as_date_time()) os << *dt;
    return os.str();
}

// The sorted entries of `dir` that pass `keep`.
std::vector<fs::path> entries(const fs::path& dir, bool (*keep)(const fs::directory_entry&)) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (keep(e)) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

// DIR/partials/*.mustache, each checked for syntax.
Expected<std::map<std::string, std::string>> load_partials(const fs::path& dir) {
    std::map<std::string, std::string> out;
    auto files = entries(dir, [](const fs::directory_entry& e) {
        return e.is_regular_file() && e.path().extension() == ".mustache";
    });
    for (const auto& p : files) {
        std::string text;
        if (!util::read_file(p.string(), text))
            return make_error(ErrorKind::no_input, "no_input", "cannot read '" + p.string() + "'");
        if (auto parsed = tmpl::Template::parse(text); !parsed)
            return bad_file(p.string(), parsed.error().message);
        out[p.stem().string()] = std::move(text);
    }
    return out;
}

Expected<Found> load_file(const fs::path& path, const std::string& name,
                          const tmpl::PartialLoader& partials) {
    const std::string file = path.string();
    Found f{file, {}};
    f.t.name = name;
    std::string stem = path.stem().string();
    f.t.locale = stem.substr(0, stem.find('.'));
    if (f.t.locale == "default") f.t.locale.clear();
    if (!f.t.locale.empty())
        if (auto ok = tmpl::check_word(f.t.locale, "locale"); !ok)
            return bad_file(file, ok.error().message);
    toml::table doc;
    try {
        doc = toml::parse_file(file);
    } catch (const toml::parse_error& e) {
        return bad_file(file, at(e.source()) + ": " + std::string(e.description()));
    }
    static const std::vector<std::string> keys = {"subject", "text", "html", "channel", "params"};
    for (auto&& [k, v] : doc) {
        std::string key(k.str());
        if (std::find(keys.begin(), keys.end(), key) == keys.end())
            return bad_file(file, at(k.source()) + ": unknown key '" + key + "'" +
                                      util::did_you_mean(key, keys) +
                                      " (subject, text, html, channel, params)");
        if (key == "params") {
            if (!v.is_table()) return bad_file(file, at(v.source()) + ": params must be a table");
            auto j = to_json(v);
            if (!j.empty()) f.t.params_json = j.dump();
            continue;
        }
        auto* s = v.as_string();
        if (!s) return bad_file(file, at(v.source()) + ": " + key + " must be a string");
        std::string* slot = key == "subject" ? &f.t.subject
                            : key == "text"  ? &f.t.text
                            : key == "html"  ? &f.t.html
                                             : &f.t.channel;
        *slot = s->get();
    }
    if (f.t.subject.empty() && f.t.text.empty() && f.t.html.empty())
        return bad_file(file, "give at least one of subject, text, html");
    if (auto ok =
            tmpl::check_template({f.t.subject, f.t.text, f.t.html, f.t.params_json}, partials);
        !ok)
        return bad_file(file, ok.error().message);
    return f;
}

// Every template in DIR, all checked; the first fault is the error.
Expected<std::vector<Found>> load_folder(const std::string& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return make_error(ErrorKind::no_input, "no_input", "no such folder '" + dir + "'");
    auto parts = load_partials(fs::path(dir) / "partials");
    if (!parts) return parts.error();
    auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(*parts));
    tmpl::PartialLoader partials =
        [shared](const std::string& n) -> std::optional<tmpl::PartialSource> {
        auto it = shared->find(n);
        if (it == shared->end()) return std::nullopt;
        return tmpl::PartialSource(it->second);
    };
    std::vector<Found> out;
    for (const auto& [name, text] : *shared) {
        Found f;
        f.file = (fs::path(dir) / "partials" / (name + ".mustache")).string();
        f.t.name = name;
        f.t.text = text;
        out.push_back(std::move(f));
    }
    std::map<std::string, std::string> seen;  // variant -> file
    for (const auto& f : out) seen.emplace(f.t.name + "\n\n", f.file);
    auto names = entries(dir, [](const fs::directory_entry& e) {
        return e.is_directory() && e.path().filename() != "partials";
    });
    for (const auto& d : names) {
        std::string name = d.filename().string();
        if (auto ok = tmpl::check_word(name, "template name"); !ok)
            return bad_file(d.string(), ok.error().message);
        auto files = entries(d, [](const fs::directory_entry& e) {
            return e.is_regular_file() && e.path().extension() == ".toml";
        });
        for (const auto& p : files) {
            auto f = load_file(p, name, partials);
            if (!f) return f.error();
            std::string key = f->t.name + "\n" + f->t.channel + "\n" + f->t.locale;
            if (auto [it, fresh] = seen.emplace(key, f->file); !fresh)
                return bad_file(f->file, "the same template as '" + it->second + "'");
            out.push_back(std::move(*f));
        }
    }
    return out;
}

std::string params_key(const std::string& params_json) {
    auto p = tmpl::normalized_params(params_json);
    return p ? *p : params_json;
}

bool same_content(const store::TemplateVersion& a, const store::TemplateVersion& b) {
    return a.subject == b.subject && a.text == b.text && a.html == b.html &&
           params_key(a.params_json) == params_key(b.params_json);
}

std::string variant_suffix(const store::TemplateVersion& t) {
    std::string s;
    if (!t.channel.empty()) s += "channel " + t.channel;
    if (!t.locale.empty()) s += (s.empty() ? "" : ", ") + std::string("locale ") + t.locale;
    return s.empty() ? "" : " (" + s + ")";
}

int run_import(Context& ctx, const std::string& dir, bool dry_run) {
    auto found = load_folder(dir);
    if (!found)
        return fail(ctx, exit_code(found.error().kind),
                    "template import: " + found.error().message);
    auto st = open_store(ctx, !dry_run);
    if (!st) return fail(ctx, st.error());
    std::optional<store::TemplateStore> ts;
    if (*st) ts.emplace(**st);
    const std::string author = template_author();
    int added = 0, unchanged = 0;
    for (auto& f : *found) {
        auto cur = ts ? ts->current(f.t.name, f.t.channel, f.t.locale) : std::nullopt;
        if (cur && same_content(*cur, f.t)) {
            ++unchanged;
            continue;
        }
        int version = 0;
        if (dry_run) {
            version = 1;
            if (ts)
                for (const auto& h : ts->history(f.t.name))
                    if (h.channel == f.t.channel && h.locale == f.t.locale) version = h.version + 1;
        } else {
            f.t.author = author;
            auto v = ts->add(f.t);
            if (!v) return fail(ctx, v.error());
            audit_local(ctx, **st, "template.import", f.t.name,
                        store::template_detail(f.t.name, f.t.channel, f.t.locale, *v));
            version = *v;
        }
        ++added;
        if (ctx.globals.json)
            print_json(ctx.out, {{"name", f.t.name},
                                 {"channel", f.t.channel},
                                 {"locale", f.t.locale},
                                 {"version", version},
                                 {"file", f.file},
                                 {"dry_run", dry_run}});
        else if (!ctx.globals.quiet)
            ctx.out << (dry_run ? "would add " : "added ") << f.t.name << " version " << version
                    << variant_suffix(f.t) << "\n";
    }
    if (!ctx.globals.json && !ctx.globals.quiet)
        ctx.out << (dry_run ? "would import " : "imported ")
                << count_of(added, "variant", "variants") << ", " << unchanged << " unchanged\n";
    return exit_ok;
}

// A TOML string that reads back as `s`: multi-line when it has newlines.
std::string toml_string(const std::string& s) {
    const bool multi = s.find('\n') != std::string::npos;
    std::string out = multi ? "\"\"\"\n" : "\"";
    for (size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            // Never two quotes in a row, nor one just before the closing quotes.
            bool escape = !multi || i + 1 == s.size() || s[i + 1] == '"';
            out += escape ? "\\\"" : "\"";
        } else if (c == '\n' && multi) {
            out += '\n';
        } else if (c == '\t') {
            out += multi ? "\t" : "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04X", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + (multi ? "\"\"\"" : "\"");
}

Expected<toml::table> to_toml_table(const nlohmann::json& o);

Expected<toml::array> to_toml_array(const nlohmann::json& a) {
    toml::array out;
    for (const auto& v : a) {
        if (v.is_object()) {
            auto t = to_toml_table(v);
            if (!t) return t.error();
            out.push_back(std::move(*t));
        } else if (v.is_array()) {
            auto t = to_toml_array(v);
            if (!t) return t.error();
            out.push_back(std::move(*t));
        } else if (v.is_string()) {
            out.push_back(v.get<std::string>());
        } else if (v.is_boolean()) {
            out.push_back(v.get<bool>());
        } else if (v.is_number_integer()) {
            out.push_back(v.get<int64_t>());
        } else if (v.is_number()) {
            out.push_back(v.get<double>());
        } else {
            return make_error(ErrorKind::invalid, "invalid_params", "TOML has no null");
        }
    }
    return out;
}

Expected<toml::table> to_toml_table(const nlohmann::json& o) {
    toml::table out;
    for (const auto& [k, v] : o.items()) {
        if (v.is_object() || v.is_array()) {
            if (v.is_object()) {
                auto t = to_toml_table(v);
                if (!t) return t.error();
                out.insert_or_assign(k, std::move(*t));
            } else {
                auto a = to_toml_array(v);
                if (!a) return a.error();
                out.insert_or_assign(k, std::move(*a));
            }
        } else if (v.is_string()) {
            out.insert_or_assign(k, v.get<std::string>());
        } else if (v.is_boolean()) {
            out.insert_or_assign(k, v.get<bool>());
        } else if (v.is_number_integer()) {
            out.insert_or_assign(k, v.get<int64_t>());
        } else if (v.is_number()) {
            out.insert_or_assign(k, v.get<double>());
        } else {
            return make_error(ErrorKind::invalid, "invalid_params",
                              "params." + k + " is null, which TOML cannot hold");
        }
    }
    return out;
}

Expected<std::string> toml_file(const store::TemplateVersion& t) {
    std::string out;
    if (!t.channel.empty()) out += "channel = " + toml_string(t.channel) + "\n";
    out += "subject = " + toml_string(t.subject) + "\n";
    out += "text = " + toml_string(t.text) + "\n";
    out += "html = " + toml_string(t.html) + "\n";
    if (!t.params_json.empty()) {
        auto j = util::json_or_discarded(t.params_json);
        if (!j.is_object())
            return make_error(ErrorKind::invalid, "invalid_params", "params are not a JSON object");
        auto params = to_toml_table(j);
        if (!params) return params.error();
        toml::table root;
        root.insert("params", std::move(*params));
        std::ostringstream os;
        os << root;
        out += "\n" + os.str() + "\n";
    }
    return out;
}

int run_export(Context& ctx, const std::string& dir) {
    auto st = open_store(ctx, false);
    if (!st) return fail(ctx, st.error());
    auto all = *st ? store::TemplateStore(**st).list() : std::vector<store::TemplateVersion>{};
    int written = 0;
    for (const auto& t : all) {
        std::string base = t.locale.empty() ? "default" : t.locale;
        if (!t.channel.empty()) base += "." + t.channel;
        fs::path path = fs::path(dir) / t.name / (base + ".toml");
        auto text = toml_file(t);
        if (!text)
            return fail(ctx, exit_data,
                        "template export: " + variant_label(t.name, t.channel, t.locale) + ": " +
                            text.error().message);
        std::error_code ec;
        fs::create_directories(path.parent_path(), ec);
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        f << *text;
        f.close();
        if (ec || !f)
            return fail(ctx, exit_code(ErrorKind::internal),
                        "template export: cannot write '" + path.string() + "'");
        ++written;
        if (ctx.globals.json)
            print_json(ctx.out, {{"name", t.name},
                                 {"channel", t.channel},
                                 {"locale", t.locale},
                                 {"version", t.version},
                                 {"file", path.string()}});
        else if (ctx.globals.verbose)
            ctx.out << "wrote " << path.string() << "\n";
    }
    if (!ctx.globals.json && !ctx.globals.quiet)
        ctx.out << "exported " << count_of(written, "variant", "variants") << " to " << dir << "\n";
    return exit_ok;
}

struct ImportArgs {
    std::string dir;
    bool dry_run = false;
};

}  // namespace

void setup_template_files(CLI::App& cmd, Context& ctx, Subcommands& subs) {
    auto im = std::make_shared<ImportArgs>();
    auto* i = cmd.add_subcommand("import", "add the templates of a folder (all or nothing)");
    i->add_option("dir", im->dir, "a folder laid out as DIR/NAME/LOCALE.toml")->required();
    i->add_flag("--dry-run", im->dry_run, "check and show what would be added, store nothing");
    i->footer("Example:\n  notifyctl template import templates/ --dry-run");
    subs.emplace_back(i, [&ctx, im] { return run_import(ctx, im->dir, im->dry_run); });

    auto ex = std::make_shared<std::string>();
    auto* e = cmd.add_subcommand("export", "write the current templates to a folder");
    e->add_option("dir", *ex, "the folder (created when missing; files in it are replaced)")
        ->required();
    e->footer("Example:\n  notifyctl template export /srv/notify/templates");
    subs.emplace_back(e, [&ctx, ex] { return run_export(ctx, *ex); });
}

}  // namespace notify::cli
