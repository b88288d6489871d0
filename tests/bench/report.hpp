// report.hpp - how notify-bench hands its figures to tests/bench/run.
//
// Each figure is one tab-separated line on stdout:
//   result <scenario> <figure> <value> <target> <verdict>
// where verdict is "met", "missed" or "-" (a figure without a target). Progress
// and diagnostics go to stderr, so stdout stays machine-readable.
#pragma once

#include <string>

namespace notify::bench {

enum class Verdict { info, met, missed };

inline Verdict verdict(bool met) {
    return met ? Verdict::met : Verdict::missed;
}

void report(const std::string& scenario, const std::string& figure, const std::string& value,
            const std::string& target = "", Verdict v = Verdict::info);

// Progress line on stderr: "notify-bench: <scenario>: <text>".
void progress(const std::string& scenario, const std::string& text);

// 12345.6 -> "12,346/s"
std::string format_rate(double per_second);
// 12345 -> "12,345"
std::string format_count(long n);

}  // namespace notify::bench
