// tracked_html.cpp - rewriting links and adding the open image; see
// tracked_html.hpp. A small scanner of tags, not a full HTML parser: it knows
// comments, tag names, and attributes with double-quoted, single-quoted or
// bare values, which is all that finding an href needs.
#include "tracked_html.hpp"

#include <cctype>
#include <cstdint>
#include <vector>

#include "util/html.hpp"
#include "util/utf8.hpp"

namespace notify {

namespace {

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

bool equals_nocase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
    util::append_utf8(out, cp);
}

// An attribute value with its character references decoded: the named ones
// that appear in addresses, and numeric ones. Anything else stays as written.
std::string decode_value(std::string_view v) {
    static const std::pair<std::string_view, char> kNamed[] = {
        {"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
    std::string out;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size();) {
        if (v[i] != '&') {
            out += v[i++];
            continue;
        }
        std::string_view rest = v.substr(i + 1);
        bool done = false;
        for (const auto& [name, c] : kNamed)
            if (rest.substr(0, name.size()) == name) {
                out += c;
                i += 1 + name.size();
                done = true;
                break;
            }
        if (done) continue;
        if (!rest.empty() && rest[0] == '#') {
            bool hex = rest.size() > 1 && (rest[1] == 'x' || rest[1] == 'X');
            std::size_t j = hex ? 2 : 1;
            std::uint32_t cp = 0;
            std::size_t digits = 0;
            for (; j < rest.size() && digits < 8; ++j, ++digits) {
                char c = rest[j];
                int d = std::isdigit(static_cast<unsigned char>(c))           ? c - '0'
                        : hex && std::isxdigit(static_cast<unsigned char>(c)) ? lower(c) - 'a' + 10
                                                                              : -1;
                if (d < 0) break;
                cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
            }
            if (digits > 0 && j < rest.size() && rest[j] == ';') {
                append_utf8(out, cp);
                i += 1 + j + 1;
                continue;
            }
        }
        out += v[i++];
    }
    return out;
}

struct Attribute {
    std::string_view name;
    std::size_t value_begin = 0;  // offsets in the HTML; equal when there is no value
    std::size_t value_end = 0;
};

// The attributes of the tag whose name ends at `pos`, and the offset just past
// its '>' (html.size() when the tag is not closed).
std::size_t scan_attributes(std::string_view html, std::size_t pos,
                            std::vector<Attribute>& attributes) {
    const std::size_t n = html.size();
    while (pos < n) {
        while (pos < n && (space(html[pos]) || html[pos] == '/')) ++pos;
        if (pos >= n) break;
        if (html[pos] == '>') return pos + 1;
        std::size_t name_begin = pos;
        while (pos < n && !space(html[pos]) && html[pos] != '=' && html[pos] != '>' &&
               html[pos] != '/')
            ++pos;
        Attribute a;
        a.name = html.substr(name_begin, pos - name_begin);
        std::size_t after_name = pos;
        while (pos < n && space(html[pos])) ++pos;
        if (pos < n && html[pos] == '=') {
            ++pos;
            while (pos < n && space(html[pos])) ++pos;
            if (pos < n && (html[pos] == '"' || html[pos] == '\'')) {
                char quote = html[pos++];
                a.value_begin = pos;
                while (pos < n && html[pos] != quote) ++pos;
                a.value_end = pos;
                if (pos < n) ++pos;
            } else {
                a.value_begin = pos;
                while (pos < n && !space(html[pos]) && html[pos] != '>') ++pos;
                a.value_end = pos;
            }
        } else {
            pos = after_name;
            a.value_begin = a.value_end = pos;
        }
        if (!a.name.empty()) attributes.push_back(a);
        if (pos == name_begin) ++pos;  // a stray character: step over it
    }
    return n;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && space(s.front())) s.remove_prefix(1);
    while (!s.empty() && space(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace

std::string track_html(std::string_view html, const HtmlTracking& tracking) {
    std::string out;
    out.reserve(html.size() + html.size() / 4 + 256);
    const std::size_t n = html.size();
    std::vector<Attribute> attributes;
    std::size_t body_close = std::string::npos;
    std::size_t i = 0;
    while (i < n) {
        std::size_t lt = html.find('<', i);
        if (lt == std::string_view::npos) {
            out.append(html.substr(i));
            break;
        }
        out.append(html.substr(i, lt - i));
        if (html.substr(lt, 4) == "<!--") {
            // "<!-->" and "<!--->" end where they begin.
            std::size_t end;
            if (html.substr(lt, 5) == "<!-->") {
                end = lt + 5;
            } else if (html.substr(lt, 6) == "<!--->") {
                end = lt + 6;
            } else {
                end = html.find("-->", lt + 4);
                end = end == std::string_view::npos ? n : end + 3;
            }
            out.append(html.substr(lt, end - lt));
            i = end;
            continue;
        }
        // The open image goes before the last </body> outside comments.
        if (html.substr(lt, 2) == "</" && equals_nocase(html.substr(lt + 2, 4), "body"))
            body_close = out.size();
        std::size_t name_end = lt + 1;
        while (name_end < n && std::isalnum(static_cast<unsigned char>(html[name_end]))) ++name_end;
        std::string_view name = html.substr(lt + 1, name_end - lt - 1);
        bool link = (equals_nocase(name, "a") || equals_nocase(name, "area")) && name_end < n &&
                    (space(html[name_end]) || html[name_end] == '>' || html[name_end] == '/');
        if (!link || !tracking.click) {
            out += '<';
            i = lt + 1;
            continue;
        }
        attributes.clear();
        std::size_t tag_end = scan_attributes(html, name_end, attributes);
        const Attribute* href = nullptr;
        bool opted_out = false;
        for (const auto& a : attributes) {
            if (equals_nocase(a.name, "data-notify-no-track")) opted_out = true;
            if (!href && equals_nocase(a.name, "href")) href = &a;
        }
        std::string replacement;
        if (href && !opted_out) {
            std::string url = decode_value(
                trim(html.substr(href->value_begin, href->value_end - href->value_begin)));
            replacement = tracking.click(url);
        }
        if (replacement.empty()) {
            out.append(html.substr(lt, tag_end - lt));
        } else {
            out.append(html.substr(lt, href->value_begin - lt));
            out += util::escape_html(replacement);
            out.append(html.substr(href->value_end, tag_end - href->value_end));
        }
        i = tag_end;
    }
    if (tracking.pixel.empty()) return out;
    const std::string image = "<img src=\"" + util::escape_html(tracking.pixel) +
                              "\" width=\"1\" height=\"1\" alt=\"\" "
                              "style=\"display:block;border:0;width:1px;height:1px\">";
    if (body_close == std::string::npos)
        out += image;
    else
        out.insert(body_close, image);
    return out;
}

}  // namespace notify
