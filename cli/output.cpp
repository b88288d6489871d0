// output.cpp - tables, JSON lines and the small text forms of notifyctl output.
#include "output.hpp"

#include <algorithm>
#include <ostream>

namespace notify::cli {

namespace {

// Decodes one UTF-8 sequence at `i`, advancing it; malformed bytes decode as
// themselves so that nothing is lost.
char32_t next_codepoint(std::string_view s, size_t& i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    bool whole = i + extra < s.size();
    for (int k = 1; whole && k <= extra; ++k)
        whole = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (!whole) {
        ++i;
        return c;
    }
    char32_t cp = extra == 3 ? (c & 0x07) : extra == 2 ? (c & 0x0F) : extra == 1 ? (c & 0x1F) : c;
    for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += 1 + extra;
    return cp;
}

bool is_wide(char32_t cp) {
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
           (cp >= 0x20000 && cp <= 0x3FFFD);
}

}  // namespace

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::add(std::vector<std::string> row) {
    row.resize(headers_.size());
    for (auto& c : row) c = clip(c, 1000);
    rows_.push_back(std::move(row));
}

void Table::print(std::ostream& out) const {
    std::vector<size_t> width(headers_.size());
    for (size_t c = 0; c < headers_.size(); ++c) {
        width[c] = display_width(headers_[c]);
        for (const auto& row : rows_) width[c] = std::max(width[c], display_width(row[c]));
    }
    auto line = [&](const std::vector<std::string>& row) {
        std::string text;
        for (size_t c = 0; c < row.size(); ++c) {
            text += row[c];
            if (c + 1 < row.size()) text += std::string(width[c] - display_width(row[c]) + 2, ' ');
        }
        while (!text.empty() && text.back() == ' ') text.pop_back();
        out << text << "\n";
    };
    line(headers_);
    for (const auto& row : rows_) line(row);
}

size_t display_width(std::string_view text) {
    size_t w = 0;
    for (size_t i = 0; i < text.size();) w += is_wide(next_codepoint(text, i)) ? 2 : 1;
    return w;
}

std::string clip(std::string_view text, size_t width) {
    std::string out;
    size_t w = 0, i = 0;
    bool cut = false;
    while (i < text.size()) {
        size_t start = i;
        char32_t cp = next_codepoint(text, i);
        size_t cw = is_wide(cp) ? 2 : 1;
        if (w + cw > width) {
            cut = true;
            break;
        }
        if (cp < 0x20 || cp == 0x7F)
            out += ' ';
        else
            out.append(text.substr(start, i - start));
        w += cw;
    }
    if (!cut) return out;
    // Make room for "..." by dropping whole characters from the end.
    while (!out.empty() && display_width(out) + 3 > width) {
        size_t back = out.size() - 1;
        while (back > 0 && (static_cast<unsigned char>(out[back]) & 0xC0) == 0x80) --back;
        out.erase(back);
    }
    return out + std::string(std::min<size_t>(3, width), '.');
}

void print_json(std::ostream& out, const nlohmann::json& value) {
    out << value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

std::string count_of(std::int64_t n, std::string_view one, std::string_view many) {
    return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::string cell(const nlohmann::json& value) {
    if (value.is_null()) return "-";
    if (value.is_string()) return value.get<std::string>();
    return value.dump();
}

std::string member(const nlohmann::json& object, const char* key, const std::string& fallback) {
    if (!object.is_object()) return fallback;
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return fallback;
    return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string states_summary(const nlohmann::json& states) {
    if (!states.is_object() || states.empty()) return "-";
    std::string out;
    for (const auto& [state, n] : states.items()) {
        if (!out.empty()) out += ' ';
        out += state + ":" + cell(n);
    }
    return out;
}

}  // namespace notify::cli
