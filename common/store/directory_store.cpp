// directory_store.cpp - users with their identities, and groups with their
// members, in the store (tables of schema version 3). Preferences and
// unsubscribes: directory_preferences.cpp; import and export:
// directory_import.cpp.
#include "store/directory_store.hpp"

#include <algorithm>
#include <limits>
#include <set>
#include <utility>

#include "store/dialect.hpp"
#include "store/directory_records.hpp"
#include "store/directory_statements.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::store {

namespace {

// A user's row with its identities ("channel\taddress" lines, each channel's
// oldest added first) and groups (lines).
std::string user_select(Dialect d) {
    return "SELECT u.id, u.name, u.email, u.phone, u.locale, u.timezone, u.module, "
           "u.attributes, u.unsubscribed_at, u.created_at, u.updated_at, u.quiet_hours, " +
           lines_of(d, "i.channel || char(9) || i.address",
                    "FROM identities i WHERE i.user_id = u.id",
                    "i.channel, i.added_at, i.address") +
           ", " +
           lines_of(d, "m.group_name", "FROM group_members m WHERE m.user_id = u.id",
                    "m.group_name") +
           " FROM users u ";
}

#define GROUP_SELECT                                                    \
    "SELECT g.name, g.description, g.requires_approval, g.created_at, " \
    "(SELECT COUNT(*) FROM group_members m WHERE m.group_name = g.name) FROM `groups` g "

User read_user(const Stmt& s) {
    User u;
    u.id = s.text(0);
    u.name = s.text(1);
    u.email = s.text(2);
    u.phone = s.text(3);
    u.locale = s.text(4);
    u.timezone = s.text(5);
    u.module = s.text(6);
    u.attributes_json = s.text(7);
    u.unsubscribed_at = s.integer(8);
    u.created_at = s.integer(9);
    u.updated_at = s.integer(10);
    u.quiet_hours = s.text(11);
    for (const auto& line : util::split(s.text(12), '\n')) {
        auto tab = line.find('\t');
        if (tab != std::string::npos)
            u.identities[line.substr(0, tab)].push_back(line.substr(tab + 1));
    }
    std::string groups = s.text(13);
    if (!groups.empty()) u.groups = util::split(groups, '\n');
    std::sort(u.groups.begin(), u.groups.end());
    return u;
}

Group read_group(const Stmt& s) {
    Group g;
    g.name = s.text(0);
    g.description = s.text(1);
    g.requires_approval = s.integer(2) != 0;
    g.created_at = s.integer(3);
    g.members = s.integer(4);
    return g;
}
}  // namespace

Error no_user(const std::string& id) {
    return make_error(ErrorKind::not_found, "not_found", "no user '" + id + "' in the directory");
}

Error no_group(const std::string& name) {
    return make_error(ErrorKind::not_found, "not_found",
                      "no group '" + name + "' in the directory");
}

DirectoryStore::Statements::Statements(Db& db)
    : upsert_user(
          db,
          "INSERT INTO users (id, name, email, phone, locale, timezone, module, "
          "attributes, created_at, updated_at, quiet_hours) VALUES "
          "(?,?,?,?,?,?,?,?,?,?,?) " +
              on_conflict_update(db.dialect(), "id",
                                 "name = excluded.name, email = excluded.email, phone = "
                                 "excluded.phone, locale = excluded.locale, timezone = "
                                 "excluded.timezone, module = excluded.module, attributes = "
                                 "excluded.attributes, updated_at = excluded.updated_at, "
                                 "quiet_hours = excluded.quiet_hours")),
      user_exists(db, "SELECT 1 FROM users WHERE id = ?"),
      get_user(db, user_select(db.dialect()) + "WHERE u.id = ?"),
      quiet_hours_of(db, "SELECT timezone, quiet_hours FROM users WHERE id = ?"),
      any_quiet_hours(db,
                      "SELECT EXISTS (SELECT 1 FROM users WHERE quiet_hours NOT IN ('', 'off'))"),
      delete_user(db, "DELETE FROM users WHERE id = ?"),
      delete_identities(db, "DELETE FROM identities WHERE user_id = ?"),
      insert_identity(db, std::string(insert_ignore(db.dialect())) +
                              " INTO identities (user_id, channel, address, added_at) "
                              "VALUES (?,?,?,?)"),
      delete_user_memberships(db, "DELETE FROM group_members WHERE user_id = ?"),
      delete_preferences(db, "DELETE FROM preferences WHERE user_id = ?"),
      ensure_group(db, std::string(insert_ignore(db.dialect())) +
                           " INTO `groups` (name, description, requires_approval, "
                           "created_at) VALUES (?, '', 0, ?)"),
      group_exists(db, "SELECT 1 FROM `groups` WHERE name = ?"),
      upsert_group(db,
                   "INSERT INTO `groups` (name, description, requires_approval, created_at) "
                   "VALUES (?,?,?,?) " +
                       on_conflict_update(db.dialect(), "name",
                                          "description = excluded.description, "
                                          "requires_approval = excluded.requires_approval")),
      get_group(db, GROUP_SELECT "WHERE g.name = ?"),
      list_groups(db, GROUP_SELECT "ORDER BY g.name"),
      delete_group(db, "DELETE FROM `groups` WHERE name = ?"),
      delete_group_members(db, "DELETE FROM group_members WHERE group_name = ?"),
      add_member(db, std::string(insert_ignore(db.dialect())) +
                         " INTO group_members (group_name, user_id) VALUES (?,?)"),
      remove_member(db, "DELETE FROM group_members WHERE group_name = ? AND user_id = ?"),
      count_members(db, "SELECT COUNT(*) FROM group_members WHERE group_name = ?"),
      members(db,
              "SELECT user_id FROM group_members WHERE group_name = ? AND user_id > ? "
              "ORDER BY user_id LIMIT ?"),
      by_identity(db,
                  "SELECT user_id FROM identities WHERE channel = ? AND address = ? "
                  "ORDER BY user_id LIMIT 1"),
      by_email(db, "SELECT id FROM users WHERE email = ? ORDER BY id LIMIT 1"),
      by_phone(db, "SELECT id FROM users WHERE phone = ? ORDER BY id LIMIT 1"),
      set_preference(db,
                     "INSERT INTO preferences (user_id, category, channel, opted_out, "
                     "updated_at) VALUES (?,?,?,?,?) " +
                         on_conflict_update(db.dialect(), "user_id, category, channel",
                                            "opted_out = excluded.opted_out, updated_at = "
                                            "excluded.updated_at")),
      preferences(db,
                  "SELECT user_id, category, channel, opted_out, updated_at FROM "
                  "preferences WHERE user_id = ? ORDER BY category, channel"),
      set_unsubscribed(db, "UPDATE users SET unsubscribed_at = ?, updated_at = ? WHERE id = ?"),
      unsubscribe_address(db,
                          "REPLACE INTO unsubscribed_addresses (channel, address, "
                          "category, created_at) VALUES (?,?,?,?)"),
      resubscribe_address(db,
                          "DELETE FROM unsubscribed_addresses WHERE channel = ? AND "
                          "address = ? AND category = ?"),
      address_unsubscribed(db,
                           "SELECT 1 FROM unsubscribed_addresses WHERE channel = ? AND "
                           "address = ? AND category IN ('', ?) LIMIT 1"),
      forget_gone_address(db,
                          "DELETE FROM identities WHERE (user_id, channel, address) IN (SELECT "
                          "user_id, channel, recipient FROM deliveries WHERE id = ?1 AND user_id "
                          "<> '') AND added_at <= ?2"),
      // From a SELECT of the same table, which MariaDB takes where it would
      // refuse a subquery of it in VALUES.
      add_identity(db,
                   "INSERT INTO identities (user_id, channel, address, added_at) SELECT ?1, "
                   "?2, ?3, " +
                       std::string(greater_of(db.dialect())) +
                       "(?4, COALESCE(MAX(added_at), 0) + 1) FROM identities WHERE "
                       "user_id = ?1 AND channel = ?2 " +
                       on_conflict_update(db.dialect(), "user_id, channel, address",
                                          "added_at = excluded.added_at")),
      // The kept ones through a derived table: MariaDB takes no LIMIT in an IN
      // subquery.
      keep_newest_identities(db,
                             "DELETE FROM identities WHERE user_id = ?1 AND channel = ?2 AND "
                             "address NOT IN (SELECT address FROM (SELECT address FROM "
                             "identities WHERE user_id = ?1 AND channel = ?2 ORDER BY added_at "
                             "DESC, address LIMIT ?3) AS kept)"),
      remove_identity(db,
                      "DELETE FROM identities WHERE user_id = ? AND channel = ? AND address = ?"),
      set_updated(db, "UPDATE users SET updated_at = ? WHERE id = ?"),
      identities_of(db, "SELECT channel, address FROM identities WHERE user_id = ?") {}

DirectoryStore::DirectoryStore(Store& store)
    : store_(store), st_(std::make_unique<Statements>(store.handle())) {}

DirectoryStore::~DirectoryStore() = default;

// --- users -------------------------------------------------------------------------

bool DirectoryStore::user_exists(const std::string& id) {
    return st_->user_exists.bind(1, id).exists();
}

bool DirectoryStore::group_exists(const std::string& name) {
    return st_->group_exists.bind(1, name).exists();
}

void DirectoryStore::write_user(const User& u, Millis now) {
    st_->upsert_user.bind(1, u.id)
        .bind(2, u.name)
        .bind(3, u.email)
        .bind(4, u.phone)
        .bind(5, u.locale)
        .bind(6, u.timezone)
        .bind(7, u.module)
        .bind(8, u.attributes_json)
        .bind(9, now)
        .bind(10, now)
        .bind(11, canonical_quiet_hours(u.quiet_hours).value_or(u.quiet_hours))
        .run();
    // Addresses that stay keep when they were added (the oldest goes first past
    // the limit); new ones are stamped in the order given; the others go.
    std::set<std::pair<std::string, std::string>> given;
    for (const auto& [channel, addresses] : u.identities)
        for (const auto& address : addresses) given.emplace(channel, address);
    const auto had = st_->identities_of.bind(1, u.id).collect([](const Stmt& s) {
        return std::pair{s.text(0), s.text(1)};
    });
    for (const auto& [channel, address] : had)
        if (!given.count({channel, address}))
            st_->remove_identity.bind(1, u.id).bind(2, channel).bind(3, address).run();
    Millis stamp = now;
    for (const auto& [channel, addresses] : u.identities)
        for (const auto& address : addresses)
            st_->insert_identity.bind(1, u.id)
                .bind(2, channel)
                .bind(3, address)
                .bind(4, stamp++)
                .run();
}

void DirectoryStore::write_memberships(const std::string& user_id,
                                       const std::vector<std::string>& groups, Millis now) {
    for (const auto& g : groups) {
        st_->ensure_group.bind(1, g).bind(2, now).run();
        st_->add_member.bind(1, g).bind(2, user_id).run();
    }
}

Status DirectoryStore::put_user(const User& user) {
    return save_user(user, SaveOptions{});
}

Status DirectoryStore::save_user(const User& user, const SaveOptions& options) {
    if (auto s = check_user(user); !s) return s;
    return in_transaction(store_.handle(), [&]() -> Status {
        if (options.create_only && user_exists(user.id))
            return make_error(ErrorKind::conflict, "already_exists",
                              "user '" + user.id + "' already exists", "id");
        Millis now = util::now_ms();
        write_user(user, now);
        if (options.groups == Membership::replace)
            st_->delete_user_memberships.bind(1, user.id).run();
        if (options.groups != Membership::keep) write_memberships(user.id, user.groups, now);
        return ok();
    });
}

std::optional<User> DirectoryStore::get_user(const std::string& id) {
    return st_->get_user.bind(1, id).first(read_user);
}

Status DirectoryStore::remove_user(const std::string& id) {
    return in_transaction(store_.handle(), [&]() -> Status {
        if (!user_exists(id)) return no_user(id);
        for (Stmt* s : {&st_->delete_user, &st_->delete_identities, &st_->delete_user_memberships,
                        &st_->delete_preferences})
            s->bind(1, id).run();
        return ok();
    });
}

std::optional<UserQuietHours> DirectoryStore::quiet_hours_of(const std::string& user_id) {
    return st_->quiet_hours_of.bind(1, user_id).first([](const Stmt& s) {
        return UserQuietHours{s.text(0), s.text(1)};
    });
}

bool DirectoryStore::any_quiet_hours() {
    return st_->any_quiet_hours.first([](const Stmt& s) { return s.integer(0) != 0; })
        .value_or(false);
}

std::vector<User> DirectoryStore::list_users(const UserFilter& filter) {
    std::string sql = user_select(store_.handle().dialect());
    if (!filter.group.empty())
        sql += "JOIN group_members gm ON gm.user_id = u.id AND gm.group_name = ?1 ";
    sql += "WHERE u.id > ?2 ";
    if (!filter.module.empty()) sql += "AND u.module = ?3 ";
    if (!filter.text.empty())
        sql +=
            "AND (instr(u.id, ?5) OR instr(u.name, ?5) OR instr(u.email, ?5) OR "
            "instr(u.phone, ?5)) ";
    sql += "ORDER BY u.id";
    if (filter.limit > 0) sql += " LIMIT ?4";
    Stmt s(store_.handle(), sql);
    if (!filter.group.empty()) s.bind(1, filter.group);
    s.bind(2, filter.after);
    if (!filter.module.empty()) s.bind(3, filter.module);
    if (filter.limit > 0) s.bind(4, filter.limit);
    if (!filter.text.empty()) s.bind(5, filter.text);
    return s.collect(read_user);
}

std::optional<std::string> DirectoryStore::find_user_by_address(const std::string& channel,
                                                                const std::string& address) {
    if (address.empty()) return std::nullopt;
    auto id = [](const Stmt& s) { return s.text(0); };
    if (auto found = st_->by_identity.bind(1, channel).bind(2, address).first(id)) return found;
    if (auto found = st_->by_email.bind(1, address).first(id)) return found;
    return st_->by_phone.bind(1, address).first(id);
}

Expected<std::size_t> DirectoryStore::add_identity(const std::string& user_id,
                                                   const std::string& channel,
                                                   const std::string& address) {
    User one;
    one.id = user_id;
    one.identities[channel] = {address};
    if (auto s = check_user(one); !s) return s.error();
    std::size_t now_kept = 0;
    auto st = in_transaction(store_.handle(), [&]() -> Status {
        if (!user_exists(user_id)) return no_user(user_id);
        const Millis now = util::now_ms();
        st_->add_identity.bind(1, user_id).bind(2, channel).bind(3, address).bind(4, now).run();
        st_->keep_newest_identities.bind(1, user_id)
            .bind(2, channel)
            .bind(3, static_cast<std::int64_t>(kMaxAddressesPerChannel))
            .run();
        st_->set_updated.bind(1, now).bind(2, user_id).run();
        now_kept = get_user(user_id)->identities[channel].size();
        return ok();
    });
    if (!st) return st.error();
    return now_kept;
}

Status DirectoryStore::remove_identity(const std::string& user_id, const std::string& channel,
                                       const std::string& address) {
    return in_transaction(store_.handle(), [&]() -> Status {
        if (!user_exists(user_id)) return no_user(user_id);
        st_->remove_identity.bind(1, user_id).bind(2, channel).bind(3, address).run();
        if (store_.handle().changes() == 0)
            return make_error(ErrorKind::not_found, "not_found",
                              "user '" + user_id + "' has no address '" + address +
                                  "' on channel '" + channel + "'",
                              "address");
        st_->set_updated.bind(1, util::now_ms()).bind(2, user_id).run();
        return ok();
    });
}

Expected<bool> DirectoryStore::forget_gone_address(const std::string& delivery_id,
                                                   Millis gone_since) {
    try {
        st_->forget_gone_address.bind(1, delivery_id)
            .bind(2, gone_since > 0 ? gone_since : std::numeric_limits<Millis>::max())
            .run();
        return store_.handle().changes() > 0;
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

// --- groups ------------------------------------------------------------------------

Status DirectoryStore::put_group(const Group& group) {
    if (auto s = check_group_name(group.name); !s) return s;
    if (group.description.size() > 1024 ||
        util::invalid_utf8_at(group.description) != std::string_view::npos)
        return make_error(ErrorKind::invalid, "invalid_field",
                          "'description' must be UTF-8 text of at most 1024 bytes", "description");
    try {
        st_->upsert_group.bind(1, group.name)
            .bind(2, group.description)
            .bind(3, group.requires_approval ? 1 : 0)
            .bind(4, group.created_at ? group.created_at : util::now_ms())
            .run();
        return ok();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

std::optional<Group> DirectoryStore::get_group(const std::string& name) {
    return st_->get_group.bind(1, name).first(read_group);
}

Status DirectoryStore::remove_group(const std::string& name) {
    return in_transaction(store_.handle(), [&]() -> Status {
        if (!group_exists(name)) return no_group(name);
        for (Stmt* s : {&st_->delete_group, &st_->delete_group_members}) s->bind(1, name).run();
        return ok();
    });
}

std::vector<Group> DirectoryStore::list_groups() {
    return st_->list_groups.collect(read_group);
}

Status DirectoryStore::change_members(const std::string& group,
                                      const std::vector<std::string>& user_ids, bool add) {
    return in_transaction(store_.handle(), [&]() -> Status {
        if (!group_exists(group)) return no_group(group);
        for (const auto& id : user_ids)
            if (!user_exists(id)) return no_user(id);
        Stmt& change = add ? st_->add_member : st_->remove_member;
        for (const auto& id : user_ids) change.bind(1, group).bind(2, id).run();
        return ok();
    });
}

Status DirectoryStore::add_members(const std::string& group,
                                   const std::vector<std::string>& user_ids) {
    return change_members(group, user_ids, true);
}

Status DirectoryStore::remove_members(const std::string& group,
                                      const std::vector<std::string>& user_ids) {
    return change_members(group, user_ids, false);
}

std::int64_t DirectoryStore::count_members(const std::string& group) {
    auto& s = st_->count_members;
    s.bind(1, group);
    std::int64_t n = s.step() ? s.integer(0) : 0;
    s.reset();
    return n;
}

std::vector<std::string> DirectoryStore::members(const std::string& group, const std::string& after,
                                                 int limit) {
    return st_->members.bind(1, group).bind(2, after).bind(3, limit).collect(
        [](const Stmt& s) { return s.text(0); });
}

}  // namespace notify::store
