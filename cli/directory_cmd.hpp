// directory_cmd.hpp - `notifyctl user` and `notifyctl group`: the user directory
// (users, their identities and preferences, groups), worked on in the store
// directly like `template`, so no daemon is needed.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "command.hpp"
#include "store/directory_store.hpp"

namespace notify::cli {

Runner setup_user(CLI::App& command, Context& ctx);
Runner setup_group(CLI::App& command, Context& ctx);

// Opens the store and runs `body` on its directory. `create`: make the store
// when it does not exist yet (commands that write); otherwise a missing store
// runs `missing` (a list prints nothing, a lookup says "no user 'x'").
// A store failure that escapes `body` is one line and exit 70.
int with_directory(Context& ctx, bool create,
                   const std::function<int(store::DirectoryStore&)>& body,
                   const std::function<int()>& missing);

// with_directory for a command about user `id`: a missing store says
// "no user 'ID'".
int with_user_directory(Context& ctx, const std::string& id, bool create,
                        const std::function<int(store::DirectoryStore&)>& body);
// not_found: "no user 'ID' in the directory".
Error no_user(const std::string& id);
// not_found: "no group 'NAME' in the directory".
Error no_group(const std::string& name);
// A --group filter: no_group when `group` is given and not in the directory.
Status check_group_filter(store::DirectoryStore& d, const std::string& group);

// The subcommands of a command group with their runners, for dispatch().
using Subcommands = std::vector<std::pair<CLI::App*, Runner>>;
// Adds subcommand `name` of `user` that takes one user id and runs `run` with it.
void add_id_command(CLI::App& user, Subcommands& subs, const char* name, const char* help,
                    std::function<int(const std::string&)> run);
// The parts of `notifyctl user` kept in their own files; each adds its
// subcommands in the order help lists them.
void add_user_transfer_commands(CLI::App& user, Context& ctx, Subcommands& subs);  // import, export
void add_user_preference_commands(CLI::App& user, Context& ctx,
                                  Subcommands& subs);  // pref, unsubscribe, resubscribe

// "-" for an empty value.
inline std::string or_dash(const std::string& s) {
    return s.empty() ? "-" : s;
}

}  // namespace notify::cli
