// csv.hpp - comma-separated values as RFC 4180 has them: fields separated by
// ',', records by CRLF or LF; a field in double quotes may hold commas, line
// breaks and quotes (written twice). A UTF-8 byte order mark at the start is
// skipped; empty lines are skipped.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace notify::store {

struct CsvRow {
    long line = 0;  // 1-based line the record starts on
    std::vector<std::string> fields;
    std::string error;  // set when the record is malformed; `fields` is then partial
};

class CsvReader {
  public:
    explicit CsvReader(std::string_view text);
    // The next record; false at the end of the text.
    bool next(CsvRow& row);

  private:
    void skip_rest_of_line();
    std::string_view text_;
    size_t pos_ = 0;
    long line_ = 1;
};

// One record, each field quoted when it holds ',', '"', a line break, or
// leading or trailing spaces; ends with CRLF as RFC 4180 writes.
void write_csv_row(std::ostream& out, const std::vector<std::string>& fields);

}  // namespace notify::store
