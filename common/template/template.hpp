// template.hpp - Mustache templates for notification subjects and bodies.
//
// A template is parsed once (Template::parse) and rendered many times against
// JSON data (render). The engine follows the Mustache specification: escaped
// and raw interpolation, dotted names, the implicit iterator, sections,
// inverted sections, comments, partials with standalone indentation, set
// delimiters, and template inheritance (blocks and parents; block content is
// not re-indented from where it is written to where it lands).
//
// Errors: a syntax error is an Error of kind invalid with code
// "template_syntax" and a message that starts with "line L, column C: ".
// Sections, inverted sections, blocks and parents nest at most
// max_section_depth deep in one template: deeper is a syntax error
// at the tag that goes too deep, so a stored template can
// never make the renderer recurse without bound.
// Rendering fails only when a partial has a syntax error, partials nest
// deeper than max_partial_depth, or sections nest deeper than
// max_render_depth counted through every partial; a missing partial renders as empty text, as
// the specification requires. Variables that resolve to nothing also render
// as empty text; RenderOptions::missing collects their names so a caller can
// refuse a send ("missing variables: a, b.c"). Sections repeat per item of a
// list, so nested sections over lists in the data can multiply the work: a
// caller that renders templates and data from one untrusted hand sets
// RenderOptions::max_nodes and max_output, and a render past either fails
// with code "render_too_large" (kind too_large).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/error.hpp"

namespace notify::tmpl {

namespace detail {
struct Tree;
}

// How interpolated values are escaped ({{name}}); {{{name}}} and {{& name}}
// never escape.
enum class Escape {
    html,  // & < > " ' become entities (the Mustache default: email bodies)
    none,  // plain text (SMS, push titles)
    json,  // safe inside a JSON string literal (webhook bodies)
};

class Template {
  public:
    // Parses `text`; the error carries the line and column of the fault.
    static Expected<Template> parse(std::string_view text);

    const detail::Tree& tree() const { return *tree_; }

  private:
    explicit Template(std::shared_ptr<const detail::Tree> tree) : tree_(std::move(tree)) {}
    std::shared_ptr<const detail::Tree> tree_;
};

// What a partial loader returns for a name it knows: the template text (parsed
// on first use within one render) or a template the caller parsed and cached.
using PartialSource = std::variant<std::string, Template>;
// Returns std::nullopt for an unknown partial, which renders as empty text.
using PartialLoader = std::function<std::optional<PartialSource>(const std::string& name)>;

inline constexpr int max_section_depth = 64;
inline constexpr int max_partial_depth = 100;
inline constexpr int max_render_depth = 256;

struct RenderOptions {
    Escape escape = Escape::html;
    PartialLoader partials;  // may be empty: every partial is then missing
    // When set, receives each interpolated name that resolved to nothing, as
    // written in the template ("b.c"), once each, in order of first use.
    std::vector<std::string>* missing = nullptr;
    // When not 0: at most this many steps (each tag and text rendered, and
    // each item a section repeats for) and about this many bytes of output (a
    // value being written may carry it past, by no more than its own size).
    std::size_t max_nodes = 0;
    std::size_t max_output = 0;
};

Expected<std::string> render(const Template& tmpl, const nlohmann::json& data,
                             const RenderOptions& options = {});

// "missing variables: a, b.c" for a non-empty list of names.
std::string missing_message(const std::vector<std::string>& names);

}  // namespace notify::tmpl
