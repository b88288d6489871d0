// csv.cpp - the RFC 4180 reader and writer.
#include "store/csv.hpp"

#include <ostream>

namespace notify::store {

CsvReader::CsvReader(std::string_view text) : text_(text) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

void CsvReader::skip_rest_of_line() {
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
    if (pos_ < text_.size()) {
        ++pos_;
        ++line_;
    }
}

bool CsvReader::next(CsvRow& row) {
    // Empty lines between records carry nothing.
    while (pos_ < text_.size()) {
        if (text_[pos_] == '\n') {
            ++pos_;
            ++line_;
        } else if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') {
            pos_ += 2;
            ++line_;
        } else {
            break;
        }
    }
    if (pos_ >= text_.size()) return false;
    row.line = line_;
    row.fields.clear();
    row.error.clear();
    for (;;) {
        std::string field;
        if (pos_ < text_.size() && text_[pos_] == '"') {
            long opened = line_;
            ++pos_;
            bool closed = false;
            while (pos_ < text_.size()) {
                size_t quote = text_.find('"', pos_);
                size_t stop = quote == std::string_view::npos ? text_.size() : quote;
                for (size_t i = pos_; i < stop; ++i)
                    if (text_[i] == '\n') ++line_;
                field.append(text_.substr(pos_, stop - pos_));
                pos_ = stop;
                if (quote == std::string_view::npos) break;
                if (quote + 1 < text_.size() && text_[quote + 1] == '"') {
                    field += '"';
                    pos_ = quote + 2;
                    continue;
                }
                pos_ = quote + 1;
                closed = true;
                break;
            }
            if (!closed) {
                row.error =
                    "a quoted field opened on line " + std::to_string(opened) + " is never closed";
                return true;
            }
            bool at_end =
                pos_ >= text_.size() || text_[pos_] == ',' || text_[pos_] == '\n' ||
                (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n');
            if (!at_end) {
                row.error = "text after the closing quote of field " +
                            std::to_string(row.fields.size() + 1) +
                            " (a quote inside a quoted field is written twice)";
                skip_rest_of_line();
                return true;
            }
        } else {
            size_t stop = text_.find_first_of(",\n", pos_);
            if (stop == std::string_view::npos) stop = text_.size();
            size_t end = stop;
            if (end > pos_ && text_[end - 1] == '\r' && (end == text_.size() || text_[end] == '\n'))
                --end;
            field.assign(text_.substr(pos_, end - pos_));
            pos_ = stop;
        }
        row.fields.push_back(std::move(field));
        if (pos_ >= text_.size()) return true;
        if (text_[pos_] == ',') {
            ++pos_;
            continue;
        }
        if (text_[pos_] == '\r') ++pos_;
        ++pos_;  // '\n'
        ++line_;
        return true;
    }
}

namespace {

bool needs_quotes(const std::string& f) {
    if (f.empty()) return false;
    return f.find_first_of(",\"\r\n") != std::string::npos || f.front() == ' ' || f.back() == ' ';
}

}  // namespace

void write_csv_row(std::ostream& out, const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out << ',';
        const std::string& f = fields[i];
        if (!needs_quotes(f)) {
            out << f;
            continue;
        }
        out << '"';
        for (char c : f) {
            if (c == '"') out << '"';
            out << c;
        }
        out << '"';
    }
    out << "\r\n";
}

}  // namespace notify::store
