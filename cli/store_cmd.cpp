// store_cmd.cpp - `notifyctl store migrate` and `notifyctl store copy`: the
// store itself, worked on directly (no daemon), like `apikey`.
//
//   store migrate       brings the configured store ([store]) to this build's
//                       schema and says from which version; a store newer than
//                       the build is refused (69).
//   store copy --from STORE --to STORE
//                       every row of one store into a new, empty one
//                       (store/store_copy.hpp): a SQLite file (PATH or
//                       sqlite:PATH) or a mysql:// URL. A URL's password is
//                       --from-password / --to-password (env:NAME or
//                       file:PATH), else store.password when it is the
//                       configured store.url. Stop the daemons first.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>

#include "command.hpp"
#include "local_store.hpp"
#include "output.hpp"
#include "store/configured_store.hpp"
#include "store/mysql_url.hpp"
#include "store/store_copy.hpp"
#include "util/strings.hpp"

namespace notify::cli {

namespace {

int migrate(Context& ctx) {
    auto config = load(ctx);
    if (!config) return fail(ctx, config.error());
    auto s = open_store(*config, true);
    if (!s) return fail(ctx, s.error());
    const int was = (*s)->schema_found(), now = (*s)->schema_version();
    const std::string& where = config->store.where();
    if (ctx.globals.json) {
        print_json(ctx.out, {{"store", where}, {"schema_version", now}, {"was", was}});
        return exit_ok;
    }
    if (was == now)
        ctx.out << where << ": schema at version " << now << ", nothing to do\n";
    else
        ctx.out << where << ": schema at version " << now << " (was "
                << (was == 0 ? std::string("empty") : std::to_string(was)) << ")\n";
    return exit_ok;
}

// One side of a copy, as named on the command line.
struct Side {
    std::string name;      // as given
    std::string password;  // its --*-password
    const char* option;    // "--from" or "--to"
};

Expected<Config::Store> store_named(const Config& config, const Side& side) {
    Config::Store s;
    s.busy_timeout = config.store.busy_timeout;
    s.synchronous_full = true;
    if (util::starts_with(side.name, "mysql://") || util::starts_with(side.name, "mariadb://")) {
        if (auto target = store::parse_mysql_url(side.name); !target) return target.error();
        s.backend = Config::Store::Backend::mysql;
        s.url = side.name;
        if (!side.password.empty()) {
            if (!util::starts_with(side.password, "env:") &&
                !util::starts_with(side.password, "file:"))
                return make_error(ErrorKind::usage, "usage",
                                  std::string(side.option) +
                                      "-password must be env:NAME or file:PATH (a password on "
                                      "the command line is visible to every user)");
            s.password = side.password;
        } else if (!config.store.on_file() && config.store.url == side.name) {
            s.password = config.store.password;
        }
        return s;
    }
    std::string path = side.name;
    for (const char* scheme : {"sqlite://", "sqlite:"})
        if (util::starts_with(path, scheme)) {
            path = path.substr(std::string(scheme).size());
            break;
        }
    if (path.empty())
        return make_error(ErrorKind::usage, "usage",
                          std::string(side.option) + " needs a file, sqlite:PATH or mysql:// URL");
    s.path = std::filesystem::absolute(path).string();
    return s;
}

// Whether the two name one store: one file (by any path), or one database on
// one server as the URLs spell it.
bool same_store(const Config::Store& a, const Config::Store& b) {
    if (a.on_file() != b.on_file()) return false;
    std::error_code ec;
    if (a.on_file()) return a.path == b.path || std::filesystem::equivalent(a.path, b.path, ec);
    auto x = store::parse_mysql_url(a.url), y = store::parse_mysql_url(b.url);
    return x && y && x->host == y->host && x->port == y->port && x->socket == y->socket &&
           x->database == y->database;
}

int copy(Context& ctx, const Side& from, const Side& to) {
    auto config = load(ctx);
    if (!config) return fail(ctx, config.error());
    auto source = store_named(*config, from);
    if (!source) return fail(ctx, source.error());
    auto destination = store_named(*config, to);
    if (!destination) return fail(ctx, destination.error());
    std::error_code ec;
    if (source->on_file() && !std::filesystem::exists(source->path, ec))
        return fail(ctx, exit_no_input, "no store at '" + source->path + "'");
    if (same_store(*source, *destination))
        return fail(ctx, exit_usage, "--from and --to name the same store");
    store::Options reading;
    reading.busy_timeout = source->busy_timeout;
    reading.create = false;
    auto in = store::open_configured(*source, reading);
    if (!in) return fail(ctx, in.error());
    store::Options writing;
    writing.busy_timeout = destination->busy_timeout;
    auto out = store::open_configured(*destination, writing);
    if (!out) return fail(ctx, out.error());
    auto counts = store::copy_store(**in, **out);
    if (!counts) return fail(ctx, counts.error());
    std::int64_t total = 0;
    nlohmann::json tables = nlohmann::json::object();
    for (const auto& c : *counts) {
        total += c.rows;
        tables[c.table] = c.rows;
    }
    if (ctx.globals.json) {
        print_json(ctx.out, {{"from", source->where()},
                             {"to", destination->where()},
                             {"rows", total},
                             {"tables", tables}});
        return exit_ok;
    }
    if (!ctx.globals.quiet) {
        Table table({"TABLE", "ROWS"});
        for (const auto& c : *counts) table.add({c.table, std::to_string(c.rows)});
        table.print(ctx.out);
    }
    ctx.out << "copied " << total << " rows from " << source->where() << " to "
            << destination->where() << "\n";
    return exit_ok;
}

}  // namespace

Runner setup_store(CLI::App& cmd, Context& ctx) {
    cmd.require_subcommand(0, 1);
    auto* migrate_cmd = cmd.add_subcommand(
        "migrate", "bring the configured store to this build's schema (a newer one is refused)");
    migrate_cmd->footer(
        "Examples:\n"
        "  notifyctl store migrate\n"
        "  notifyctl --config /etc/notify/notify.toml store migrate --json");
    auto* copy_cmd = cmd.add_subcommand(
        "copy", "copy every row of one store into a new, empty one (SQLite or MySQL)");
    auto from = std::make_shared<Side>(Side{"", "", "--from"});
    auto to = std::make_shared<Side>(Side{"", "", "--to"});
    copy_cmd
        ->add_option("--from", from->name, "the store to read: PATH, sqlite:PATH or mysql://URL")
        ->required()
        ->type_name("STORE");
    copy_cmd->add_option("--to", to->name, "the new, empty store to write: the same forms")
        ->required()
        ->type_name("STORE");
    copy_cmd
        ->add_option("--from-password", from->password,
                     "the --from URL's password: env:NAME or file:PATH")
        ->type_name("REF");
    copy_cmd
        ->add_option("--to-password", to->password,
                     "the --to URL's password: env:NAME or file:PATH")
        ->type_name("REF");
    copy_cmd->footer(
        "Stop the daemons first: what they commit meanwhile is not copied.\n"
        "Examples:\n"
        "  notifyctl store copy --from /var/lib/notify/notify.db \\\n"
        "      --to mysql://notify@db1:3306/notify --to-password env:NOTIFY_DB_PASSWORD\n"
        "  notifyctl store copy --from mysql://notify@db1/notify --from-password "
        "file:/etc/notify/db.pw \\\n"
        "      --to sqlite:/var/backups/notify.db");
    return dispatch(cmd, ctx,
                    {{migrate_cmd, [&ctx] { return migrate(ctx); }},
                     {copy_cmd, [&ctx, from, to] { return copy(ctx, *from, *to); }}});
}

}  // namespace notify::cli
