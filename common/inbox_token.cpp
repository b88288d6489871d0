// inbox_token.cpp - see inbox_token.hpp.
#include "inbox_token.hpp"

#include "signed_link.hpp"
#include "util/strings.hpp"

namespace notify {

namespace {

constexpr const char* kKind = "inbox";

Error refused(const char* code, const std::string& message) {
    return make_error(ErrorKind::unauthorized, code, message);
}

}  // namespace

Expected<std::string> inbox_secret(const Config& config, store::Store& store) {
    return link_secret(config.inbox.secret, "inbox.secret", "inbox.secret", store);
}

std::string inbox_token(const std::string& secret, const std::string& user_id, Millis expires_at) {
    return sign_link(secret, {kKind, user_id, std::to_string(expires_at / 1000)});
}

Expected<Millis> check_inbox_token(const std::string& secret, const std::string& token,
                                   const std::string& user_id, Millis now) {
    auto fields = verify_link(secret, token);
    if (!fields || fields->size() != 3 || (*fields)[0] != kKind)
        return refused("bad_inbox_token", "the inbox token is not valid");
    if ((*fields)[1] != user_id)
        return refused("bad_inbox_token", "the inbox token is for another user");
    auto expires = util::parse_whole((*fields)[2], 0, 1LL << 40);
    if (!expires) return refused("bad_inbox_token", "the inbox token is not valid");
    if (*expires * 1000 <= now)
        return refused("inbox_token_expired", "the inbox token has expired");
    return *expires * 1000;
}

}  // namespace notify
