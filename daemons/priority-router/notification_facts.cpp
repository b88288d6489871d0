// notification_facts.cpp - see notification_facts.hpp.
#include "notification_facts.hpp"

#include <string_view>
#include <unordered_set>

#include "util/crypto.hpp"

namespace notify::router {

FactsRef NotificationFactsCache::get(const std::string& notification_id) {
    if (FactsRef* known = facts_.find(notification_id)) return *known;
    const auto c = store_.content(notification_id);
    return put(notification_id, c ? &*c : nullptr);
}

void NotificationFactsCache::prefetch(const std::vector<Delivery>& deliveries) {
    std::vector<std::string> ids;
    std::unordered_set<std::string_view> asked;
    for (const Delivery& d : deliveries)
        if (!facts_.find(d.notification_id) && asked.insert(d.notification_id).second)
            ids.push_back(d.notification_id);
    if (ids.size() < 2) return;  // one is read as it goes
    store_.contents(ids,
                    [&](const std::string& id, store::NotificationContent& c) { put(id, &c); });
}

FactsRef NotificationFactsCache::put(const std::string& notification_id,
                                     const store::NotificationContent* c) {
    auto f = std::make_shared<NotificationFacts>();
    if (c) {
        std::string what = c->template_name.empty()
                               ? "c\n" + c->subject + '\0' + c->body + '\0' + c->html
                               : "t\n" + c->template_name + '\0' + c->data_json;
        f->content_key = util::sha256(what);
        f->dims.template_name = c->template_name;
        f->dims.module = c->module;
        f->dims.category = c->category;
        f->dims.groups = c->groups;
        f->bulk = c->bulk;
        f->send_at = c->send_at;
    }
    return facts_.put(notification_id, std::move(f));
}

}  // namespace notify::router
