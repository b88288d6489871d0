// web_session.cpp - see web_session.hpp.
#include "web_session.hpp"

#include "util/crypto.hpp"
#include "util/strings.hpp"

namespace notify::ingest {

std::string random_token() {
    return util::base64url(util::random_bytes(32));
}

std::string WebSessions::open(const std::string& key, Millis now) {
    while (sessions_.size() >= kMax) {
        sessions_.erase(order_.back());
        order_.pop_back();
    }
    std::string id = random_token();
    order_.push_front(id);
    sessions_[id] = {WebSession{key, random_token(), now}, order_.begin()};
    return id;
}

WebSession* WebSessions::find(const std::string& id, Millis now) {
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return nullptr;
    if (now - it->second.session.last_used > kIdle) {
        close(id);
        return nullptr;
    }
    it->second.session.last_used = now;
    order_.splice(order_.begin(), order_, it->second.place);
    return &it->second.session;
}

void WebSessions::close(const std::string& id) {
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return;
    order_.erase(it->second.place);
    sessions_.erase(it);
}

std::string cookie_value(std::string_view header, std::string_view name) {
    for (auto part : util::split(std::string(header), ';')) {
        const std::string p = util::trim(part);
        size_t eq = p.find('=');
        if (eq != std::string_view::npos && p.substr(0, eq) == name)
            return std::string(p.substr(eq + 1));
    }
    return {};
}

}  // namespace notify::ingest
