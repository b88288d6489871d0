// json_writer.cpp - see json_writer.hpp.
#include "util/json_writer.hpp"

#include "util/utf8.hpp"

namespace notify::util {

void append_json_string(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    out.reserve(out.size() + text.size() + 2);
    out += '"';
    std::size_t run = 0;  // the start of the bytes not yet copied
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            ++i;
            continue;
        }
        if (c >= 0x80) {
            if (std::size_t n = utf8_length(text, i)) {
                i += n;
                continue;
            }
        }
        out.append(text.data() + run, i - run);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += hex[c >> 4];
                    out += hex[c & 0xf];
                    ++i;
                } else {
                    out += "\xef\xbf\xbd";  // not UTF-8: U+FFFD
                    i += utf8_invalid_length(text, i);
                }
                run = i;
                continue;
        }
        ++i;
        run = i;
    }
    out.append(text.data() + run, text.size() - run);
    out += '"';
}

void JsonObject::name(std::string_view n) {
    if (!first_) out_ += ',';
    first_ = false;
    out_ += '"';
    out_ += n;
    out_ += "\":";
}

JsonObject& JsonObject::text(std::string_view n, std::string_view value) {
    name(n);
    append_json_string(out_, value);
    return *this;
}

JsonObject& JsonObject::number(std::string_view n, std::int64_t value) {
    name(n);
    out_ += std::to_string(value);
    return *this;
}

JsonObject& JsonObject::boolean(std::string_view n, bool value) {
    name(n);
    out_ += value ? "true" : "false";
    return *this;
}

JsonObject& JsonObject::json(std::string_view n, std::string_view json) {
    name(n);
    out_ += json;
    return *this;
}

JsonObject& JsonObject::texts(std::string_view n, const std::vector<std::string>& values) {
    name(n);
    out_ += '[';
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out_ += ',';
        append_json_string(out_, values[i]);
    }
    out_ += ']';
    return *this;
}

}  // namespace notify::util
