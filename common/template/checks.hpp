// checks.hpp - what a template must pass before it is stored, shared by
// `notifyctl template add|import` and PUT /v1/templates/{name}:
//
//   - its subject, text and HTML parse, and so does every partial they reach
//     (partials show their syntax errors only when rendered, so each part is
//     rendered once against empty data);
//   - its channel parameters are a JSON object, and a "payload" member, the
//     webhook body template, is a string that parses as a template too;
//   - its name and locale are plain words (they become file names on export).
//
// The caller hands over the parts of its stored template (Parts), so the
// engine knows nothing of the store.
#pragma once

#include <string>
#include <string_view>

#include "template/template.hpp"
#include "util/error.hpp"

namespace notify::tmpl {

// What of a stored template is itself a template.
struct Parts {
    std::string_view subject;
    std::string_view text;
    std::string_view html;
    std::string_view params_json;  // channel parameters: "" or a JSON object
};

// Every part of `t` parses, with the partials it reaches through `partials`.
// The error has code "template_syntax", names the part in its message
// ("text: line 2, column 3: ...") and in Error::field ("subject", "text",
// "html" or "params.payload"); a "payload" that is not a string is
// "invalid_params".
Status check_template(const Parts& t, const PartialLoader& partials);

// params_json must be empty or a JSON object; returns it in compact form ("" for
// an empty object). `what` names the input in the error ("--params", "params").
Expected<std::string> normalized_params(const std::string& params_json,
                                        const std::string& what = "--params");

// A template name or locale must be a plain word: letters, digits, '-', '_'
// and '.', not starting with '.'. `what` names it in the error ("template name").
Status check_word(const std::string& value, const std::string& what);

}  // namespace notify::tmpl
