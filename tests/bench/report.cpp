// report.cpp - result lines and number formatting.
#include "report.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>

namespace notify::bench {

void report(const std::string& scenario, const std::string& figure, const std::string& value,
            const std::string& target, Verdict v) {
    const char* word = v == Verdict::met ? "met" : v == Verdict::missed ? "missed" : "-";
    std::cout << "result\t" << scenario << '\t' << figure << '\t' << value << '\t'
              << (target.empty() ? "-" : target) << '\t' << word << std::endl;
}

void progress(const std::string& scenario, const std::string& text) {
    std::cerr << "notify-bench: " << scenario << ": " << text << std::endl;
}

std::string format_count(long n) {
    std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return (n < 0 ? "-" : "") + out;
}

std::string format_rate(double per_second) {
    return format_count(std::lround(per_second)) + "/s";
}

}  // namespace notify::bench
