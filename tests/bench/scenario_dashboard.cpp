// scenario_dashboard.cpp - how fast the dashboard's pages answer over a big
// store: signs in with --key (a read key) the way a browser does (the sign-in
// form's CSRF token and cookie, then the session cookie), then asks for each
// page 10 times one after another (--count sizes the store, as for reports)
// and reports the
// slowest answer of each, measured at the client over loopback (so a little
// more than the server's time). Targets: the overview under 100 ms, a page of
// notifications with filters under 300 ms. Then the largest reports of
// GET /v1/reports, with --key as a bearer token, 5 times each: under 200 ms. tests/bench/run writes
// the store first (the month of the reports scenario) and starts notify-ingest alone on it.
#include <curl/curl.h>

#include <algorithm>
#include <regex>
#include <vector>

#include "clock.hpp"
#include "report.hpp"
#include "scenarios.hpp"

namespace notify::bench {

namespace {

struct Page {
    const char* name;
    std::string path;
    double target_ms;
};

size_t append(char* data, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(data, size * n);
    return size * n;
}

// Counts what comes and keeps nothing, as a client that reads as it goes.
size_t count(char*, size_t size, size_t n, void* out) {
    *static_cast<std::size_t*>(out) += size * n;
    return size * n;
}

class Browser {
  public:
    explicit Browser(const Target& http)
        : base_("http://" + http.host + ":" + std::to_string(http.port)), curl_(curl_easy_init()) {
        curl_easy_setopt(curl_, CURLOPT_COOKIEFILE, "");  // keep cookies in memory
        curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 60L);
    }
    ~Browser() {
        curl_easy_cleanup(curl_);
        curl_slist_free_all(headers_);
    }
    Browser(const Browser&) = delete;
    Browser& operator=(const Browser&) = delete;

    // GET (or POST `form`) `path`; the status, the body in `body`, the time in `ms`.
    long request(const std::string& path, std::string& body, double& ms,
                 const std::string* form = nullptr) {
        body.clear();
        received_ = 0;
        curl_easy_setopt(curl_, CURLOPT_URL, (base_ + path).c_str());
        curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, keep_ ? append : count);
        curl_easy_setopt(curl_, CURLOPT_WRITEDATA,
                         keep_ ? static_cast<void*>(&body) : static_cast<void*>(&received_));
        if (form)
            curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, form->c_str());
        else
            curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
        const Micros t0 = now_us();
        if (curl_easy_perform(curl_) != CURLE_OK) return 0;
        ms = static_cast<double>(now_us() - t0) / 1000.0;
        long status = 0;
        curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
        return status;
    }

    // Bodies are counted, not kept, from now on (received()).
    void discard() { keep_ = false; }
    std::size_t received() const { return received_; }
    // Asks with `key` as a bearer token from now on (the API, not the pages).
    void bearer(const std::string& key) {
        headers_ = curl_slist_append(headers_, ("Authorization: Bearer " + key).c_str());
        curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
    }

    bool sign_in(const std::string& key) {
        std::string body;
        double ms = 0;
        if (request("/login", body, ms) != 200) return false;
        std::smatch m;
        if (!std::regex_search(body, m, std::regex("name=\"csrf\" value=\"([^\"]+)\"")))
            return false;
        const std::string form = "csrf=" + m[1].str() + "&key=" + key;
        return request("/login", body, ms, &form) == 303;
    }

  private:
    std::string base_;
    CURL* curl_;
    curl_slist* headers_ = nullptr;
    bool keep_ = true;
    std::size_t received_ = 0;
};

std::string format_ms(double ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f ms", ms);
    return buf;
}

}  // namespace

int dashboard(const Options& o) {
    if (o.key.empty()) {
        progress("dashboard", "needs --key (an API key of scope read or admin)");
        return 1;
    }
    Browser browser(o.http);
    if (!browser.sign_in(o.key)) {
        progress("dashboard", "could not sign in with --key");
        return 1;
    }
    std::vector<Page> pages = {
        {"overview", "/", 100},
        {"notifications", "/notifications", 300},
        {"notifications: priority and channel", "/notifications?priority=high&channel=sms", 300},
        {"notifications: status and module", "/notifications?status=failed&module=billing", 300},
        {"notifications: a day, high priority",
         "/notifications?since=now-10d&until=now-9d&priority=high", 300},
        {"notifications: template and status", "/notifications?template=template-3&status=sent",
         300},
        {"notifications: a rare state", "/notifications?status=canceled", 300},
        {"notifications: text", "/notifications?text=outage", 300},
        {"report: by day", "/reports?since=now-30d&by=day", 300},
    };
    // The second page of a filtered list, by the link the first page gives.
    {
        std::string body;
        double ms = 0;
        browser.request("/notifications?priority=low&channel=email", body, ms);
        std::smatch m;
        if (std::regex_search(body, m, std::regex("cursor=([0-9A-Za-z]+)\" id=\"next-page\"")))
            pages.push_back({"notifications: next page",
                             "/notifications?priority=low&channel=email&cursor=" + m[1].str(),
                             300});
    }
    constexpr long runs = 10;
    int failed = 0;
    for (const auto& page : pages) {
        double slowest = 0;
        long status = 0;
        for (long i = 0; i < runs; ++i) {
            std::string body;
            double ms = 0;
            status = browser.request(page.path, body, ms);
            if (status != 200) break;
            slowest = std::max(slowest, ms);
        }
        if (status != 200) {
            progress("dashboard", std::string(page.name) + ": answered " + std::to_string(status));
            ++failed;
            continue;
        }
        report("dashboard", std::string(page.name) + ", slowest of " + std::to_string(runs),
               format_ms(slowest), "< " + format_ms(page.target_ms),
               verdict(slowest < page.target_ms));
    }
    // The largest reports as GET /v1/reports answers them, whole: made on a
    // report thread and sent as they are made; timed to the last byte at a
    // client that reads them as they come and keeps nothing.
    Browser api(o.http);
    api.bearer(o.key);
    api.discard();
    constexpr long api_runs = 5;
    for (const char* by : {"minute", "hour,template,priority", "minute,channel"}) {
        const std::string path = std::string("/v1/reports?since=now-30d&by=") + by;
        double slowest = 0;
        long status = 0;
        std::size_t bytes = 0;
        for (long i = 0; i < api_runs; ++i) {
            std::string body;
            double ms = 0;
            status = api.request(path, body, ms);
            if (status != 200) break;
            slowest = std::max(slowest, ms);
            bytes = api.received();
        }
        const std::string name = std::string("GET /v1/reports a month by ") + by;
        if (status != 200) {
            progress("dashboard", name + ": answered " + std::to_string(status));
            ++failed;
            continue;
        }
        char size[48];
        std::snprintf(size, sizeof size, " (%.1f MB)", static_cast<double>(bytes) / 1e6);
        report("dashboard", name + ", slowest of " + std::to_string(api_runs),
               format_ms(slowest) + size, "< 200 ms", verdict(slowest < 200));
    }
    return failed ? 1 : 0;
}

}  // namespace notify::bench
