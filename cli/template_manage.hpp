// template_manage.hpp - what the `notifyctl template` subcommands share: the
// checks a template passes before it is stored, the author written with each
// version, and the setup of the subcommands beyond `render`.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "command.hpp"
#include "store/template_store.hpp"
#include "template/template.hpp"

namespace notify::cli {

using Subcommands = std::vector<std::pair<CLI::App*, Runner>>;

// {{> name}} reads DIR/name.mustache; an empty DIR knows no partials.
tmpl::PartialLoader partials_from(const std::string& dir);
// Every part of `t` parses, and so does every partial it reaches through
// `partials`; the error names the part: "text: line 2, column 3: ...".
Status check_template(const store::TemplateVersion& t, const tmpl::PartialLoader& partials);
// params_json must be empty or a JSON object; returns it in compact form.
Expected<std::string> normalized_params(const std::string& params_json);
// A template name or locale must be a plain word: letters, digits, '-', '_'
// and '.', not starting with '.' (they become file names on export).
Status check_word(const std::string& value, const std::string& what);
// $SUDO_USER, else $USER, else "notifyctl".
std::string template_author();
// "'NAME'" with " for channel 'CH'" and " in locale 'L'" when not empty.
std::string variant_label(const std::string& name, const std::string& channel,
                          const std::string& locale);

// add, ls, show, history, rm and restore (template_manage.cpp).
void setup_template_manage(CLI::App& cmd, Context& ctx, Subcommands& subs);
// import and export (template_files.cpp).
void setup_template_files(CLI::App& cmd, Context& ctx, Subcommands& subs);

}  // namespace notify::cli
