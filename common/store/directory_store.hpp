// directory_store.hpp - the user directory in the store: users with their
// identities per channel, groups and their members, preferences (opt-outs per
// category and channel, global unsubscribe) and unsubscribed raw addresses.
//
// A user's addresses for a channel: identities[channel] when set (several:
// a device token per phone, a subscription per browser; each gets its own
// delivery), else `email` for channels of an email provider type, `phone` for
// SMS provider types.
// A Store is not thread-safe; neither is a DirectoryStore over it.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "model.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

namespace notify::store {

// A user's addresses per channel, each list oldest added first.
using Identities = std::map<std::string, std::vector<std::string>>;
// The addresses one user keeps on one channel; adding one more drops the
// oldest (a device long unused is the likeliest to be gone).
constexpr std::size_t kMaxAddressesPerChannel = 20;

struct User {
    std::string id;  // letters, digits, '-', '_', '.', '@'; at most 128 bytes
    std::string name;
    std::string email;
    std::string phone;                // E.164
    std::string locale;               // "zh-CN", "en", ...
    std::string timezone;             // IANA zone, "Asia/Shanghai"
    std::string quiet_hours;          // "", "off" or a window, "22:00-07:30"
    std::string module;               // the business module the user belongs to
    Identities identities;            // channel -> its addresses
    std::string attributes_json;      // a JSON object, or ""
    std::vector<std::string> groups;  // names, sorted (read only on put)
    Millis unsubscribed_at = 0;       // global unsubscribe; 0: subscribed
    Millis created_at = 0;
    Millis updated_at = 0;
};

// What the router needs to hold a delivery to a user for quiet hours.
struct UserQuietHours {
    std::string timezone;     // as stored; "": the service's zone
    std::string quiet_hours;  // as stored: "", "off" or a canonical window
};

struct Group {
    std::string name;
    std::string description;
    bool requires_approval = false;  // every send to it waits for an administrator
    std::int64_t members = 0;        // read only
    Millis created_at = 0;
};

// One opt-out (or opt-in again) of a user: category "" is every category,
// channel "" every channel.
struct Preference {
    std::string user_id;
    std::string category;
    std::string channel;
    bool opted_out = true;
    Millis updated_at = 0;
};

enum class RecordFormat { csv, jsonl };

struct ImportOptions {
    RecordFormat format = RecordFormat::jsonl;
    bool skip_bad = false;  // import the good rows and report the bad ones
    std::string group;      // also add every imported user to this group (created if missing)
};

struct ImportError {
    long line = 0;  // 1-based line of the input
    std::string message;
};

struct ImportReport {
    long imported = 0;  // users created or replaced
    std::vector<ImportError> errors;
};

struct UserFilter {
    std::string group;
    std::string module;
    std::string after;  // id cursor: users with a greater id
    int limit = 100;    // 0 or less: no limit
    std::string text;   // in the id, name, email or phone, as it is (no wildcards)
};

// What saving a user does to its group memberships (User::groups).
enum class Membership {
    keep,     // leave them as they are
    add,      // also join User::groups (created when missing)
    replace,  // be in exactly User::groups (created when missing)
};

struct SaveOptions {
    Membership groups = Membership::keep;
    bool create_only = false;  // a conflict error "user 'x' already exists" when it does
};

class DirectoryStore {
  public:
    explicit DirectoryStore(Store& store);
    // The store it works on (notifyctl records its changes in the audit log there).
    Store& store() { return store_; }
    ~DirectoryStore();

    // --- users
    // Creates or replaces the user (identities and attributes replaced whole;
    // group membership untouched). Checks id, email, phone, locale, time zone,
    // quiet hours (stored in their canonical form) and attributes.
    Status put_user(const User& user);
    // put_user with a say over memberships and replacing, in one transaction.
    Status save_user(const User& user, const SaveOptions& options);
    std::optional<User> get_user(const std::string& id);
    // not_found when there is no such user. Removes identities, memberships and
    // preferences too.
    Status remove_user(const std::string& id);
    std::vector<User> list_users(const UserFilter& filter);
    // What the router needs to hold a delivery to `user_id` for quiet hours: the
    // user's zone and quiet hours as stored; nullopt when there is no such user.
    std::optional<UserQuietHours> quiet_hours_of(const std::string& user_id);
    // Whether any user keeps quiet hours of their own (an index lookup).
    bool any_quiet_hours();
    // Adds `address` to the user's on `channel` (kept, and counted as new, if
    // there already), dropping the oldest past kMaxAddressesPerChannel; how many
    // the user has there now. not_found when there is no such user.
    Expected<std::size_t> add_identity(const std::string& user_id, const std::string& channel,
                                       const std::string& address);
    // Removes one of the user's addresses on `channel`: not_found when there is
    // no such user or address.
    Status remove_identity(const std::string& user_id, const std::string& channel,
                           const std::string& address);
    // Removes the identity a delivery went to when the vendor says that address is
    // gone for good (an unregistered device token): that address of the user on
    // the delivery's channel, if the user still has it and (when `gone_since`,
    // the vendor's time of finding it invalid, is given) did not add it again
    // after then. Whether one was.
    Expected<bool> forget_gone_address(const std::string& delivery_id, Millis gone_since = 0);
    // The user whose email, phone or identity on `channel` is `address`.
    std::optional<std::string> find_user_by_address(const std::string& channel,
                                                    const std::string& address);

    // --- groups
    Status put_group(const Group& group);
    std::optional<Group> get_group(const std::string& name);
    Status remove_group(const std::string& name);  // memberships too; users stay
    std::vector<Group> list_groups();
    // not_found naming the first unknown user or group; nothing changes then.
    Status add_members(const std::string& group, const std::vector<std::string>& user_ids);
    Status remove_members(const std::string& group, const std::vector<std::string>& user_ids);
    std::int64_t count_members(const std::string& group);
    // Member ids in id order after `after`, at most `limit`.
    std::vector<std::string> members(const std::string& group, const std::string& after, int limit);

    // --- preferences
    Status set_preference(const Preference& p);
    std::vector<Preference> preferences(const std::string& user_id);
    // Global unsubscribe (at > 0) or subscribe again (at == 0); not_found for no user.
    Status set_unsubscribed(const std::string& user_id, Millis at);
    // A raw address that is not a user unsubscribed from `category` ("" for all);
    // at == 0 takes that unsubscribe back.
    Status unsubscribe_address(const std::string& channel, const std::string& address,
                               const std::string& category, Millis at);
    bool address_unsubscribed(const std::string& channel, const std::string& address,
                              const std::string& category);

    // --- import and export
    // All or nothing unless options.skip_bad: a bad row stops the import with
    // the line of every bad row found and nothing written: the report then has
    // imported == 0 and the errors. An error is left for input that cannot be
    // read at all (a CSV header with unknown columns), a bad options.group, and
    // store failures. The same id twice in one input is a bad row.
    Expected<ImportReport> import_users(std::istream& in, const ImportOptions& options);
    Expected<ImportReport> import_users(std::string_view text, const ImportOptions& options);
    // Every user the filter matches (up to filter.limit when it is > 0), in id order,
    // in the form import reads (see directory_records.hpp).
    Status export_users(std::ostream& out, RecordFormat format, const UserFilter& filter);

  private:
    void write_user(const User& user, Millis now);
    void write_memberships(const std::string& user_id, const std::vector<std::string>& groups,
                           Millis now);
    bool user_exists(const std::string& id);
    bool group_exists(const std::string& name);
    // add_members (add) or remove_members.
    Status change_members(const std::string& group, const std::vector<std::string>& user_ids,
                          bool add);
    struct Statements;
    Store& store_;
    std::unique_ptr<Statements> st_;
};

}  // namespace notify::store
