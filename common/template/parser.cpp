// parser.cpp - turns Mustache text into a tree of nodes (Template::parse).
//
// One pass over the text with the current delimiters. A tag other than an
// interpolation that is alone on its line ("standalone") takes the whole line
// with it: the whitespace before it and the line ending after it are dropped,
// and for partials and parents the whitespace becomes the indentation of the
// included template. Errors name the line and column of the offending tag.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "template/template.hpp"
#include "template/tree.hpp"

namespace notify::tmpl {
namespace {

using detail::Name;
using detail::Node;
using detail::NodeKind;

constexpr auto npos = std::string_view::npos;

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

bool is_space(char c) {
    return is_blank(c) || c == '\n' || c == '\r';
}

// The last '\n' in s[from, to], or npos. Bounded below by `from`, since a search
// back to the start for every tag makes a long line cost its length squared.
size_t last_newline(std::string_view s, size_t from, size_t to) {
    size_t found = s.substr(from, to + 1 - from).rfind('\n');
    return found == npos ? npos : from + found;
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

Name make_name(std::string_view written) {
    Name name;
    name.written = std::string(written);
    if (written == ".") return name;
    size_t start = 0;
    while (true) {
        size_t dot = written.find('.', start);
        name.parts.emplace_back(written.substr(start, dot == npos ? npos : dot - start));
        if (dot == npos) break;
        start = dot + 1;
    }
    return name;
}

class Parser {
  public:
    explicit Parser(std::string_view src) : src_(src) {}

    Expected<std::vector<Node>> run();

  private:
    // One tag as written: its sigil, the text between sigil and closing
    // delimiter, and the offset just past it (npos when it is not closed).
    struct Tag {
        char sigil = '\0';
        bool has_sigil = false;
        std::string_view content;
        size_t end = npos;
        bool stands_alone() const { return has_sigil && sigil != '{' && sigil != '&'; }
    };
    struct Open {
        Node node;
        size_t at;  // offset of the opening tag, for "unclosed section"
    };

    Tag scan(size_t open) const;
    // The offset past the line ending when only blanks follow `at` on its
    // line, else npos.
    size_t line_end(size_t at) const;
    // How many tags make up the line starting with the tag at `open`, when
    // that line holds nothing but blanks and standalone-capable tags; else 0.
    size_t standalone_run(size_t open) const;
    Error fail(size_t at, const std::string& what) const;
    std::vector<Node>& current() { return open_.empty() ? root_ : open_.back().node.children; }
    void add_text(std::string_view text);
    Status set_delimiters(std::string_view content, size_t at);
    Status close(std::string_view name, size_t at);
    Status push_open(Node node, size_t at);

    std::string_view src_;
    std::string otag_ = "{{";
    std::string ctag_ = "}}";
    std::vector<Node> root_;
    std::vector<Open> open_;
};

Error Parser::fail(size_t at, const std::string& what) const {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < at && i < src_.size(); ++i) {
        if (src_[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return make_error(
        ErrorKind::invalid, "template_syntax",
        "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + what);
}

void Parser::add_text(std::string_view text) {
    if (text.empty()) return;
    auto& nodes = current();
    if (!nodes.empty() && nodes.back().kind == NodeKind::text) {
        nodes.back().text += text;
        return;
    }
    Node node;
    node.kind = NodeKind::text;
    node.text = std::string(text);
    nodes.push_back(std::move(node));
}

Status Parser::set_delimiters(std::string_view content, size_t at) {
    std::string_view body = trimmed(content);
    size_t gap = 0;
    while (gap < body.size() && !is_space(body[gap])) ++gap;
    std::string_view open = body.substr(0, gap);
    std::string_view close = trimmed(body.substr(gap));
    bool bad = open.empty() || close.empty() || open.find('=') != npos || close.find('=') != npos;
    for (char c : close) bad = bad || is_space(c);
    if (bad) return fail(at, "bad delimiter change '" + std::string(content) + "'");
    otag_ = std::string(open);
    ctag_ = std::string(close);
    return ok();
}

Status Parser::close(std::string_view name, size_t at) {
    if (open_.empty()) return fail(at, "closing tag '" + std::string(name) + "' has no section");
    Open top = std::move(open_.back());
    const std::string& want =
        top.node.kind == NodeKind::section || top.node.kind == NodeKind::inverted
            ? top.node.name.written
            : top.node.text;
    if (name != want) {
        return fail(at,
                    "mismatched closing tag '" + std::string(name) + "', expected '" + want + "'");
    }
    open_.pop_back();
    current().push_back(std::move(top.node));
    return ok();
}

Status Parser::push_open(Node node, size_t at) {
    if (open_.size() >= static_cast<size_t>(max_section_depth)) {
        return fail(at,
                    "sections nest deeper than " + std::to_string(max_section_depth) + " levels");
    }
    open_.push_back(Open{std::move(node), at});
    return ok();
}

Parser::Tag Parser::scan(size_t open) const {
    Tag tag;
    size_t p = open + otag_.size();
    tag.sigil = p < src_.size() ? src_[p] : '\0';
    tag.has_sigil = tag.sigil != '\0' && std::string_view("{=#^/!>&<$").find(tag.sigil) != npos;
    size_t end = npos;
    if (tag.sigil == '{' || tag.sigil == '=') {
        std::string closer = std::string(1, tag.sigil == '{' ? '}' : '=') + ctag_;
        end = src_.find(closer, p + 1);
        if (end != npos) tag.end = end + closer.size();
    } else {
        end = src_.find(ctag_, p);
        if (end != npos) tag.end = end + ctag_.size();
    }
    if (end == npos) return tag;
    size_t from = tag.has_sigil ? p + 1 : p;
    tag.content = src_.substr(from, end - from);
    return tag;
}

size_t Parser::line_end(size_t at) const {
    while (at < src_.size() && is_blank(src_[at])) ++at;
    if (at == src_.size()) return at;
    if (src_[at] == '\n') return at + 1;
    if (src_[at] == '\r' && at + 1 < src_.size() && src_[at + 1] == '\n') return at + 2;
    return npos;
}

size_t Parser::standalone_run(size_t open) const {
    size_t count = 0;
    size_t at = open;
    while (true) {
        Tag tag = scan(at);
        if (tag.end == npos || !tag.stands_alone()) return 0;
        if (tag.sigil == '=' && count > 0) return 0;
        ++count;
        if (line_end(tag.end) != npos) return count;
        // After a delimiter change the rest of the line reads differently.
        if (tag.sigil == '=') return 0;
        at = tag.end;
        while (at < src_.size() && is_blank(src_[at])) ++at;
        if (src_.compare(at, otag_.size(), otag_) != 0) return 0;
    }
}

Expected<std::vector<Node>> Parser::run() {
    size_t pos = 0;             // first byte not yet consumed
    size_t line_start = 0;      // start of the line `pos` is on
    bool line_has_tag = false;  // a tag already sits on this line before `pos`
    size_t run_left = 0;        // tags still to come on a standalone line
    std::string run_indent;     // the whitespace that opens that line
    while (true) {
        size_t open = src_.find(otag_, pos);
        if (open == npos) {
            add_text(src_.substr(pos));
            break;
        }
        if (size_t nl = last_newline(src_, pos, open); nl != npos) {
            line_start = nl + 1;
            line_has_tag = false;
        }

        Tag tag = scan(open);
        if (tag.end == npos) return fail(open, "unclosed tag '" + otag_ + "'");
        const char sigil = tag.sigil;
        const bool has_sigil = tag.has_sigil;
        const std::string_view content = tag.content;

        // A line that holds nothing but whitespace and tags other than
        // interpolations disappears from the output, line ending included.
        if (run_left == 0 && !line_has_tag && tag.stands_alone()) {
            bool blank_before = true;
            for (size_t i = line_start; i < open; ++i)
                blank_before = blank_before && is_blank(src_[i]);
            if (blank_before) run_left = standalone_run(open);
            if (run_left > 0) {
                add_text(src_.substr(pos, line_start - pos));
                run_indent = std::string(src_.substr(line_start, open - line_start));
                pos = open;
            }
        }
        const bool standalone = run_left > 0;
        std::string indent;
        if (standalone) {
            indent = run_indent;
            if (--run_left == 0) {
                pos = line_end(tag.end);
                line_start = pos;
                line_has_tag = false;
            } else {
                pos = tag.end;
            }
        } else {
            add_text(src_.substr(pos, open - pos));
            pos = tag.end;
            line_has_tag = true;
            size_t inner_nl = last_newline(src_, open, tag.end - 1);
            if (inner_nl != npos) line_start = inner_nl + 1;
        }

        std::string_view name = trimmed(content);
        if (sigil == '!') continue;
        if (sigil == '=') {
            if (auto st = set_delimiters(content, open); !st) return st.error();
            continue;
        }
        if (name.empty()) return fail(open, "empty tag name");
        if (sigil == '/') {
            if (auto st = close(name, open); !st) return st.error();
            continue;
        }
        Node node;
        switch (sigil) {
            case '#':
            case '^':
                node.kind = sigil == '#' ? NodeKind::section : NodeKind::inverted;
                node.name = make_name(name);
                if (auto st = push_open(std::move(node), open); !st) return st.error();
                continue;
            case '$':
            case '<':
                node.kind = sigil == '$' ? NodeKind::block : NodeKind::parent;
                node.text = std::string(name);
                node.standalone = standalone;
                node.indent = std::move(indent);
                if (auto st = push_open(std::move(node), open); !st) return st.error();
                continue;
            case '>':
                node.kind = NodeKind::partial;
                node.text = std::string(name);
                node.standalone = standalone;
                node.indent = std::move(indent);
                break;
            default:
                node.kind = NodeKind::variable;
                node.name = make_name(name);
                node.escaped = !has_sigil;
                break;
        }
        current().push_back(std::move(node));
    }
    if (!open_.empty()) {
        const Open& top = open_.back();
        const std::string& name =
            top.node.kind == NodeKind::section || top.node.kind == NodeKind::inverted
                ? top.node.name.written
                : top.node.text;
        return fail(top.at, "unclosed section '" + name + "'");
    }
    return std::move(root_);
}

}  // namespace

Expected<Template> Template::parse(std::string_view text) {
    auto nodes = Parser(text).run();
    if (!nodes) return nodes.error();
    auto tree = std::make_shared<detail::Tree>();
    tree->nodes = std::move(*nodes);
    return Template(std::move(tree));
}

}  // namespace notify::tmpl
