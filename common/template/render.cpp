// render.cpp - renders a parsed template against JSON data.
//
// The renderer walks the node tree with a context stack of JSON values. A name
// is looked up by its first part from the top of the stack down; the rest of a
// dotted name is resolved only inside the value found (no fallback further
// down, as the specification requires). Partials are loaded through the
// caller's loader, parsed on first use and kept for the rest of the render.
// A standalone partial indents every line of its own template text (not the
// values interpolated into it) by the whitespace before its tag.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "template/escape.hpp"
#include "template/template.hpp"
#include "template/tree.hpp"
#include "util/strings.hpp"

namespace notify::tmpl {
namespace {

using detail::Name;
using detail::Node;
using detail::NodeKind;
using json = nlohmann::json;

// A block override in force: the block name and the node whose children replace
// the parent's default content.
using Overrides = std::vector<std::pair<const std::string*, const Node*>>;

bool is_falsey(const json* value) {
    return value == nullptr || value->is_null() || (value->is_boolean() && !value->get<bool>()) ||
           (value->is_array() && value->empty());
}

class Renderer {
  public:
    Renderer(const json& data, const RenderOptions& options) : options_(options) {
        stack_.push_back(&data);
    }

    Status nodes(const std::vector<Node>& list);
    std::string take() { return std::move(out_); }

  private:
    Status each_node(const std::vector<Node>& list);
    const json* lookup(const Name& name) const;
    void text(const std::string& literal);
    void variable(const Node& node);
    Status section(const Node& node);
    Status include(const Node& node, const Overrides& overrides);
    Expected<const Template*> partial(const std::string& name);
    // One step more (a node, or an item of a list a section repeats for),
    // within RenderOptions::max_nodes and max_output.
    Status spend();
    void start_line() {
        if (at_line_start_ && !indent_.empty()) out_ += indent_;
        at_line_start_ = false;
    }

    const RenderOptions& options_;
    std::string out_;
    std::vector<const json*> stack_;
    std::string indent_;
    bool at_line_start_ = true;
    Overrides overrides_;
    int depth_ = 0;            // partials being rendered
    int nesting_ = 0;          // lists of nodes being rendered, through every partial
    std::size_t visited_ = 0;  // steps taken, for RenderOptions::max_nodes
    std::map<std::string, std::optional<Template>, std::less<>> partials_;
};

const json* Renderer::lookup(const Name& name) const {
    if (name.parts.empty()) return stack_.back();
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
        const json& frame = **it;
        if (!frame.is_object()) continue;
        auto found = frame.find(name.parts[0]);
        if (found == frame.end()) continue;
        const json* value = &*found;
        for (size_t i = 1; i < name.parts.size(); ++i) {
            if (!value->is_object()) return nullptr;
            auto next = value->find(name.parts[i]);
            if (next == value->end()) return nullptr;
            value = &*next;
        }
        return value;
    }
    return nullptr;
}

void Renderer::text(const std::string& literal) {
    if (indent_.empty()) {
        out_ += literal;
        at_line_start_ = !literal.empty() ? literal.back() == '\n' : at_line_start_;
        return;
    }
    size_t i = 0;
    while (i < literal.size()) {
        start_line();
        size_t nl = literal.find('\n', i);
        if (nl == std::string::npos) {
            out_.append(literal, i, std::string::npos);
            return;
        }
        out_.append(literal, i, nl + 1 - i);
        at_line_start_ = true;
        i = nl + 1;
    }
}

void Renderer::variable(const Node& node) {
    start_line();
    const json* value = lookup(node.name);
    if (value == nullptr) {
        if (options_.missing) {
            auto& missing = *options_.missing;
            bool seen = false;
            for (const auto& name : missing) seen = seen || name == node.name.written;
            if (!seen) missing.push_back(node.name.written);
        }
        return;
    }
    Escape mode = node.escaped ? options_.escape : Escape::none;
    switch (value->type()) {
        case json::value_t::null:
            return;
        case json::value_t::string:
            append_escaped(out_, value->get_ref<const std::string&>(), mode);
            return;
        case json::value_t::number_integer:
            out_ += std::to_string(value->get<int64_t>());
            return;
        case json::value_t::number_unsigned:
            out_ += std::to_string(value->get<uint64_t>());
            return;
        case json::value_t::boolean:
            out_ += value->get<bool>() ? "true" : "false";
            return;
        default:
            append_escaped(out_, value->dump(), mode);
            return;
    }
}

Status Renderer::section(const Node& node) {
    const json* value = lookup(node.name);
    bool falsey = is_falsey(value);
    if (node.kind == NodeKind::inverted) return falsey ? nodes(node.children) : ok();
    if (falsey) return ok();
    if (value->is_array()) {
        for (const json& item : *value) {
            if (Status spent = spend(); !spent) return spent;
            stack_.push_back(&item);
            Status st = nodes(node.children);
            stack_.pop_back();
            if (!st) return st;
        }
        return ok();
    }
    stack_.push_back(value);
    Status st = nodes(node.children);
    stack_.pop_back();
    return st;
}

Expected<const Template*> Renderer::partial(const std::string& name) {
    auto found = partials_.find(name);
    if (found == partials_.end()) {
        std::optional<Template> parsed;
        std::optional<PartialSource> source;
        if (options_.partials) source = options_.partials(name);
        if (source && std::holds_alternative<Template>(*source)) {
            parsed = std::get<Template>(*source);
        } else if (source) {
            auto result = Template::parse(std::get<std::string>(*source));
            if (!result) {
                Error err = result.error();
                err.message = "partial '" + name + "': " + err.message;
                return err;
            }
            parsed = std::move(*result);
        }
        found = partials_.emplace(name, std::move(parsed)).first;
    }
    return found->second ? &*found->second : nullptr;
}

Status Renderer::include(const Node& node, const Overrides& overrides) {
    if (depth_ >= max_partial_depth) {
        return make_error(ErrorKind::invalid, "template_depth",
                          "partials nest deeper than " + std::to_string(max_partial_depth) +
                              " levels at '" + node.text + "'; is a partial recursive?");
    }
    auto loaded = partial(node.text);
    if (!loaded) return loaded.error();
    if (*loaded == nullptr) return ok();

    std::string saved_indent = indent_;
    Overrides saved_overrides = std::move(overrides_);
    if (node.standalone) {
        indent_ += node.indent;
        at_line_start_ = true;
    } else {
        start_line();
        indent_.clear();
    }
    overrides_ = overrides;
    ++depth_;
    Status st = nodes((*loaded)->tree().nodes);
    --depth_;
    overrides_ = std::move(saved_overrides);
    indent_ = std::move(saved_indent);
    // After a standalone tag the next text starts a new line of this template.
    at_line_start_ = node.standalone;
    return st;
}

Status Renderer::spend() {
    const bool over_nodes = options_.max_nodes && ++visited_ > options_.max_nodes;
    const bool over_output = options_.max_output && out_.size() > options_.max_output;
    if (!over_nodes && !over_output) return ok();
    return make_error(ErrorKind::too_large, "render_too_large",
                      "the rendering is too large (over " +
                          (over_output ? std::to_string(options_.max_output) + " bytes"
                                       : std::to_string(options_.max_nodes) + " steps") +
                          "); do sections repeat inside sections over long lists?");
}

Status Renderer::nodes(const std::vector<Node>& list) {
    // Each template nests at most max_section_depth deep (the parser sees to
    // it), but partials stack templates; this bounds the recursion whatever
    // they hold.
    if (nesting_ >= max_render_depth)
        return make_error(ErrorKind::invalid, "template_depth",
                          "sections nest deeper than " + std::to_string(max_render_depth) +
                              " levels through partials");
    ++nesting_;
    Status st = each_node(list);
    --nesting_;
    return st;
}

Status Renderer::each_node(const std::vector<Node>& list) {
    for (const Node& node : list) {
        if (Status spent = spend(); !spent) return spent;
        Status st = ok();
        switch (node.kind) {
            case NodeKind::text:
                text(node.text);
                break;
            case NodeKind::variable:
                variable(node);
                break;
            case NodeKind::section:
            case NodeKind::inverted:
                st = section(node);
                break;
            case NodeKind::partial:
                st = include(node, overrides_);
                break;
            case NodeKind::block: {
                const Node* chosen = &node;
                for (const auto& [name, over] : overrides_) {
                    if (*name == node.text) {
                        chosen = over;
                        break;
                    }
                }
                st = nodes(chosen->children);
                break;
            }
            case NodeKind::parent: {
                // The caller's overrides win over the ones given here, so the
                // most derived template decides each block.
                Overrides merged = overrides_;
                for (const Node& child : node.children) {
                    if (child.kind != NodeKind::block) continue;
                    bool taken = false;
                    for (const auto& entry : merged) taken = taken || *entry.first == child.text;
                    if (!taken) merged.emplace_back(&child.text, &child);
                }
                st = include(node, merged);
                break;
            }
        }
        if (!st) return st;
    }
    return ok();
}

}  // namespace

Expected<std::string> render(const Template& tmpl, const nlohmann::json& data,
                             const RenderOptions& options) {
    Renderer renderer(data, options);
    if (auto st = renderer.nodes(tmpl.tree().nodes); !st) return st.error();
    return renderer.take();
}

std::string missing_message(const std::vector<std::string>& names) {
    return "missing variables: " + util::join(names, ", ");
}

}  // namespace notify::tmpl
