// directory_statements.hpp - the prepared statements of a DirectoryStore and
// the errors its parts share, for the files that make up DirectoryStore only:
// directory_store.cpp (users, groups), directory_preferences.cpp (preferences,
// unsubscribes) and directory_import.cpp (import and export).
#pragma once

#include <string>

#include "store/db.hpp"
#include "store/directory_store.hpp"
#include "util/error.hpp"

namespace notify::store {

struct DirectoryStore::Statements {
    explicit Statements(Db& db);
    Stmt upsert_user, user_exists, get_user, quiet_hours_of, any_quiet_hours, delete_user,
        delete_identities, insert_identity, delete_user_memberships, delete_preferences,
        ensure_group, group_exists, upsert_group, get_group, list_groups, delete_group,
        delete_group_members, add_member, remove_member, count_members, members, by_identity,
        by_email, by_phone, set_preference, preferences, set_unsubscribed, unsubscribe_address,
        resubscribe_address, address_unsubscribed, forget_gone_address, add_identity,
        keep_newest_identities, remove_identity, set_updated, identities_of;
};

// not_found: "no user 'ID' in the directory".
Error no_user(const std::string& id);
// not_found: "no group 'NAME' in the directory".
Error no_group(const std::string& name);

}  // namespace notify::store
