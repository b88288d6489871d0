// tree.hpp - the parsed form of a template, shared by the parser and renderer.
//
// Internal to common/template: a template is a list of nodes; sections,
// blocks and parents own the nodes between their opening and closing tags.
#pragma once

#include <string>
#include <vector>

namespace notify::tmpl::detail {

enum class NodeKind {
    text,      // literal text
    variable,  // {{name}}, {{{name}}}, {{& name}}
    section,   // {{#name}} ... {{/name}}
    inverted,  // {{^name}} ... {{/name}}
    partial,   // {{>name}}
    block,     // {{$name}} ... {{/name}}: a slot a parent's caller may fill
    parent,    // {{<name}} ... {{/name}}: a partial whose blocks are overridden
};

// A dotted name, split once at parse time; no parts means the implicit
// iterator ".".
struct Name {
    std::string written;
    std::vector<std::string> parts;
};

struct Node {
    NodeKind kind = NodeKind::text;
    std::string text;         // text: the literal; partial, block, parent: the name
    Name name;                // variable, section, inverted
    bool escaped = true;      // variable: {{name}} rather than {{{name}}}
    bool standalone = false;  // partial, parent, block: alone on its line
    std::string indent;       // the whitespace before a standalone tag
    std::vector<Node> children;
};

struct Tree {
    std::vector<Node> nodes;
};

}  // namespace notify::tmpl::detail
