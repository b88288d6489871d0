// cluster_cmd.cpp - `notifyctl cluster status`: every process of the cluster
// as the store knows it, like `systemctl status` for a whole installation. It
// reads the leader (store.url or store.path) and asks each replica of
// store.replicas how far behind it is; the ingests and routers are their rows
// of cluster_members (store/cluster_members.hpp), each written every 2 s by
// the process itself, and the workers are those each running router says are
// connected to it. A member is
//   ready     it says it can do its job;
//   degraded  it runs, but says what keeps it from doing all of it;
//   standby   a router holding no partition of the deliveries yet, waiting
//             for its share to be free (store/router_leases.hpp);
//   silent    not heard for kSilent: killed, hung, or cut off from the store;
//   stopped   it stopped cleanly.
// Exit 0 when the store answers and everything is ready (a router may stand
// by); 1 when a replica cannot be read or a member is degraded or silent; 69
// when the store does not answer; 66 when it holds no store yet. --json
// prints one object.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <memory>

#include "command.hpp"
#include "local_store.hpp"
#include "output.hpp"
#include "store/cluster_members.hpp"
#include "store/presence.hpp"
#include "store/read_stores.hpp"
#include "store/router_leases.hpp"
#include "util/time.hpp"

namespace notify::cli {

namespace {

using nlohmann::json;

// A member not heard for this long is silent: it writes every Presence::kBeat.
constexpr Millis kSilent = 5 * store::Presence::kBeat;

// How each replica stands: its lag, and whether reads would go to it.
json replicas_of(const Config& config) {
    json out = json::array();
    auto replicas = store::configured_replicas(config.store, options_of(config, false));
    if (!replicas) {  // config check refuses such a configuration
        out.push_back({{"url", "store.replicas"},
                       {"lag_seconds", nullptr},
                       {"state", "not read"},
                       {"problem", replicas.error().message}});
        return out;
    }
    for (const auto& r : replicas->each) {
        json row{{"url", r.url}, {"lag_seconds", nullptr}};
        auto s = store::Store::open_replica(r.target, replicas->options);
        auto lag = s ? (*s)->replication_lag() : Expected<std::optional<std::int64_t>>(s.error());
        if (lag && *lag) row["lag_seconds"] = **lag;
        const Status fit = lag ? store::lag_within(*lag, replicas->max_lag) : Status(lag.error());
        row["state"] = fit ? "read" : "not read";
        if (!fit) row["problem"] = fit.error().message;
        out.push_back(std::move(row));
    }
    return out;
}

// What a process wrote of itself is read with care: a member of another
// version, or a row edited by hand, may give other types than expected.
std::string text(const json& o, const char* key) {
    auto it = o.find(key);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t number(const json& o, const char* key) {
    auto it = o.find(key);
    return it != o.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

const json& part(const json& o, const char* key, const json& otherwise) {
    auto it = o.find(key);
    return it != o.end() && it->type() == otherwise.type() ? *it : otherwise;
}

const json kNoObject = json::object();
const json kNoArray = json::array();

json member_of(const store::ClusterMember& m, Millis now) {
    json detail = json::parse(m.detail, nullptr, false);
    if (!detail.is_object()) detail = json::object();
    std::string state;
    json problems = json::array();
    if (m.stopped_at != 0) {
        state = "stopped";
    } else if (now - m.seen_at > kSilent) {
        state = "silent";
        problems.push_back("not heard for " +
                           util::format_duration((now - m.seen_at) / 1000 * 1000) +
                           ": killed, hung, or cut off from the store");
    } else {
        const json& health = part(detail, "health", kNoObject);
        state = text(health, "status");
        if (state.empty()) state = "unknown";
        for (const auto& p : part(health, "problems", kNoArray))
            if (p.is_string()) problems.push_back(p);
    }
    return {{"id", m.id},
            {"role", m.role},
            {"host", m.host},
            {"pid", m.pid},
            {"state", state},
            {"problems", std::move(problems)},
            {"seen_ms_ago", std::max<Millis>(0, now - m.seen_at)},
            {"up_ms", m.stopped_at ? 0 : std::max<Millis>(0, m.seen_at - m.started_at)},
            {"detail", std::move(detail)}};
}

// The workers a running router says are connected to it.
json workers_of(const json& router) {
    json out = json::array();
    if (router["state"] == "silent" || router["state"] == "stopped") return out;
    for (const auto& w : part(router["detail"], "workers", kNoArray)) {
        if (!w.is_object()) continue;
        json channels = json::array();
        for (const auto& c : part(w, "channels", kNoArray))
            if (c.is_string()) channels.push_back(c);
        const auto draining = w.find("draining");
        out.push_back(
            {{"name", text(w, "name")},
             {"router", router["id"]},
             {"channels", std::move(channels)},
             {"credit", number(w, "credit")},
             {"in_flight", number(w, "in_flight")},
             {"draining", draining != w.end() && draining->is_boolean() && draining->get<bool>()},
             {"seen_ms_ago", number(w, "seen_ms_ago")}});
    }
    return out;
}

std::string ago(Millis ms) {
    return ms < 1000 ? "now" : util::format_duration(ms / 1000 * 1000) + " ago";
}

// Who delivers: each lease on the deliveries (store/router_leases.hpp).
json leases_of(const store::LeaseView& view) {
    json out = json::array();
    for (const auto& l : view.leases)
        out.push_back({{"partition", l.partition},
                       {"holder", l.owner},
                       {"epoch", l.epoch},
                       {"expires_in_ms", l.expires_at - view.now}});
    return out;
}

std::string summary(const json& m) {
    const json& d = m["detail"];
    if (m["role"] == "router" && m["state"] == "standby")
        return "standing by for " + text(part(d, "lease", kNoObject), "holder") + ", listen " +
               text(d, "listen");
    if (m["role"] == "router") {
        const json& q = part(d, "queued", kNoObject);
        const json& lease = part(d, "lease", kNoObject);
        const std::string held = text(lease, "held");
        return (held.empty() ? "" : "partitions " + held + ", ") + "queued " +
               std::to_string(number(q, "high")) + "/" + std::to_string(number(q, "medium")) + "/" +
               std::to_string(number(q, "low")) + ", in flight " +
               std::to_string(number(d, "in_flight")) + ", " +
               count_of(number(d, "workers_connected"), "worker", "workers") + ", listen " +
               text(d, "listen");
    }
    std::string s = "listen " + text(d, "listen");
    if (!text(d, "http").empty()) s += ", http " + text(d, "http");
    return s;
}

void print_status(Context& ctx, const json& status) {
    Table stores({"STORE", "URL", "STATE", "LAG"});
    stores.add(
        {"leader", status["store"]["url"], "schema " + cell(status["store"]["schema"]), "-"});
    for (const auto& r : status["replicas"])
        stores.add({"replica", r["url"], r["state"],
                    r["lag_seconds"].is_null() ? "-" : cell(r["lag_seconds"]) + " s"});
    stores.print(ctx.out);
    for (const auto& r : status["replicas"])
        if (r.contains("problem"))
            ctx.out << "  " << cell(r["url"]) << ": " << cell(r["problem"]) << "\n";

    if (!status["leases"].empty()) {
        ctx.out << "\n";
        Table leases({"LEASE", "HOLDER", "EPOCH", "EXPIRES"});
        const json& rows = status["leases"];
        // Partitions in a row held alike are one line of the table.
        for (std::size_t first = 0, last = 0; first < rows.size(); first = last + 1) {
            const json& l = rows[first];
            for (last = first; last + 1 < rows.size() && rows[last + 1]["holder"] == l["holder"] &&
                               rows[last + 1]["epoch"] == l["epoch"] &&
                               rows[last + 1]["expires_in_ms"] == l["expires_in_ms"];)
                ++last;
            const Millis left = l["expires_in_ms"].get<Millis>();
            const std::string which = rows.size() == 1 ? "deliveries"
                                      : first == last  ? "partition " + cell(l["partition"])
                                                      : "partitions " + cell(l["partition"]) + "-" +
                                                            cell(rows[last]["partition"]);
            leases.add({which, l["holder"], cell(l["epoch"]),
                        left > 0 ? "in " + util::format_duration((left + 999) / 1000 * 1000)
                                 : "expired " + ago(-left)});
        }
        leases.print(ctx.out);
    }

    ctx.out << "\n";
    if (status["members"].empty()) {
        ctx.out << "no ingest or router has announced itself in this store\n";
        return;
    }
    Table members({"ROLE", "HOST", "PID", "STATE", "SEEN", "UP", "DETAIL"});
    for (const auto& m : status["members"])
        members.add(
            {m["role"], m["host"], cell(m["pid"]), m["state"], ago(m["seen_ms_ago"]),
             m["up_ms"] == 0 ? "-" : util::format_duration(m["up_ms"].get<Millis>() / 1000 * 1000),
             clip(summary(m), 80)});
    members.print(ctx.out);
    for (const auto& m : status["members"])
        for (const auto& p : m["problems"])
            ctx.out << "  " << cell(m["role"]) << " " << cell(m["host"]) << " (" << cell(m["pid"])
                    << "): " << cell(p) << "\n";

    if (status["workers"].empty()) return;
    ctx.out << "\n";
    Table workers({"WORKER", "ROUTER", "CREDIT", "IN FLIGHT", "CHANNELS", "SEEN"});
    for (const auto& w : status["workers"]) {
        std::string channels;
        for (const auto& c : w["channels"]) channels += (channels.empty() ? "" : ",") + cell(c);
        workers.add({cell(w["name"]) + (w["draining"].get<bool>() ? " (draining)" : ""),
                     cell(w["router"]), cell(w["credit"]), cell(w["in_flight"]),
                     channels.empty() ? "any" : channels, ago(w["seen_ms_ago"].get<Millis>())});
    }
    workers.print(ctx.out);
}

int status(Context& ctx) {
    auto config = load(ctx);
    if (!config) return fail(ctx, config.error());
    auto leader = open_store(*config, false);
    if (!leader) return fail(ctx, leader.error());
    if (!*leader)
        return fail(ctx, exit_no_input,
                    "the store '" + config->store.where() + "' holds no store yet");
    auto view = store::read_members(**leader);
    if (!view) return fail(ctx, view.error());
    auto leases = store::read_leases(**leader);
    if (!leases) return fail(ctx, leases.error());

    json status{
        {"store", {{"url", config->store.where()}, {"schema", (*leader)->schema_version()}}},
        {"replicas", replicas_of(*config)},
        {"leases", leases_of(*leases)},
        {"members", json::array()},
        {"workers", json::array()}};
    bool well = true;
    for (const auto& r : status["replicas"]) well = well && r["state"] == "read";
    for (const auto& m : view->members) {
        json row = member_of(m, view->now);
        if (row["state"] != "ready" && row["state"] != "stopped" && row["state"] != "standby")
            well = false;
        if (row["role"] == "router")
            for (auto& w : workers_of(row)) status["workers"].push_back(std::move(w));
        status["members"].push_back(std::move(row));
    }
    status["ok"] = well;
    if (ctx.globals.json)
        print_json(ctx.out, status);
    else
        print_status(ctx, status);
    return well ? exit_ok : exit_not_ready;
}

}  // namespace

Runner setup_cluster(CLI::App& cmd, Context& ctx) {
    cmd.require_subcommand(0, 1);
    auto* st = cmd.add_subcommand(
        "status", "the store, its replicas, and every ingest, router and worker, with their state");
    st->footer(
        "Exit status: 0 when everything is ready; 1 when a replica cannot be read or a\n"
        "process is degraded or silent (not heard for 10 s); 69 when the store does not answer.\n"
        "Examples:\n"
        "  notifyctl cluster status\n"
        "  notifyctl --json cluster status | jq '.members[] | select(.state != \"ready\")'");
    return dispatch(cmd, ctx, {{st, [&ctx] { return status(ctx); }}});
}

}  // namespace notify::cli
