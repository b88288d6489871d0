// line_diff.hpp - the lines in which two texts differ, as `diff` shows them:
// every line of both, in order, marked unchanged, removed (only in the old
// text) or added (only in the new one), the unchanged lines being a longest
// common subsequence of the two.
//
// The lines the texts share at their start and end are matched first; what
// lies between is compared through a table that grows with the product of
// the two line counts. When that product is over `max_cells`, the middle is
// given whole as removed then added (still a true diff, just not the
// smallest) and the result says it is coarse, so no input can make the
// comparison take more than about 4 * max_cells bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace notify::util {

enum class LineChange { same, removed, added };

struct DiffLine {
    LineChange change;
    std::string text;  // without its line end
};

struct LineDiff {
    std::vector<DiffLine> lines;
    bool coarse = false;  // the middle was too large to compare line by line
};

// Enough for two texts of 1000 lines that differ throughout (4 MB of table).
inline constexpr std::size_t kMaxDiffCells = std::size_t{1} << 20;

// Lines end at '\n' (a '\r' before it stays part of the line); a final line
// end starts no further line, so "" has no lines and "a\n" one.
std::vector<std::string_view> split_lines(std::string_view text);

LineDiff line_diff(std::string_view before, std::string_view after,
                   std::size_t max_cells = kMaxDiffCells);

}  // namespace notify::util
