// local_store.hpp - the store opened directly from notifyctl, for the commands
// that work without a daemon (apikey, template render), the way postsuper works
// on Postfix's queue files: they need the rights to store.path (or the
// password of the database at store.url).
#pragma once

#include <memory>

#include "command.hpp"
#include "store/store.hpp"

namespace notify::cli {

// How notifyctl's connections to the configured store are made.
store::Options options_of(const Config& config, bool create);
// The configured store ([store]), or nullptr when `create` is false and it
// does not exist yet (no file, or a database without the schema).
Expected<std::unique_ptr<store::Store>> open_store(const Context& ctx, bool create);
Expected<std::unique_ptr<store::Store>> open_store(const Config& config, bool create);
// The same for reads that may trail the latest writes by a moment (reports,
// the audit log): a read replica of store.replicas that is close enough
// behind now (store/read_stores.hpp), else the leader; never created.
Expected<std::unique_ptr<store::Store>> open_store_to_read(Context& ctx);
Expected<std::unique_ptr<store::Store>> open_store_to_read(Context& ctx, const Config& config);

// Who runs notifyctl: the login name, as `logger` and `at` record it.
std::string operator_name();
// Records a change made on the store directly in its audit log, by
// operator_name(); a failure to record it is a warning, not the command's error.
void audit_local(Context& ctx, store::Store& store, const std::string& action,
                 const std::string& target, const std::string& detail = {});

}  // namespace notify::cli
