// template_manage.hpp - what the `notifyctl template` subcommands share: the
// partials of a folder, the author written with each version, and the setup of
// the subcommands beyond `render`. The checks a template passes before it is
// stored are template/checks.hpp, shared with notify-ingest.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "command.hpp"
#include "store/template_store.hpp"
#include "template/checks.hpp"
#include "template/template.hpp"

namespace notify::cli {

using Subcommands = std::vector<std::pair<CLI::App*, Runner>>;

// {{> name}} reads DIR/name.mustache; an empty DIR knows no partials.
tmpl::PartialLoader partials_from(const std::string& dir);
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
