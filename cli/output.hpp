// output.hpp - how notifyctl prints: aligned tables for people, one-line JSON
// (JSON Lines for lists) for machines, and the small text forms both share.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace notify::cli {

// Columns separated by two spaces, each as wide as its widest cell; the last
// column is not padded. Widths count terminal cells (CJK characters are two).
class Table {
  public:
    explicit Table(std::vector<std::string> headers);
    void add(std::vector<std::string> row);
    bool empty() const { return rows_.empty(); }
    void print(std::ostream& out) const;

  private:
    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
};

// Terminal cells that UTF-8 `text` takes.
size_t display_width(std::string_view text);
// `text` cut to at most `width` cells, ending in "..." when cut; control
// characters (newlines, tabs) become spaces.
std::string clip(std::string_view text, size_t width);

// One JSON value on one line.
void print_json(std::ostream& out, const nlohmann::json& value);

// "1 delivery", "3 deliveries".
std::string count_of(std::int64_t n, std::string_view one, std::string_view many);
// A JSON value as table text: strings as they are, null as "-", others dumped.
std::string cell(const nlohmann::json& value);
// The string member `key` of `object`, or `fallback`.
std::string member(const nlohmann::json& object, const char* key, const std::string& fallback = "");
// {"sent":1,"failed":2} -> "sent:1 failed:2".
std::string states_summary(const nlohmann::json& states);

}  // namespace notify::cli
