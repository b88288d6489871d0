// prometheus.cpp - the Prometheus text format; see prometheus.hpp.
#include "util/prometheus.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>

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

std::string Sample::label(std::string_view wanted) const {
    for (const auto& [n, v] : labels)
        if (n == wanted) return v;
    return {};
}

namespace {

// Reads NAME{a="x",b="y"} VALUE from `line`; false when it is not a sample.
bool read_sample(std::string_view line, Sample& s) {
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    if (i == 0 || i == line.size()) return false;
    s.name.assign(line.substr(0, i));
    s.labels.clear();
    if (line[i] == '{') {
        ++i;
        while (i < line.size() && line[i] != '}') {
            size_t eq = line.find('=', i);
            if (eq == std::string_view::npos || eq + 1 >= line.size() || line[eq + 1] != '"')
                return false;
            std::string name(line.substr(i, eq - i)), value;
            size_t j = eq + 2;
            for (; j < line.size() && line[j] != '"'; ++j) {
                if (line[j] == '\\' && j + 1 < line.size()) {
                    ++j;
                    value += line[j] == 'n' ? '\n' : line[j];
                } else {
                    value += line[j];
                }
            }
            if (j == line.size()) return false;
            s.labels.emplace_back(std::move(name), std::move(value));
            i = j + 1;
            if (i < line.size() && line[i] == ',') ++i;
        }
        if (i == line.size()) return false;
        ++i;
    }
    while (i < line.size() && line[i] == ' ') ++i;
    std::string number(line.substr(i, line.find(' ', i) - i));
    if (number == "+Inf") {
        s.value = HUGE_VAL;
        return true;
    }
    if (number == "-Inf") {
        s.value = -HUGE_VAL;
        return true;
    }
    char* end = nullptr;
    s.value = std::strtod(number.c_str(), &end);
    return !number.empty() && *end == '\0';
}

}  // namespace

std::vector<Sample> read_samples(std::string_view text) {
    std::vector<Sample> out;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (line.empty() || line.front() == '#') continue;
        Sample s;
        if (read_sample(line, s)) out.push_back(std::move(s));
    }
    return out;
}

namespace {

// The metric name a line of an exposition is about ("" for another comment
// or a blank line).
std::string_view subject(std::string_view line) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE "))
        line.remove_prefix(7);
    else if (line.empty() || line.front() == '#')
        return {};
    return line.substr(0, line.find_first_of("{ \t"));
}

// `line` (a sample) with `label`="`value`" first among its labels.
std::string labelled(std::string_view line, std::string_view label, std::string_view value) {
    const std::size_t name = line.find_first_of("{ \t");
    if (name == std::string_view::npos) return std::string(line);
    std::string out(line.substr(0, name));
    out += '{';
    out += label;
    out += "=\"" + escape_label_value(value) + '"';
    if (line[name] == '{') {
        if (name + 1 < line.size() && line[name + 1] != '}') out += ',';
        out += line.substr(name + 1);
    } else {
        out += '}';
        out += line.substr(name);
    }
    return out;
}

}  // namespace

std::string merge_expositions(const std::vector<Exposition>& parts, std::string_view label) {
    struct Family {
        std::string head;     // HELP and TYPE
        std::string samples;  // every part's
        std::size_t headed_by = 0;
    };
    std::vector<std::string> order;
    std::map<std::string, Family, std::less<>> families;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        std::string_view text = parts[i].text;
        std::string current;  // the family of the samples that follow
        while (!text.empty()) {
            const std::size_t nl = text.find('\n');
            const std::string_view line = text.substr(0, nl);
            text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
            const std::string_view name = subject(line);
            if (name.empty()) continue;
            const bool comment = line.front() == '#';
            Sample sample;
            if (!comment && !read_sample(line, sample)) continue;
            // A sample belongs to the family opened last (a histogram's
            // _bucket, _sum and _count), else to its own name.
            if (comment || current.empty() || !name.starts_with(current)) current = name;
            auto [it, fresh] = families.try_emplace(current);
            if (fresh) {
                order.push_back(current);
                it->second.headed_by = i;
            }
            Family& f = it->second;
            if (comment) {
                if (f.headed_by == i) (f.head += line) += '\n';
            } else {
                (f.samples += labelled(line, label, parts[i].source)) += '\n';
            }
        }
    }
    std::string out;
    for (const auto& name : order) {
        const Family& f = families.at(name);
        out += f.head;
        out += f.samples;
    }
    return out;
}

double sum_of(const std::vector<Sample>& samples, std::string_view name, std::string_view label,
              std::string_view value) {
    double sum = 0;
    for (const auto& s : samples)
        if (s.name == name && (label.empty() || s.label(label) == value)) sum += s.value;
    return sum;
}

}  // namespace notify::util::prometheus
