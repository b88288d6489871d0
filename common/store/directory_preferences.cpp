// directory_preferences.cpp - what users and raw addresses want to receive:
// a user's opt-outs per category and channel, a user's global unsubscribe,
// and raw addresses (not users) unsubscribed from a category or from all.
// Part of DirectoryStore (directory_store.hpp).
#include "store/directory_statements.hpp"
#include "util/time.hpp"

namespace notify::store {

Status DirectoryStore::set_preference(const Preference& p) {
    return in_transaction(store_.handle(), [&]() -> Status {
        if (!user_exists(p.user_id)) return no_user(p.user_id);
        st_->set_preference.bind(1, p.user_id)
            .bind(2, p.category)
            .bind(3, p.channel)
            .bind(4, p.opted_out ? 1 : 0)
            .bind(5, p.updated_at ? p.updated_at : util::now_ms())
            .run();
        return ok();
    });
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
    return in_transaction(store_.handle(), [&]() -> Status {
        if (!user_exists(user_id)) return no_user(user_id);
        st_->set_unsubscribed.bind(1, at).bind(2, util::now_ms()).bind(3, user_id).run();
        return ok();
    });
}

Status DirectoryStore::unsubscribe_address(const std::string& channel, const std::string& address,
                                           const std::string& category, Millis at) {
    try {
        auto& s = at ? st_->unsubscribe_address : st_->resubscribe_address;
        s.bind(1, channel).bind(2, address).bind(3, category);
        if (at) s.bind(4, at);
        s.run();
        return ok();
    } catch (const StoreFailure& f) {
        return to_error(f);
    }
}

bool DirectoryStore::address_unsubscribed(const std::string& channel, const std::string& address,
                                          const std::string& category) {
    return st_->address_unsubscribed.bind(1, channel).bind(2, address).bind(3, category).exists();
}

}  // namespace notify::store
