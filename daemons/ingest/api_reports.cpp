// api_reports.cpp - GET /v1/reports?since=&until=&by=&format= (read scope):
// the report of `notifyctl report` (report/report.hpp) over the rollups, as
// JSON (report/report_output.hpp), or as CSV with format=csv. `by` names
// dimensions separated by commas (by=day,channel); offset and limit make the
// rows a page ("rows_total" counts them all; X-Total-Count with CSV). Bad
// parameters are 400 with the parameter named; a range with nothing in it is
// an empty report.
#include <sstream>

#include "api.hpp"
#include "report/report.hpp"
#include "report/report_output.hpp"
#include "store/rollup_store.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::ingest {

void Api::get_report(const Request& req, const Reply& done) {
    report::RequestText text;
    std::string format = "json";
    for (const auto& [key, value] : req.query) {
        if (key == "since") {
            text.since = value;
        } else if (key == "until") {
            text.until = value;
        } else if (key == "by") {
            text.by.push_back(value);
        } else if (key == "offset") {
            text.offset = value;
        } else if (key == "limit") {
            text.limit = value;
        } else if (key == "format") {
            if (value != "json" && value != "csv")
                return fail(
                    done, make_error(ErrorKind::invalid, "invalid_format",
                                     "'format' must be json or csv, not '" + log::clip(value) + "'",
                                     "format"));
            format = value;
        } else {
            return fail(done, make_error(ErrorKind::invalid, "unknown_parameter",
                                         "unknown parameter '" + log::clip(key) + "'" +
                                             util::did_you_mean(key, {"since", "until", "by",
                                                                      "offset", "limit", "format"}),
                                         log::clip(key)));
        }
    }
    auto request = report::parse_request(text, util::now_ms(), report::query_names());
    if (!request) return fail(done, request.error());
    if (!rollups_) rollups_ = std::make_unique<store::RollupStore>(reads_);
    // Written as it is made, and sent once whole: an error may come late.
    Response r;
    auto made = [&]() -> Expected<report::Report> {
        if (format == "csv") {
            std::ostringstream out;
            report::CsvReport csv(out);
            auto whole = report::make(*rollups_, *request, csv);
            r.body = std::move(out).str();
            return whole;
        }
        report::JsonReport json(r.body);
        auto whole = report::make(*rollups_, *request, json);
        if (whole) json.end(*whole);
        return whole;
    }();
    if (!made && made.error().kind == ErrorKind::invalid) return fail(done, made.error());
    if (!made)
        return fail(done, make_error(ErrorKind::unavailable, "store_unavailable",
                                     "the store cannot be read: " + made.error().message));
    if (format == "csv") {
        r.content_type = "text/csv; charset=utf-8";
        r.headers.emplace_back("Content-Disposition", "attachment; filename=\"report.csv\"");
        r.headers.emplace_back("X-Total-Count", std::to_string(made->rows_total));
    }
    done(std::move(r));
}

}  // namespace notify::ingest
