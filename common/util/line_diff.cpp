// line_diff.cpp - see line_diff.hpp.
#include "util/line_diff.hpp"

#include <algorithm>
#include <cstdint>

namespace notify::util {

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const size_t end = text.find('\n');
        out.push_back(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    }
    return out;
}

LineDiff line_diff(std::string_view before, std::string_view after, std::size_t max_cells) {
    const auto a = split_lines(before), b = split_lines(after);
    // The shared head and tail need no table.
    size_t head = 0;
    while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
    size_t tail = 0;
    while (tail < a.size() - head && tail < b.size() - head &&
           a[a.size() - 1 - tail] == b[b.size() - 1 - tail])
        ++tail;
    const size_t n = a.size() - head - tail, m = b.size() - head - tail;

    LineDiff out;
    out.lines.reserve(a.size() + b.size() - head - tail);
    auto emit = [&](LineChange change, std::string_view line) {
        out.lines.push_back({change, std::string(line)});
    };
    for (size_t k = 0; k < head; ++k) emit(LineChange::same, a[k]);

    size_t i = 0, j = 0;  // how far the middle lines of `a` and `b` are given
    if (n > 0 && m > 0 && (n + 1) > max_cells / (m + 1)) {
        out.coarse = true;
    } else if (n > 0 && m > 0) {
        // lcs[i * (m + 1) + j]: the length of a longest common subsequence of
        // the middle lines of `a` from i and of `b` from j.
        std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
        auto at = [&](size_t x, size_t y) -> std::uint32_t& { return lcs[x * (m + 1) + y]; };
        for (size_t x = n; x-- > 0;)
            for (size_t y = m; y-- > 0;)
                at(x, y) = a[head + x] == b[head + y] ? at(x + 1, y + 1) + 1
                                                      : std::max(at(x + 1, y), at(x, y + 1));
        while (i < n && j < m) {
            if (a[head + i] == b[head + j]) {
                emit(LineChange::same, a[head + i]);
                ++i, ++j;
            } else if (at(i + 1, j) >= at(i, j + 1)) {
                emit(LineChange::removed, a[head + i++]);
            } else {
                emit(LineChange::added, b[head + j++]);
            }
        }
    }
    for (; i < n; ++i) emit(LineChange::removed, a[head + i]);
    for (; j < m; ++j) emit(LineChange::added, b[head + j]);
    for (size_t k = a.size() - tail; k < a.size(); ++k) emit(LineChange::same, a[k]);
    return out;
}

}  // namespace notify::util
