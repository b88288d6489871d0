// web_reports.cpp - the dashboard's reports: the report of GET /v1/reports
// (the same as `notifyctl report`) over a range and up to two dimensions, as a
// chart (Chart.js: counts over time when grouped by time, per value
// otherwise) and a table of its rows, kRowsPerPage at a time, the share per
// channel, the top failure reasons and the suppressions; and its CSV (every
// row) for download.
#include <nlohmann/json.hpp>

#include "report/report.hpp"
#include "store/rollup.hpp"
#include "util/strings.hpp"
#include "web_html.hpp"
#include "web_pages.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

constexpr const char* kParams[] = {"since", "until", "by", "by2"};  // and offset, of a page
// A month by minute and a dimension is a quarter of a million rows; a month
// by hour is 720.
constexpr std::int64_t kRowsPerPage = 1000;
// The statuses a chart draws, with their colours; a table shows them all.
constexpr std::pair<const char*, const char*> kCharted[] = {
    {"accepted", "#6c757d"}, {"sent", "#198754"},    {"delivered", "#0d6efd"},
    {"failed", "#dc3545"},   {"expired", "#ffc107"}, {"suppressed", "#adb5bd"}};

util::FormFields api_query(const WebCall& c) {
    util::FormFields q{{"since", c.param("since")}, {"until", c.param("until")}};
    std::string by = c.param("by");
    const std::string by2 = c.param("by2");
    if (!by2.empty()) by += (by.empty() ? "" : ",") + by2;
    q.emplace_back("by", by);
    return q;
}

// The rows of one page asked for.
util::FormFields page_query(const WebCall& c) {
    util::FormFields q = api_query(c);
    q.emplace_back("offset", c.param("offset"));
    q.emplace_back("limit", std::to_string(kRowsPerPage));
    return q;
}

std::string replaced(std::string text, std::string_view name, const std::string& value) {
    const auto at = text.find(name);
    if (at != std::string::npos) text.replace(at, name.size(), value);
    return text;
}

// The report's parameters as the page was asked for them (not its offset).
util::FormFields kept_params(const WebCall& c) {
    util::FormFields kept;
    for (const char* p : kParams) kept.emplace_back(p, c.param(p));
    return kept;
}

// "Rows 1001–2000 of 260,874" and links to the pages before and after, when
// the report has more rows than a page. The links name the range the report
// covered, not the words that asked for it, so that "now-7d" does not move
// between one page and the next.
std::string pager(const WebCall& c, const json& report) {
    const std::int64_t total = report.value("rows_total", std::int64_t{0});
    const auto shown = static_cast<std::int64_t>(report["rows"].size());
    const std::int64_t offset =
        util::parse_whole(c.param("offset"), 0, report::Request::kMaxOffset).value_or(0);
    if (offset == 0 && shown >= total) return {};
    util::FormFields kept = kept_params(c);
    for (auto& [name, value] : kept)
        if (name == "since" || name == "until")
            value = str(report, name == "since" ? "from" : "until");
    auto at = [&](std::int64_t o) {
        util::FormFields q = kept;
        if (o > 0) q.emplace_back("offset", std::to_string(o));
        return with_query("/reports", q);
    };
    std::string words = c.t(shown ? "report_rows_page" : "report_rows_past");
    words = replaced(words, "{from}", std::to_string(offset + 1));
    words = replaced(words, "{to}", std::to_string(offset + shown));
    words = replaced(words, "{offset}", std::to_string(offset));
    words = replaced(words, "{total}", std::to_string(total));
    std::string html = "<nav id=\"pager\" class=\"my-2\"><span id=\"rows-shown\">" +
                       escape_html(words) + "</span>";
    // Before a page past the end: the last page.
    const std::int64_t last_page = total > 0 ? (total - 1) / kRowsPerPage * kRowsPerPage : 0;
    if (offset > 0)
        html +=
            " " + link(at(std::min(std::max<std::int64_t>(offset - kRowsPerPage, 0), last_page)),
                       c.t("previous_page"), "previous-page");
    if (offset + shown < total)
        html += " " + link(at(offset + kRowsPerPage), c.t("next_page"), "next-page");
    return html + "</nav>";
}

std::string dimension_select(const WebCall& c, const char* name, const char* word) {
    std::vector<std::pair<std::string, std::string>> options;
    for (int d = 0; d <= static_cast<int>(report::Dimension::group); ++d) {
        const char* dim = report::to_string(static_cast<report::Dimension>(d));
        options.emplace_back(dim, dim);
    }
    return select_field(name, c.t(word), c.t("nothing"), options, c.param(name));
}

std::string form(const WebCall& c) {
    const util::FormFields kept = kept_params(c);
    return "<form method=\"get\" action=\"/reports\" id=\"report-form\" "
           "class=\"row g-2 align-items-end mb-3\">" +
           input_field("text", "since", c.t("since_local"), c.param("since")) +
           input_field("text", "until", c.t("until_local"), c.param("until")) +
           dimension_select(c, "by", "by") + dimension_select(c, "by2", "then_by") +
           "<div class=\"col-auto\"><button class=\"btn btn-primary btn-sm\" id=\"show\" "
           "type=\"submit\">" +
           c.t("show") + "</button> " +
           link(with_query("/reports.csv", kept), c.t("download_csv"), "csv") +
           "</div><div class=\"form-text\">" + c.t("report_help") + "</div></form>";
}

// The row's value of each dimension, joined: "sms", "2026-12-01T09:00:00+08:00 · sms".
std::string key_of(const json& row, const json& by) {
    std::string out;
    for (const auto& d : by) {
        std::string v = row.contains(d.get<std::string>()) && row[d.get<std::string>()].is_string()
                            ? row[d.get<std::string>()].get<std::string>()
                            : std::string();
        out += (out.empty() ? "" : " · ") + (v.empty() ? "–" : v);
    }
    return out;
}

long count_of(const json& row, const char* status) {
    auto c = row.find("counts");
    if (c == row.end() || !c->contains(status)) return 0;
    return (*c)[status].get<long>();
}

// Counts per charted status (those with any), over the rows in order.
std::string chart(const json& report) {
    const json& by = report["by"];
    if (by.empty() || report["rows"].empty()) return {};
    auto first = report::parse_dimension(by[0].get<std::string>());
    const bool over_time = first && report::is_time(*first);
    json labels = json::array(), datasets = json::array();
    for (const auto& row : report["rows"]) labels.push_back(key_of(row, by));
    for (const auto& [status, colour] : kCharted) {
        if (count_of(report["total"], status) == 0) continue;
        json data = json::array();
        for (const auto& row : report["rows"]) data.push_back(count_of(row, status));
        datasets.push_back({{"label", status},
                            {"data", std::move(data)},
                            {"borderColor", colour},
                            {"backgroundColor", colour},
                            {"pointRadius", 0}});
    }
    json config{{"type", over_time ? "line" : "bar"},
                {"data", {{"labels", std::move(labels)}, {"datasets", std::move(datasets)}}},
                {"options", {{"scales", {{"y", {{"beginAtZero", true}}}}}}}};
    return "<div class=\"mb-4\" style=\"height: 320px\"><canvas id=\"chart\" data-chart=\"" +
           escape_html(config.dump(-1, ' ', false, json::error_handler_t::replace)) +
           "\"></canvas></div>";
}

std::string spread_cells(const json& s, const char* a, const char* b, const char* c) {
    return std::to_string(s.value(a, 0L)) + " / " + std::to_string(s.value(b, 0L)) + " / " +
           std::to_string(s.value(c, 0L));
}

std::string rows_table(const WebCall& c, const json& report) {
    // The statuses that happened at all, in the reports' order.
    std::vector<std::string> statuses;
    for (const auto& s : store::report_statuses())
        if (count_of(report["total"], s.c_str()) > 0) statuses.push_back(s);
    std::vector<std::string> headers;
    for (const auto& d : report["by"]) headers.push_back(d.get<std::string>());
    if (headers.empty()) headers.push_back(c.t("total"));
    headers.insert(headers.end(), statuses.begin(), statuses.end());
    // Peaks are known per time bucket (and for the whole range), not per value.
    bool with_peak = report["by"].empty();
    for (const auto& row : report["rows"]) with_peak = with_peak || row.contains("peak_per_second");
    headers.insert(headers.end(), {c.t("size_avg"), c.t("latency_percentiles")});
    if (with_peak) headers.push_back(c.t("peak_sent"));
    HtmlTable table("report", headers);
    auto add = [&](const json& row, const std::string& key) {
        std::vector<std::string> cells;
        if (report["by"].empty()) {
            cells.push_back(escape_html(key));
        } else {
            for (const auto& d : report["by"]) {
                const std::string name = d.get<std::string>();
                cells.push_back(escape_html(row.contains(name) && row[name].is_string()
                                                ? row[name].get<std::string>()
                                                : "–"));
            }
        }
        for (const auto& s : statuses) cells.push_back(std::to_string(count_of(row, s.c_str())));
        const json size = row.value("size", json::object());
        cells.push_back(std::to_string(static_cast<long>(size.value("average", 0.0))));
        cells.push_back(spread_cells(row.value("latency_ms", json::object()), "p50", "p95", "p99"));
        if (with_peak)
            cells.push_back(row.contains("peak_per_second")
                                ? std::to_string(row["peak_per_second"]["sent"].value("count", 0L))
                                : std::string());
        table.row(cells, "data-key=\"" + escape_html(key) + "\"");
    };
    for (const auto& row : report["rows"]) add(row, key_of(row, report["by"]));
    if (report["by"].empty()) add(report["total"], c.t("total"));
    return table.html(c.t("no_report_rows"));
}

std::string side_tables(const WebCall& c, const json& report) {
    HtmlTable channels("channels", {c.t("channel"), "sent", c.t("share")});
    for (const auto& ch : report["channels"])
        channels.row({escape_html(str(ch, "channel")), std::to_string(ch.value("sent", 0L)),
                      std::to_string(static_cast<int>(ch.value("share", 0.0) * 100 + 0.5)) + " %"});
    HtmlTable failures("failures", {c.t("provider"), c.t("status"), c.t("reason"), c.t("count")});
    for (const auto& f : report["failures"])
        failures.row({escape_html(str(f, "provider")), escape_html(str(f, "status")),
                      escape_html(str(f, "reason")), std::to_string(f.value("count", 0L))});
    HtmlTable suppressions("suppressions", {c.t("reason"), c.t("count")});
    for (const auto& s : report["suppressions"])
        suppressions.row({escape_html(str(s, "reason")), std::to_string(s.value("count", 0L))});
    auto column = [](const char* title, const std::string& html) {
        return "<div class=\"col-md-4\"><h2 class=\"h5\">" + std::string(title) + "</h2>" + html +
               "</div>";
    };
    return "<div class=\"row mt-4\">" + column(c.t("channel_share"), channels.html(c.t("none"))) +
           column(c.t("top_failures"), failures.html(c.t("none"))) +
           column(c.t("suppressions"), suppressions.html(c.t("none"))) + "</div>";
}

}  // namespace

void reports_page(const WebCall& c) {
    c.get("/v1/reports", page_query(c), [c](json report) {
        std::string range = "<p id=\"range\">" + escape_html(str(report, "from")) + " – " +
                            escape_html(str(report, "until"));
        if (report["most_used_channel"].is_string())
            range += " · " + std::string(c.t("most_used_channel")) + ": <b id=\"most-used\">" +
                     escape_html(report["most_used_channel"].get<std::string>()) + "</b>";
        range += "</p>";
        c.page(200, c.t("reports"),
               heading(c.t("reports")) + form(c) + range + chart(report) + pager(c, report) +
                   rows_table(c, report) + side_tables(c, report));
    });
}

void report_csv(const WebCall& c) {
    Request r;
    r.method = "GET";
    r.path = "/v1/reports";
    for (const auto& [name, value] : api_query(c))
        if (!value.empty()) r.query[name] = value;
    r.query["format"] = "csv";
    c.api(std::move(r), [c](Response answer) {
        if (answer.status != 200) return c.error_page(answer);
        c.done(std::move(answer));  // text/csv, as an attachment
    });
}

}  // namespace notify::ingest
