// escape.cpp - escaping of interpolated values for HTML, JSON and plain text.
#include "template/escape.hpp"

#include "util/html.hpp"

namespace notify::tmpl {
namespace {

void append_json(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    size_t run = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        const char* short_form = nullptr;
        size_t skip = 1;
        std::string long_form;
        if (c == '"') {
            short_form = "\\\"";
        } else if (c == '\\') {
            short_form = "\\\\";
        } else if (c == '\n') {
            short_form = "\\n";
        } else if (c == '\r') {
            short_form = "\\r";
        } else if (c == '\t') {
            short_form = "\\t";
        } else if (c == '\b') {
            short_form = "\\b";
        } else if (c == '\f') {
            short_form = "\\f";
        } else if (c < 0x20 || c == 0x7f) {
            long_form = std::string("\\u00") + hex[c >> 4] + hex[c & 0xf];
        } else if (c == 0xe2 && i + 2 < text.size() &&
                   static_cast<unsigned char>(text[i + 1]) == 0x80 &&
                   (static_cast<unsigned char>(text[i + 2]) == 0xa8 ||
                    static_cast<unsigned char>(text[i + 2]) == 0xa9)) {
            // U+2028 and U+2029 end a line in JavaScript source.
            long_form = static_cast<unsigned char>(text[i + 2]) == 0xa8 ? "\\u2028" : "\\u2029";
            skip = 3;
        } else {
            continue;
        }
        out.append(text.substr(run, i - run));
        if (short_form) {
            out += short_form;
        } else {
            out += long_form;
        }
        i += skip - 1;
        run = i + 1;
    }
    out.append(text.substr(run));
}

}  // namespace

void append_escaped(std::string& out, std::string_view text, Escape mode) {
    switch (mode) {
        case Escape::html:
            util::append_html(out, text);
            return;
        case Escape::json:
            append_json(out, text);
            return;
        case Escape::none:
            out.append(text);
            return;
    }
}

}  // namespace notify::tmpl
