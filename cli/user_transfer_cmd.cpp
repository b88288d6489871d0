// user_transfer_cmd.cpp - `notifyctl user import|export`: many users at once,
// as CSV or JSON Lines (store/directory_records.hpp), from and to files or the
// standard streams. An import is all or nothing unless --skip-bad.
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "directory_cmd.hpp"
#include "input.hpp"
#include "local_store.hpp"
#include "output.hpp"
#include "store/audit.hpp"
#include "store/directory_records.hpp"
#include "util/strings.hpp"

namespace notify::cli {

using nlohmann::json;

namespace {

Expected<store::RecordFormat> format_of(const std::string& flag, const std::string& file) {
    if (flag == "csv") return store::RecordFormat::csv;
    if (flag == "jsonl") return store::RecordFormat::jsonl;
    std::string lower = util::to_lower(file);
    auto ends = [&](const char* ext) {
        std::string e(ext);
        return lower.size() > e.size() && lower.compare(lower.size() - e.size(), e.size(), e) == 0;
    };
    if (ends(".csv")) return store::RecordFormat::csv;
    if (ends(".jsonl") || ends(".ndjson") || ends(".json")) return store::RecordFormat::jsonl;
    if (file == "-" || file.empty())
        return make_error(ErrorKind::usage, "usage",
                          "standard input needs --format csv or --format jsonl");
    return make_error(ErrorKind::usage, "usage",
                      "cannot tell the format of '" + file +
                          "' from its name; give --format csv or --format jsonl");
}

struct ImportArgs {
    std::string file, format, group;
    bool skip_bad = false;
};

constexpr size_t kShownErrors = 20;

int run_import(Context& ctx, const ImportArgs& a) {
    auto format = format_of(a.format, a.file);
    if (!format) return fail(ctx, format.error());
    std::string text;
    if (a.file == "-") {
        text = read_all(ctx.in);
    } else {
        std::ifstream in(a.file, std::ios::binary);
        if (!in)
            return fail(ctx, exit_no_input,
                        "user import: cannot read '" + a.file + "': " + std::strerror(errno));
        text = read_all(in);
    }
    store::ImportOptions options;
    options.format = *format;
    options.skip_bad = a.skip_bad;
    options.group = a.group;
    return with_directory(
        ctx, true,
        [&](store::DirectoryStore& d) {
            auto report = d.import_users(std::string_view(text), options);
            if (!report)
                return fail(ctx, exit_code(report.error().kind),
                            "user import: " + report.error().message);
            const auto& errors = report->errors;
            if (report->imported > 0)
                audit_local(ctx, d.store(), "user.import", a.group,
                            store::import_detail(report->imported));
            bool failed = !errors.empty() && !a.skip_bad;
            if (ctx.globals.json) {
                json list = json::array();
                for (const auto& e : errors)
                    list.push_back({{"line", e.line}, {"message", e.message}});
                print_json(ctx.out, {{"imported", report->imported},
                                     {"skipped", a.skip_bad ? errors.size() : 0},
                                     {"errors", std::move(list)}});
            }
            for (size_t i = 0; i < errors.size() && i < kShownErrors; ++i) {
                std::string line =
                    "line " + std::to_string(errors[i].line) + ": " + errors[i].message;
                if (failed)
                    fail(ctx, exit_data, line);
                else
                    warn(ctx, line + " (skipped)");
            }
            if (errors.size() > kShownErrors && (failed || !ctx.globals.quiet))
                ctx.err << "notifyctl: " << (failed ? "error" : "warning") << ": ... and "
                        << errors.size() - kShownErrors << " more bad lines\n";
            std::string bad =
                count_of(static_cast<std::int64_t>(errors.size()), "bad line", "bad lines");
            if (failed)
                return fail(
                    ctx, exit_data,
                    "user import: " + bad + " in " +
                        (a.file == "-" ? std::string("standard input") : "'" + a.file + "'") +
                        "; nothing imported (--skip-bad imports the good ones)");
            if (!ctx.globals.json && !ctx.globals.quiet) {
                ctx.out << "imported " << count_of(report->imported, "user", "users");
                if (!errors.empty()) ctx.out << "; skipped " << bad;
                ctx.out << "\n";
            }
            return int(exit_ok);
        },
        [] { return int(exit_software); });
}

struct ExportArgs {
    std::string format, group, module, output;
};

int run_export(Context& ctx, const ExportArgs& a) {
    auto format = a.format.empty() && a.output.empty() ? store::RecordFormat::jsonl
                                                       : format_of(a.format, a.output);
    if (!format) return fail(ctx, format.error());
    auto write = [&](std::ostream& out) {
        return with_directory(
            ctx, false,
            [&](store::DirectoryStore& d) {
                if (auto known = check_group_filter(d, a.group); !known)
                    return fail(ctx, known.error());
                auto ok = d.export_users(out, *format, {a.group, a.module, "", 0, ""});
                if (!ok) return fail(ctx, ok.error());
                return int(exit_ok);
            },
            [&] {
                if (*format == store::RecordFormat::csv)
                    store::write_user_records(out, *format, {});
                return int(exit_ok);
            });
    };
    if (a.output.empty() || a.output == "-") return write(ctx.out);
    std::ofstream file(a.output, std::ios::binary | std::ios::trunc);
    if (!file)
        return fail(ctx, exit_software,
                    "user export: cannot write '" + a.output + "': " + std::strerror(errno));
    int rc = write(file);
    file.close();
    if (rc == exit_ok && !file)
        return fail(ctx, exit_software, "user export: cannot write '" + a.output + "'");
    if (rc == exit_ok && !ctx.globals.quiet && !ctx.globals.json)
        ctx.err << "exported to " << a.output << "\n";
    return rc;
}

}  // namespace

void add_user_transfer_commands(CLI::App& cmd, Context& ctx, Subcommands& subs) {
    auto imp = std::make_shared<ImportArgs>();
    auto* i = cmd.add_subcommand("import", "add or replace many users from CSV or JSON Lines");
    i->add_option("file", imp->file, "the file, or - for standard input")->required();
    i->add_option("--format", imp->format, "csv or jsonl (default: from the file's name)")
        ->check(CLI::IsMember({"csv", "jsonl"}));
    i->add_flag("--skip-bad", imp->skip_bad, "import the good rows, report the bad ones");
    i->add_option("--group", imp->group, "also add every imported user to this group");
    i->footer(
        "All or nothing: one bad row and nothing is imported (exit 65), unless --skip-bad.\n"
        "Examples:\n  notifyctl user import staff.csv --group staff\n"
        "  hr-export | notifyctl user import - --format jsonl");
    subs.emplace_back(i, [&ctx, imp] { return run_import(ctx, *imp); });

    auto exp = std::make_shared<ExportArgs>();
    auto* e = cmd.add_subcommand("export", "write users in the form import reads");
    e->add_option("--format", exp->format, "csv or jsonl (default: from -o's name, else jsonl)")
        ->check(CLI::IsMember({"csv", "jsonl"}));
    e->add_option("--group", exp->group, "only the members of this group");
    e->add_option("--module", exp->module, "only the users of this module");
    e->add_option("-o,--output", exp->output, "write to FILE instead of standard output");
    e->footer("Example:\n  notifyctl user export --group ops -o ops.csv");
    subs.emplace_back(e, [&ctx, exp] { return run_export(ctx, *exp); });
}

}  // namespace notify::cli
