// audit_cmd.cpp - `notifyctl audit [--since T] [--limit N] [--json]`: the audit
// log of administrative actions (approve, reject, template and directory
// changes, API keys created and revoked, unsubscribes), oldest first, with who
// did each and when. Like `apikey`, it reads the store directly (store.path);
// GET /v1/audit gives the same to an admin key. --json prints JSON Lines:
// {"seq","at","actor","action","target","detail"}.
#include <CLI/CLI.hpp>

#include <memory>

#include "command.hpp"
#include "input.hpp"
#include "local_store.hpp"
#include "output.hpp"
#include "store/audit.hpp"
#include "store/store.hpp"
#include "util/time.hpp"

namespace notify::cli {

namespace {

struct AuditOptions {
    std::string since;
    int limit = 1000;
};

}  // namespace

Runner setup_audit(CLI::App& cmd, Context& ctx) {
    auto o = std::make_shared<AuditOptions>();
    cmd.add_option("--since", o->since, "entries at or after TIME (RFC 3339, now-24h, ...)");
    cmd.add_option("--limit", o->limit, "at most N entries (default 1000)")
        ->check(CLI::Range(1, 1000000));
    cmd.footer(
        "Examples:\n"
        "  notifyctl audit --since now-24h\n"
        "  notifyctl audit --json | jq 'select(.action == \"approve\")'");
    return [&ctx, o]() -> int {
        Millis since = 0;
        if (!o->since.empty()) {
            auto t = time_arg(o->since, "", "--since");
            if (!t) return fail(ctx, t.error());
            since = *util::parse_time(*t, 0, "UTC");
        }
        auto s = open_store_to_read(ctx);
        if (!s) return fail(ctx, s.error());
        std::vector<store::AuditEntry> entries;
        if (*s) {
            auto read = store::read_audit(**s, since, o->limit);
            if (!read) return fail(ctx, read.error());
            entries = std::move(*read);
        }
        if (ctx.globals.json) {
            for (const auto& e : entries)
                print_json(ctx.out, {{"seq", e.seq},
                                     {"at", util::format_rfc3339(e.at)},
                                     {"actor", e.actor},
                                     {"action", e.action},
                                     {"target", e.target},
                                     {"detail", e.detail}});
            return exit_ok;
        }
        if (entries.empty()) {
            if (!ctx.globals.quiet) ctx.out << "no audit entries\n";
            return exit_ok;
        }
        Table table({"TIME", "ACTOR", "ACTION", "TARGET", "DETAIL"});
        for (const auto& e : entries)
            table.add({util::format_rfc3339(e.at), e.actor, e.action, e.target, e.detail});
        table.print(ctx.out);
        return exit_ok;
    };
}

}  // namespace notify::cli
