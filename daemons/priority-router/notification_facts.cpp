// notification_facts.cpp - see notification_facts.hpp.
#include "notification_facts.hpp"

#include "util/crypto.hpp"

namespace notify::router {

FactsRef NotificationFactsCache::get(const std::string& notification_id) {
    if (FactsRef* known = facts_.find(notification_id)) return *known;
    auto f = std::make_shared<NotificationFacts>();
    if (auto c = store_.content(notification_id)) {
        std::string what = c->template_name.empty()
                               ? "c\n" + c->subject + '\0' + c->body + '\0' + c->html
                               : "t\n" + c->template_name + '\0' + c->data_json;
        f->content_key = util::sha256(what);
        f->dims.template_name = c->template_name;
        f->dims.module = std::move(c->module);
        f->dims.category = std::move(c->category);
        f->dims.groups = std::move(c->groups);
        f->bulk = c->bulk;
        f->send_at = c->send_at;
    }
    return facts_.put(notification_id, std::move(f));
}

}  // namespace notify::router
