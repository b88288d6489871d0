// prometheus.cpp - the Prometheus text format; see prometheus.hpp.
#include "util/prometheus.hpp"

#include <charconv>
#include <cmath>

namespace notify::util::prometheus {

void Histogram::observe(double value) {
    std::size_t i = 0;
    while (i < bounds_.size() && value > bounds_[i]) ++i;
    ++counts_[i];
    ++count_;
    sum_ += value;
}

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string escape_help(std::string_view help) {
    std::string out;
    out.reserve(help.size());
    for (char c : help) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string format_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    // Plain decimals where they read well (0.0005, 86400), else 1e-07 or 1e+20.
    const double size = std::fabs(value);
    const auto form = size == 0 || (size >= 1e-5 && size < 1e15) ? std::chars_format::fixed
                                                                 : std::chars_format::scientific;
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, form);
    if (ec != std::errc()) return "NaN";  // not reached: 64 bytes hold either form
    return std::string(buf, end);
}

void Text::family(std::string_view name, std::string_view type, std::string_view help) {
    out_.append("# HELP ").append(name).append(" ").append(escape_help(help)).append("\n");
    out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void Text::sample(std::string_view name, Labels labels, double value) {
    line(name, labels, nullptr, format_value(value));
}

void Text::histogram(std::string_view name, Labels labels, const Histogram& h) {
    const std::string bucket = std::string(name) + "_bucket";
    std::uint64_t cumulative = 0;
    const auto& counts = h.counts();
    for (std::size_t i = 0; i < counts.size(); ++i) {
        cumulative += counts[i];
        const std::string le = i < h.bounds().size() ? format_value(h.bounds()[i]) : "+Inf";
        const Label extra{"le", le};
        line(bucket, labels, &extra, std::to_string(cumulative));
    }
    line(std::string(name) + "_sum", labels, nullptr, format_value(h.sum()));
    line(std::string(name) + "_count", labels, nullptr, std::to_string(h.count()));
}

void Text::line(std::string_view name, Labels labels, const Label* extra, std::string_view value) {
    out_.append(name);
    if (labels.size() || extra) {
        char sep = '{';
        auto one = [&](const Label& l) {
            out_.push_back(sep);
            out_.append(l.name).append("=\"").append(escape_label_value(l.value)).append("\"");
            sep = ',';
        };
        for (const Label& l : labels) one(l);
        if (extra) one(*extra);
        out_.push_back('}');
    }
    out_.append(" ").append(value).append("\n");
}

}  // namespace notify::util::prometheus
