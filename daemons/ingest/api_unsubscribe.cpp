// api_unsubscribe.cpp - GET and POST /v1/unsubscribe/{token}: the one-click
// unsubscribe links (RFC 8058) that the router puts in List-Unsubscribe.
//
// The signed token stands for an API key (common/unsubscribe_link.hpp). GET
// shows a small page with a button and changes nothing, so a link scanner that
// follows it unsubscribes nobody; POST (a mail provider's one-click
// "List-Unsubscribe=One-Click", or the button) records it:
//   user, category set     a preference (user, category, every channel) opted out
//   user, category ""      the user's global unsubscribe
//   raw address            unsubscribed_addresses (channel, address, category)
// and answers 200 with a short page. A token that is malformed, altered or
// signed with another secret is 404, the same answer as for no token at all.
#include <nlohmann/json.hpp>

#include "api.hpp"
#include "store/directory_store.hpp"
#include "unsubscribe_link.hpp"
#include "util/log.hpp"
#include "util/time.hpp"
#include "web_page.hpp"

namespace notify::ingest {

namespace {

Response not_found_page() {
    return link_page(404, "Link not valid",
                     "<p>This unsubscribe link is not valid. Use the link from a recent "
                     "message.</p>\n");
}

std::string what_of(const UnsubscribeTarget& t) {
    return t.category.empty() ? std::string("all messages that you may opt out of")
                              : "messages in the category \"" + t.category + "\"";
}

// Whether the unsubscribe is already in the store (the link was used before).
bool already_unsubscribed(store::DirectoryStore& directory, const UnsubscribeTarget& t) {
    if (t.user_id.empty()) return directory.address_unsubscribed(t.channel, t.address, t.category);
    if (t.category.empty()) {
        auto user = directory.get_user(t.user_id);
        return !user || user->unsubscribed_at != 0;
    }
    bool opted_out = false;
    for (const auto& p : directory.preferences(t.user_id)) {
        if (p.category != t.category) continue;
        if (!p.opted_out) return false;  // an opt-in the link overrides
        if (p.channel.empty()) opted_out = true;
    }
    return opted_out;
}

// Records the unsubscribe; true when it changed something. A user removed from
// the directory since the message was sent has nothing left to unsubscribe
// from: that is success, and no change. An opt-out of a category also
// overrides the user's opt-ins to it on single channels, which would otherwise
// win as the more specific preference.
Expected<bool> record(store::DirectoryStore& directory, const UnsubscribeTarget& t, Millis now) {
    if (already_unsubscribed(directory, t)) return false;
    Status st = ok();
    if (t.user_id.empty()) {
        st = directory.unsubscribe_address(t.channel, t.address, t.category, now);
    } else if (!t.category.empty()) {
        st = directory.set_preference(store::Preference{t.user_id, t.category, "", true, now});
        for (const auto& p : directory.preferences(t.user_id))
            if (st && p.category == t.category && !p.channel.empty() && !p.opted_out)
                st = directory.set_preference(
                    store::Preference{t.user_id, t.category, p.channel, true, now});
    } else {
        st = directory.set_unsubscribed(t.user_id, now);
    }
    if (!st && st.error().kind == ErrorKind::not_found) return false;
    if (!st) return st.error();
    return true;
}

}  // namespace

void Api::unsubscribe_request(const Request& req, const std::vector<std::string>& parts,
                              const Reply& done) {
    if (parts.size() != 2) {
        metrics_.rejected("not_found");
        return done(not_found_page());
    }
    auto secret = link_secret();
    if (!secret) {
        metrics_.rejected("unavailable");
        NLOG(error, "", "unsubscribe unavailable error=" << secret.error().message);
        return done(link_page(503, "Try again later",
                              "<p>Your request could not be handled just now. Please try again "
                              "later.</p>\n"));
    }
    auto target = verify_unsubscribe_token(*secret, parts[1]);
    if (!target) {
        metrics_.rejected("not_found");
        NLOG(info, "", "unsubscribe rejected method=" << req.method << " reason=bad_token");
        return done(not_found_page());
    }
    const std::string what = escape_html(what_of(*target));
    if (req.method == "GET") {
        // The form posts back to this very path; the field is what RFC 8058
        // one-click clients send.
        return done(
            link_page(200, "Unsubscribe",
                      "<p>Stop receiving " + what + "?</p>\n<form method=\"post\" action=\"" +
                          escape_html(req.path) +
                          "\">\n<input type=\"hidden\" name=\"List-Unsubscribe\" "
                          "value=\"One-Click\">\n<button type=\"submit\">Unsubscribe</button>\n"
                          "</form>\n"));
    }
    auto changed = record(directory(), *target, util::now_ms());
    if (!changed) {
        metrics_.rejected("store_unavailable");
        NLOG(error, "", "unsubscribe failed error=" << changed.error().message);
        return done(link_page(503, "Try again later",
                              "<p>Your request could not be recorded just now. Please try again "
                              "later.</p>\n"));
    }
    // The route is public: a link used again changes nothing and writes no row.
    if (!*changed) {
        NLOG(info, "", "unsubscribe unchanged (already unsubscribed)");
        return done(
            link_page(200, "Unsubscribed", "<p>You will no longer receive " + what + ".</p>\n"));
    }
    if (target->user_id.empty())
        NLOG(info, "",
             "unsubscribed channel=" << target->channel << " address=" << target->address
                                     << " category=" << target->category);
    else
        NLOG(info, "", "unsubscribed user=" << target->user_id << " category=" << target->category);
    audit("unsubscribe-link", "unsubscribe",
          target->user_id.empty() ? target->channel + ":" + target->address
                                  : "user:" + target->user_id,
          target->category);
    done(link_page(200, "Unsubscribed", "<p>You will no longer receive " + what + ".</p>\n"));
}

}  // namespace notify::ingest
