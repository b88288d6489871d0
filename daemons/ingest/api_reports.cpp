// api_reports.cpp - GET /v1/reports?since=&until=&by=&format= (read scope):
// the report of `notifyctl report` (report/report.hpp) over the rollups, as
// JSON (report/report_output.hpp), or as CSV with format=csv. `by` names
// dimensions separated by commas (by=day,channel); offset and limit make the
// rows a page ("rows_total" counts them all; X-Total-Count with CSV answered
// whole, as a page of CSV always is). Bad
// parameters are 400 with the parameter named; a range with nothing in it is
// an empty report. They are made by the ReportMaker's threads, and a long one
// is sent as it is made (report_maker.hpp).
#include <sstream>

#include "api.hpp"
#include "report/report.hpp"
#include "report/report_output.hpp"
#include "report_maker.hpp"
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
    // Errors as the API gives them: a bad request, or the store unreadable.
    auto answer = [this, done](Expected<Response> made) {
        guarded(done, [&] {
            if (made) return done(std::move(*made));
            const Error& e = made.error();
            if (e.kind == ErrorKind::internal) return internal(done, e.message.c_str());
            if (e.kind == ErrorKind::invalid || e.code == "shutting_down") return fail(done, e);
            fail(done, make_error(ErrorKind::unavailable, "store_unavailable",
                                  "the store cannot be read: " + e.message));
        });
    };
    const bool csv = format == "csv";
    if (!report_maker_) {
        std::ostringstream out;
        auto made = trailing_->read([&](store::Store& s) {
            out = std::ostringstream();  // a second attempt starts afresh
            return report::make_written(rollups(s), *request, csv, out);
        });
        if (!made) return answer(made.error());
        Response r = report_head(csv, made->rows_total);
        r.body = std::move(out).str();
        return answer(std::move(r));
    }
    // A page of CSV is answered whole: its X-Total-Count is what a client
    // pages by.
    const bool page = request->offset > 0 || request->limit > 0;
    ReportMaker::Job job{*request, csv, req.streamable && !(csv && page), answer};
    if (!report_maker_->submit(std::move(job))) {
        Response busy = error_response(
            503, make_error(ErrorKind::unavailable, "reports_busy",
                            std::to_string(ReportMaker::kMaxWaiting) +
                                " reports wait to be made already; try again shortly"));
        busy.headers.emplace_back("Retry-After", "1");
        done(std::move(busy));
    }
}

}  // namespace notify::ingest
