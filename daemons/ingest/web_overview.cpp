// web_overview.cpp - the dashboard's overview (GET /): today's counts from the
// rollups, the queue by priority, the sends waiting for approval, and a panel
// of live figures that the page's script refreshes every second from GET
// /live: what ingest accepted and the router sent and failed since they
// started (the browser turns them into rates), what is queued and in flight,
// and each provider's health, all read from the same figures as /metrics.
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "api.hpp"
#include "report/report.hpp"
#include "store/rollup_store.hpp"
#include "util/prometheus.hpp"
#include "util/time.hpp"
#include "web_page.hpp"

namespace notify::ingest {

namespace {

std::string live_panel(Lang lang) {
    auto figure = [&](const char* word, const char* attr, const char* name) {
        return "<tr><td>" + std::string(tr(lang, word)) + "</td><td class=\"text-end\" id=\"" +
               std::string(attr) + "-" + name + "\" " + attr + "=\"" + name + "\">–</td></tr>";
    };
    return "<div class=\"row mb-3\" id=\"live\" data-live=\"/live\"><div "
           "class=\"col-md-4\"><h2 class=\"h5\">" +
           std::string(tr(lang, "now")) + "</h2><table class=\"table table-sm w-auto\"><tbody>" +
           figure("accepted_per_second", "data-rate", "accepted") +
           figure("sent_per_second", "data-rate", "sent") +
           figure("failed_per_second", "data-rate", "failed") +
           figure("queued", "data-figure", "queued") +
           figure("in_flight", "data-figure", "in_flight") +
           figure("accepted_since_start", "data-figure", "accepted") +
           figure("sent_since_start", "data-figure", "sent") +
           "</tbody></table></div><div class=\"col-md-8\"><h2 class=\"h5\">" +
           tr(lang, "providers") +
           "</h2><div id=\"providers\" data-providers=\"providers\"></div></div></div>";
}

}  // namespace

Response Api::overview(Lang lang, const PageUser& user) {
    // Today's counts, from the rollups.
    std::string today;
    auto request = report::parse_request({}, util::now_ms(), report::query_names());
    if (request) {
        auto made =
            trailing_->read([&](store::Store& s) { return report::make(rollups(s), *request); });
        if (made) {
            today = "<table class=\"table table-sm w-auto\" id=\"today\"><thead><tr><th>" +
                    std::string(tr(lang, "status")) + "</th><th class=\"text-end\">" +
                    tr(lang, "count") + "</th></tr></thead><tbody>";
            for (const auto& status : store::report_statuses())
                today += "<tr data-status=\"" + escape_html(status) + "\"><td>" +
                         escape_html(status) + "</td><td class=\"text-end\">" +
                         std::to_string(made->total.count(status)) + "</td></tr>";
            today += "</tbody></table>";
            if (made->total.peak_sent)
                today += "<p>" + std::string(tr(lang, "peak_sent")) + ": <span id=\"peak-sent\">" +
                         std::to_string(made->total.peak_sent->per_second) + "</span></p>";
        }
    }
    // The queue by priority.
    std::int64_t waiting[kPriorityCount] = {}, in_flight[kPriorityCount] = {};
    auto rows = queue_rows();
    if (!rows) throw std::runtime_error(rows.error().message);
    for (const auto& row : *rows) {
        auto p = static_cast<int>(row.priority);
        (row.state == DeliveryState::in_flight ? in_flight : waiting)[p] += row.count;
    }
    std::string queue = "<table class=\"table table-sm w-auto\" id=\"queue\"><thead><tr><th>" +
                        std::string(tr(lang, "priority")) + "</th><th class=\"text-end\">" +
                        tr(lang, "waiting") + "</th><th class=\"text-end\">" +
                        tr(lang, "in_flight") + "</th></tr></thead><tbody>";
    for (Priority p : {Priority::high, Priority::medium, Priority::low}) {
        const int i = static_cast<int>(p);
        queue += "<tr data-priority=\"" + std::string(to_string(p)) + "\"><td>" +
                 tr(lang, to_string(p)) + "</td><td class=\"text-end\">" +
                 std::to_string(waiting[i]) + "</td><td class=\"text-end\">" +
                 std::to_string(in_flight[i]) + "</td></tr>";
    }
    queue += "</tbody></table>";
    // Sends waiting for an administrator.
    const std::string approvals =
        std::to_string(reads_.count_fanouts(store::FanoutState::pending_approval));
    std::string body =
        "<h1 class=\"h3 mb-4\">" + std::string(tr(lang, "overview")) + "</h1>" + live_panel(lang) +
        "<div class=\"row\"><div class=\"col-md-4\"><h2 class=\"h5\">" + tr(lang, "today") +
        "</h2>" + today + "</div><div class=\"col-md-4\"><h2 class=\"h5\">" + tr(lang, "queue") +
        "</h2>" + queue + "</div><div class=\"col-md-4\"><h2 class=\"h5\">" +
        tr(lang, "approvals") + "</h2><p class=\"display-6\" id=\"approvals\">" + approvals +
        "</p></div></div>";
    return web_page(200, lang, tr(lang, "overview"), body, user);
}

void Api::live(Reply done) {
    get_metrics([done](Response metrics) {
        namespace prom = util::prometheus;
        const auto samples = prom::read_samples(metrics.body);
        auto sum = [&](const char* name, const char* label = "", const char* value = "") {
            return static_cast<std::int64_t>(prom::sum_of(samples, name, label, value));
        };
        nlohmann::json providers = nlohmann::json::object();
        for (const auto& s : samples)
            if (s.name == "notify_provider_healthy") providers[s.label("provider")] = s.value > 0;
        nlohmann::json j{{"at", util::now_ms()},
                         {"router_up", sum("notify_router_up") > 0},
                         {"accepted", sum("notify_ingest_accepted_total")},
                         {"sent", sum("notify_deliveries_total", "state", "sent")},
                         {"failed", sum("notify_deliveries_total", "state", "failed")},
                         {"queued", sum("notify_queue_depth")},
                         {"in_flight", sum("notify_in_flight")},
                         {"providers", std::move(providers)}};
        Response r;
        r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        r.headers.emplace_back("Cache-Control", "no-store");
        done(std::move(r));
    });
}

}  // namespace notify::ingest
