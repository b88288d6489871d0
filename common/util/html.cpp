// html.cpp - escaping text for HTML; see html.hpp.
#include "util/html.hpp"

namespace notify::util {

void append_html(std::string& out, std::string_view text) {
    size_t run = 0;  // start of the bytes not yet copied
    for (size_t i = 0; i < text.size(); ++i) {
        const char* entity = nullptr;
        switch (text[i]) {
            case '&':
                entity = "&amp;";
                break;
            case '<':
                entity = "&lt;";
                break;
            case '>':
                entity = "&gt;";
                break;
            case '"':
                entity = "&quot;";
                break;
            case '\'':
                entity = "&#39;";
                break;
            default:
                continue;
        }
        out.append(text.substr(run, i - run));
        out += entity;
        run = i + 1;
    }
    out.append(text.substr(run));
}

std::string escape_html(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    append_html(out, text);
    return out;
}

}  // namespace notify::util
