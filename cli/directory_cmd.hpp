// directory_cmd.hpp - `notifyctl user` and `notifyctl group`: the user directory
// (users, their identities and preferences, groups), worked on in the store
// directly like `template`, so no daemon is needed.
#pragma once

#include <functional>
#include <memory>
#include <string>

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

// "-" for an empty value.
inline std::string or_dash(const std::string& s) {
    return s.empty() ? "-" : s;
}

}  // namespace notify::cli
