// directory_store.cpp - users, identities, groups, memberships, preferences and
// unsubscribed addresses in the store (tables of schema version 3), and the
// import of many users in one transaction.
#include "store/directory_store.hpp"

#include <algorithm>
#include <iterator>
#include <set>
#include <sstream>
#include <unordered_map>

#include "store/directory_records.hpp"
#include "store/sqlite.hpp"
#include "util/strings.hpp"

namespace notify::store {

namespace {

// A user's row with its identities ("channel\taddress" lines) and groups (lines).
#define USER_SELECT                                                                              \
    "SELECT u.id, u.name, u.email, u.phone, u.locale, u.timezone, u.module, u.attributes, "      \
    "u.unsubscribed_at, u.created_at, u.updated_at, "                                            \
    "(SELECT group_concat(i.channel || char(9) || i.address, char(10)) FROM identities i "       \
    "WHERE i.user_id = u.id), "                                                                  \
    "(SELECT group_concat(m.group_name, char(10)) FROM group_members m WHERE m.user_id = u.id) " \
    "FROM users u "

#define GROUP_SELECT                                                    \
    "SELECT g.name, g.description, g.requires_approval, g.created_at, " \
    "(SELECT COUNT(*) FROM group_members m WHERE m.group_name = g.name) FROM groups g "

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
    for (const auto& line : util::split(s.text(11), '\n')) {
        auto tab = line.find('\t');
        if (tab != std::string::npos) u.identities[line.substr(0, tab)] = line.substr(tab + 1);
    }
    std::string groups = s.text(12);
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

Error no_user(const std::string& id) {
    return make_error(ErrorKind::not_found, "not_found", "no user '" + id + "' in the directory");
}

Error no_group(const std::string& name) {
    return make_error(ErrorKind::not_found, "not_found",
                      "no group '" + name + "' in the directory");
}

std::string read_all(std::istream& in) {
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

struct DirectoryStore::Statements {
    explicit Statements(sqlite3* db)
        : upsert_user(db,
                      "INSERT INTO users (id, name, email, phone, locale, timezone, module, "
                      "attributes, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?) "
                      "ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = "
                      "excluded.email, phone = excluded.phone, locale = excluded.locale, "
                      "timezone = excluded.timezone, module = excluded.module, attributes = "
                      "excluded.attributes, updated_at = excluded.updated_at"),
          user_exists(db, "SELECT 1 FROM users WHERE id = ?"),
          get_user(db, USER_SELECT "WHERE u.id = ?"),
          delete_user(db, "DELETE FROM users WHERE id = ?"),
          delete_identities(db, "DELETE FROM identities WHERE user_id = ?"),
          insert_identity(db, "INSERT INTO identities (user_id, channel, address) VALUES (?,?,?)"),
          delete_user_memberships(db, "DELETE FROM group_members WHERE user_id = ?"),
          delete_preferences(db, "DELETE FROM preferences WHERE user_id = ?"),
          ensure_group(db,
                       "INSERT OR IGNORE INTO groups (name, description, requires_approval, "
                       "created_at) VALUES (?, '', 0, ?)"),
          group_exists(db, "SELECT 1 FROM groups WHERE name = ?"),
          upsert_group(db,
                       "INSERT INTO groups (name, description, requires_approval, created_at) "
                       "VALUES (?,?,?,?) ON CONFLICT (name) DO UPDATE SET description = "
                       "excluded.description, requires_approval = excluded.requires_approval"),
          get_group(db, GROUP_SELECT "WHERE g.name = ?"),
          list_groups(db, GROUP_SELECT "ORDER BY g.name"),
          delete_group(db, "DELETE FROM groups WHERE name = ?"),
          delete_group_members(db, "DELETE FROM group_members WHERE group_name = ?"),
          add_member(db, "INSERT OR IGNORE INTO group_members (group_name, user_id) VALUES (?,?)"),
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
                         "updated_at) VALUES (?,?,?,?,?) ON CONFLICT (user_id, category, "
                         "channel) DO UPDATE SET opted_out = excluded.opted_out, updated_at = "
                         "excluded.updated_at"),
          preferences(db,
                      "SELECT user_id, category, channel, opted_out, updated_at FROM "
                      "preferences WHERE user_id = ? ORDER BY category, channel"),
          set_unsubscribed(db, "UPDATE users SET unsubscribed_at = ?, updated_at = ? WHERE id = ?"),
          unsubscribe_address(db,
                              "INSERT OR REPLACE INTO unsubscribed_addresses (channel, address, "
                              "category, created_at) VALUES (?,?,?,?)"),
          resubscribe_address(db,
                              "DELETE FROM unsubscribed_addresses WHERE channel = ? AND "
                              "address = ? AND category = ?"),
          address_unsubscribed(db,
                               "SELECT 1 FROM unsubscribed_addresses WHERE channel = ? AND "
                               "address = ? AND category IN ('', ?) LIMIT 1") {}
    Stmt upsert_user, user_exists, get_user, delete_user, delete_identities, insert_identity,
        delete_user_memberships, delete_preferences, ensure_group, group_exists, upsert_group,
        get_group, list_groups, delete_group, delete_group_members, add_member, remove_member,
        count_members, members, by_identity, by_email, by_phone, set_preference, preferences,
        set_unsubscribed, unsubscribe_address, resubscribe_address, address_unsubscribed;
};

DirectoryStore::DirectoryStore(Store& store)
    : store_(store), st_(std::make_unique<Statements>(store.handle())) {}

DirectoryStore::~DirectoryStore() = default;

// --- users -------------------------------------------------------------------------

bool DirectoryStore::user_exists(const std::string& id) {
    auto& s = st_->user_exists;
    s.bind(1, id);
    bool found = s.step();
    s.reset();
    return found;
}

bool DirectoryStore::group_exists(const std::string& name) {
    auto& s = st_->group_exists;
    s.bind(1, name);
    bool found = s.step();
    s.reset();
    return found;
}

void DirectoryStore::write_user(const User& u, Millis now) {
    auto& s = st_->upsert_user;
    s.bind(1, u.id)
        .bind(2, u.name)
        .bind(3, u.email)
        .bind(4, u.phone)
        .bind(5, u.locale)
        .bind(6, u.timezone)
        .bind(7, u.module)
        .bind(8, u.attributes_json)
        .bind(9, now)
        .bind(10, now);
    s.step();
    s.reset();
    auto& d = st_->delete_identities;
    d.bind(1, u.id);
    d.step();
    d.reset();
    auto& i = st_->insert_identity;
    for (const auto& [channel, address] : u.identities) {
        i.bind(1, u.id).bind(2, channel).bind(3, address);
        i.step();
        i.reset();
    }
}

void DirectoryStore::write_memberships(const std::string& user_id,
                                       const std::vector<std::string>& groups, Millis now) {
    for (const auto& g : groups) {
        st_->ensure_group.bind(1, g).bind(2, now);
        st_->ensure_group.step();
        st_->ensure_group.reset();
        st_->add_member.bind(1, g).bind(2, user_id);
        st_->add_member.step();
        st_->add_member.reset();
    }
}

Status DirectoryStore::put_user(const User& user) {
    return save_user(user, SaveOptions{});
}

Status DirectoryStore::save_user(const User& user, const SaveOptions& options) {
    if (auto s = check_user(user); !s) return s;
    try {
        Transaction tx(store_.handle());
        if (options.create_only && user_exists(user.id))
            return make_error(ErrorKind::conflict, "already_exists",
                              "user '" + user.id + "' already exists", "id");
        Millis now = util::now_ms();
        write_user(user, now);
        if (options.groups == Membership::replace) {
            auto& d = st_->delete_user_memberships;
            d.bind(1, user.id);
            d.step();
            d.reset();
        }
        if (options.groups != Membership::keep) write_memberships(user.id, user.groups, now);
        tx.commit();
        return ok();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

std::optional<User> DirectoryStore::get_user(const std::string& id) {
    auto& s = st_->get_user;
    s.bind(1, id);
    std::optional<User> out;
    if (s.step()) out = read_user(s);
    s.reset();
    return out;
}

Status DirectoryStore::remove_user(const std::string& id) {
    try {
        Transaction tx(store_.handle());
        if (!user_exists(id)) return no_user(id);
        for (Stmt* s : {&st_->delete_user, &st_->delete_identities, &st_->delete_user_memberships,
                        &st_->delete_preferences}) {
            s->bind(1, id);
            s->step();
            s->reset();
        }
        tx.commit();
        return ok();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

std::vector<User> DirectoryStore::list_users(const UserFilter& filter) {
    std::string sql = USER_SELECT;
    if (!filter.group.empty())
        sql += "JOIN group_members gm ON gm.user_id = u.id AND gm.group_name = ?1 ";
    sql += "WHERE u.id > ?2 ";
    if (!filter.module.empty()) sql += "AND u.module = ?3 ";
    sql += "ORDER BY u.id";
    if (filter.limit > 0) sql += " LIMIT ?4";
    Stmt s(store_.handle(), sql);
    if (!filter.group.empty()) s.bind(1, filter.group);
    s.bind(2, filter.after);
    if (!filter.module.empty()) s.bind(3, filter.module);
    if (filter.limit > 0) s.bind(4, filter.limit);
    return s.collect(read_user);
}

std::optional<std::string> DirectoryStore::find_user_by_address(const std::string& channel,
                                                                const std::string& address) {
    if (address.empty()) return std::nullopt;
    auto first = [](Stmt& s) {
        std::optional<std::string> id;
        if (s.step()) id = s.text(0);
        s.reset();
        return id;
    };
    if (auto id = first(st_->by_identity.bind(1, channel).bind(2, address))) return id;
    if (auto id = first(st_->by_email.bind(1, address))) return id;
    return first(st_->by_phone.bind(1, address));
}

// --- groups ------------------------------------------------------------------------

Status DirectoryStore::put_group(const Group& group) {
    if (auto s = check_group_name(group.name); !s) return s;
    if (group.description.size() > 1024 ||
        util::invalid_utf8_at(group.description) != std::string_view::npos)
        return make_error(ErrorKind::invalid, "invalid_field",
                          "'description' must be UTF-8 text of at most 1024 bytes", "description");
    try {
        auto& s = st_->upsert_group;
        s.bind(1, group.name)
            .bind(2, group.description)
            .bind(3, group.requires_approval ? 1 : 0)
            .bind(4, group.created_at ? group.created_at : util::now_ms());
        s.step();
        s.reset();
        return ok();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

std::optional<Group> DirectoryStore::get_group(const std::string& name) {
    auto& s = st_->get_group;
    s.bind(1, name);
    std::optional<Group> out;
    if (s.step()) out = read_group(s);
    s.reset();
    return out;
}

Status DirectoryStore::remove_group(const std::string& name) {
    try {
        Transaction tx(store_.handle());
        if (!group_exists(name)) return no_group(name);
        for (Stmt* s : {&st_->delete_group, &st_->delete_group_members}) {
            s->bind(1, name);
            s->step();
            s->reset();
        }
        tx.commit();
        return ok();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

std::vector<Group> DirectoryStore::list_groups() {
    return st_->list_groups.collect(read_group);
}

Status DirectoryStore::add_members(const std::string& group,
                                   const std::vector<std::string>& user_ids) {
    try {
        Transaction tx(store_.handle());
        if (!group_exists(group)) return no_group(group);
        for (const auto& id : user_ids)
            if (!user_exists(id)) return no_user(id);
        for (const auto& id : user_ids) {
            st_->add_member.bind(1, group).bind(2, id);
            st_->add_member.step();
            st_->add_member.reset();
        }
        tx.commit();
        return ok();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

Status DirectoryStore::remove_members(const std::string& group,
                                      const std::vector<std::string>& user_ids) {
    try {
        Transaction tx(store_.handle());
        if (!group_exists(group)) return no_group(group);
        for (const auto& id : user_ids)
            if (!user_exists(id)) return no_user(id);
        for (const auto& id : user_ids) {
            st_->remove_member.bind(1, group).bind(2, id);
            st_->remove_member.step();
            st_->remove_member.reset();
        }
        tx.commit();
        return ok();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
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

// --- preferences -------------------------------------------------------------------

Status DirectoryStore::set_preference(const Preference& p) {
    try {
        Transaction tx(store_.handle());
        if (!user_exists(p.user_id)) return no_user(p.user_id);
        auto& s = st_->set_preference;
        s.bind(1, p.user_id)
            .bind(2, p.category)
            .bind(3, p.channel)
            .bind(4, p.opted_out ? 1 : 0)
            .bind(5, p.updated_at ? p.updated_at : util::now_ms());
        s.step();
        s.reset();
        tx.commit();
        return ok();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

std::vector<Preference> DirectoryStore::preferences(const std::string& user_id) {
    return st_->preferences.bind(1, user_id).collect([](const Stmt& s) {
        Preference p;
        p.user_id = s.text(0);
        p.category = s.text(1);
        p.channel = s.text(2);
        p.opted_out = s.integer(3) != 0;
        p.updated_at = s.integer(4);
        return p;
    });
}

Status DirectoryStore::set_unsubscribed(const std::string& user_id, Millis at) {
    try {
        Transaction tx(store_.handle());
        if (!user_exists(user_id)) return no_user(user_id);
        auto& s = st_->set_unsubscribed;
        s.bind(1, at).bind(2, util::now_ms()).bind(3, user_id);
        s.step();
        s.reset();
        tx.commit();
        return ok();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

Status DirectoryStore::unsubscribe_address(const std::string& channel, const std::string& address,
                                           const std::string& category, Millis at) {
    try {
        auto& s = at ? st_->unsubscribe_address : st_->resubscribe_address;
        s.bind(1, channel).bind(2, address).bind(3, category);
        if (at) s.bind(4, at);
        s.step();
        s.reset();
        return ok();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

bool DirectoryStore::address_unsubscribed(const std::string& channel, const std::string& address,
                                          const std::string& category) {
    auto& s = st_->address_unsubscribed;
    s.bind(1, channel).bind(2, address).bind(3, category);
    bool found = s.step();
    s.reset();
    return found;
}

// --- import and export -------------------------------------------------------------

Expected<ImportReport> DirectoryStore::import_users(std::istream& in,
                                                    const ImportOptions& options) {
    std::string text = read_all(in);
    return import_users(std::string_view(text), options);
}

Expected<ImportReport> DirectoryStore::import_users(std::string_view text,
                                                    const ImportOptions& options) {
    if (!options.group.empty())
        if (auto s = check_group_name(options.group); !s)
            return make_error(ErrorKind::usage, "invalid_name", s.error().message, "group");
    auto read = read_user_records(text, options.format);
    if (!read) return read.error();
    RecordSet& set = *read;

    // The same id twice is a mistake in the input, not a replacement.
    std::unordered_map<std::string, long> first_line;
    first_line.reserve(set.records.size());
    std::vector<UserRecord> good;
    good.reserve(set.records.size());
    for (auto& r : set.records) {
        auto [it, fresh] = first_line.emplace(r.user.id, r.line);
        if (!fresh) {
            set.errors.push_back({r.line, "user '" + r.user.id + "' is on line " +
                                              std::to_string(it->second) + " already"});
            continue;
        }
        good.push_back(std::move(r));
    }
    std::stable_sort(set.errors.begin(), set.errors.end(),
                     [](const ImportError& a, const ImportError& b) { return a.line < b.line; });

    ImportReport report;
    report.errors = std::move(set.errors);
    if (!report.errors.empty() && !options.skip_bad) return report;

    std::set<std::string> groups;
    if (!options.group.empty()) groups.insert(options.group);
    for (const auto& r : good) groups.insert(r.user.groups.begin(), r.user.groups.end());
    try {
        Transaction tx(store_.handle());
        Millis now = util::now_ms();
        for (const auto& g : groups) {
            st_->ensure_group.bind(1, g).bind(2, now);
            st_->ensure_group.step();
            st_->ensure_group.reset();
        }
        auto& add = st_->add_member;
        for (const auto& r : good) {
            write_user(r.user, now);
            for (const auto& g : r.user.groups) {
                add.bind(1, g).bind(2, r.user.id);
                add.step();
                add.reset();
            }
            if (!options.group.empty()) {
                add.bind(1, options.group).bind(2, r.user.id);
                add.step();
                add.reset();
            }
        }
        tx.commit();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
    report.imported = static_cast<long>(good.size());
    return report;
}

Status DirectoryStore::export_users(std::ostream& out, RecordFormat format,
                                    const UserFilter& filter) {
    // CSV needs every user first (its header names every channel and key);
    // JSON Lines goes out a page at a time.
    constexpr int kPage = 5000;
    UserFilter page = filter;
    std::vector<User> all;
    long left = filter.limit > 0 ? filter.limit : -1;
    try {
        for (;;) {
            page.limit = left < 0 ? kPage : static_cast<int>(std::min<long>(left, kPage));
            if (page.limit == 0) break;
            auto users = list_users(page);
            if (users.empty()) break;
            page.after = users.back().id;
            if (left > 0) left -= static_cast<long>(users.size());
            bool last = static_cast<int>(users.size()) < page.limit;
            if (format == RecordFormat::jsonl)
                write_user_records(out, format, users);
            else
                std::move(users.begin(), users.end(), std::back_inserter(all));
            if (last) break;
        }
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
    if (format == RecordFormat::csv) write_user_records(out, format, all);
    if (!out)
        return make_error(ErrorKind::internal, "write_failed", "the export could not be written");
    return ok();
}

}  // namespace notify::store
