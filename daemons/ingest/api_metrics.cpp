// api_metrics.cpp - GET /metrics in the Prometheus text format: ingest's own
// figures (metrics.hpp), notify_router_up, and the router's figures, which the
// router renders itself and sends on router.control ({"op":"metrics"}; the
// workers' figures come with them, since they report to the router).
//
// Scrapes that arrive while the router is being asked wait for that same
// answer, so there is at most one call at a time however many scrape. When the
// router does not answer within the control timeout (it is down, or busy), or
// answers with something that is not an exposition, the answer is ingest's
// figures alone with notify_router_up 0: /metrics itself never fails.
#include "api.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace notify::ingest {

namespace {

constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

// The router's exposition opens with its first family.
bool is_exposition(const std::string& text) {
    return util::starts_with(text, "# HELP ");
}

}  // namespace

void Api::get_metrics(Reply done) {
    metrics_waiting_.push_back(std::move(done));
    if (metrics_waiting_.size() > 1) return;  // the call under way answers it too
    try {
        control_.call(R"({"op":"metrics"})",
                      [this](Expected<std::string> reply) { answer_metrics(reply); });
    } catch (const std::exception& e) {
        NLOG(warning, "", "metrics the router could not be asked: " << e.what());
        answer_metrics(make_error(ErrorKind::unavailable, "router_unavailable", e.what()));
    }
}

void Api::answer_metrics(const Expected<std::string>& router) {
    const bool up = router && is_exposition(*router);
    if (!router)
        NLOG(debug, "", "metrics without the router's figures: " << router.error().message);
    util::prometheus::Text text;
    metrics_.render(text);
    text.family("notify_router_up", "gauge",
                "1 when the router answered this scrape with its figures (all that happens "
                "after acceptance), else 0.");
    text.sample("notify_router_up", {}, up ? 1 : 0);
    if (up) text.append(*router);

    std::vector<Reply> waiting;
    waiting.swap(metrics_waiting_);
    for (Reply& done : waiting) {
        guarded(done, [&] {
            Response r;
            r.body = text.str();
            r.content_type = kContentType;
            done(std::move(r));
        });
    }
}

}  // namespace notify::ingest
