// scenario_otp.cpp - one-time codes at a constant offered rate (open loop, as in
// the latency scenario): --rate (1,000/s) POST /v1/otp for --seconds (10) over
// 64 connections, request i to its own recipient ("otp-u0000042", a handle on
// the webhook channel) with the default template "one-time-code", ttl and
// length (tests/bench/run imports the starter templates and lifts
// otp.key_rate). Then as many POST /v1/otp/verify at the same rate to the
// recipients whose code was sent, each with a wrong code.
// Targets: send p99 < 5 ms, every send answered 202; verify p99 < 2 ms, every
// verify answered 200.
#include <vector>

#include "payloads.hpp"
#include "report.hpp"
#include "scenarios.hpp"

namespace notify::bench {

namespace {

// A verify does the same work for a wrong code as for the right one (the
// recipient's code found, compared, the outcome recorded), so a wrong one
// times it without using the codes up. One code in a million is 000000 and
// answers "valid": a 200 all the same.
const std::string kWrongCode = "000000";

std::string recipient(long i) {
    return "otp-" + bench_user_id(i);
}

// One phase's figures: achieved rate, p50, p99 against `p99_target`, max, and
// the answers that were not `status` (or never came).
void report_phase(const std::string& name, const std::string& phase, const LoadSpec& spec,
                  LoadResult& res, Micros p99_target, const std::string& status) {
    const double rate = res.accepted_per_second();
    report(name, phase + " achieved rate", format_rate(rate), ">= " + format_rate(spec.rate * 0.99),
           verdict(rate >= spec.rate * 0.99));
    report(name, phase + " p50", format_ms(res.latency.percentile(50)));
    const Micros p99 = res.latency.percentile(99);
    report(name, phase + " p99", format_ms(p99), "< " + format_ms(p99_target),
           verdict(!res.latency.empty() && p99 < p99_target));
    report(name, phase + " max", format_ms(res.latency.max()));
    if (res.failed || res.unfinished)
        progress(name, phase + ": " + format_count(res.failed) + " failed, " +
                           format_count(res.unfinished) +
                           " unanswered; first failure: " + res.first_failure);
    report(name, phase + " answers not " + status, format_count(res.failed + res.unfinished), "0",
           verdict(res.failed + res.unfinished == 0));
}

}  // namespace

int otp(const Options& o) {
    const std::string name = "otp";
    auto sink = start_receiver(name, o, false);
    LoadSpec spec;
    spec.connections = o.connections > 0 ? o.connections : 64;
    spec.rate = o.rate > 0 ? o.rate : 1000;
    spec.seconds = o.seconds > 0 ? o.seconds : 10;
    spec.requests = o.count > 0 ? o.count : static_cast<long>(spec.rate * spec.seconds);
    const std::string how = "open loop at " + format_rate(spec.rate) + " for " +
                            std::to_string(static_cast<int>(spec.seconds)) + " s over " +
                            std::to_string(spec.connections) + " connections";
    report(name, "offered rate", format_rate(spec.rate));

    // Each request to its own recipient: otp.resend_after and otp.hourly_sends refuse none.
    std::vector<char> sent(static_cast<std::size_t>(spec.requests), 0);
    spec.path = "/v1/otp";
    spec.body = [&](long i) { return otp_send_json(o.channel, recipient(i)); };
    spec.accepted_in = [](const HttpReply& r) { return r.status == 202 ? 1L : 0L; };
    spec.on_reply = [&](long i, const HttpReply& r, Micros) {
        if (r.status == 202) sent[static_cast<std::size_t>(i)] = 1;
    };
    progress(name, "POST /v1/otp, " + how);
    LoadResult sends = run_open_loop(o.http, spec);
    if (sends.replied == 0) {
        progress(name, "no reply from the ingest");
        return 1;
    }
    report_phase(name, "send", spec, sends, 5000, "202");

    std::vector<long> holders;  // the recipients with a code
    for (std::size_t i = 0; i < sent.size(); ++i)
        if (sent[i]) holders.push_back(static_cast<long>(i));
    if (holders.empty()) {
        progress(name, "no code was sent; nothing to verify");
        return 1;
    }
    spec.path = "/v1/otp/verify";
    spec.body = [&](long i) {
        return otp_verify_json(recipient(holders[static_cast<std::size_t>(i) % holders.size()]),
                               kWrongCode);
    };
    spec.accepted_in = [](const HttpReply& r) { return r.status == 200 ? 1L : 0L; };
    spec.on_reply = nullptr;
    progress(name, "POST /v1/otp/verify with a wrong code, " + how);
    LoadResult verifies = run_open_loop(o.http, spec);
    report_phase(name, "verify", spec, verifies, 2000, "200");
    return 0;
}

}  // namespace notify::bench
