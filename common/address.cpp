// address.cpp - email syntax and recipient checks (phone numbers: phone/).
#include "address.hpp"

#include "provider_type.hpp"

namespace notify {

namespace {

constexpr size_t kMaxLocalPart = 64;
constexpr size_t kMaxDomain = 255;
constexpr size_t kMaxLabel = 63;
constexpr size_t kMaxOtherRecipient = 256;

bool is_atext(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
        case '!':
        case '#':
        case '$':
        case '%':
        case '&':
        case '\'':
        case '*':
        case '+':
        case '-':
        case '/':
        case '=':
        case '?':
        case '^':
        case '_':
        case '`':
        case '{':
        case '|':
        case '}':
        case '~':
            return true;
        default:
            return c >= 0x80;  // RFC 6531: UTF-8 local parts
    }
}

bool valid_dot_atom(std::string_view s) {
    if (s.empty() || s.front() == '.' || s.back() == '.') return false;
    char prev = 0;
    for (char c : s) {
        if (c == '.') {
            if (prev == '.') return false;
        } else if (!is_atext(static_cast<unsigned char>(c))) {
            return false;
        }
        prev = c;
    }
    return true;
}

bool valid_quoted_local(std::string_view s) {
    if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
    for (size_t i = 1; i + 1 < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '\\') {
            if (++i + 1 >= s.size()) return false;
            continue;
        }
        if (c == '"' || c < 0x20 || c == 0x7f) return false;
    }
    return true;
}

bool valid_label(std::string_view label) {
    if (label.empty() || label.size() > kMaxLabel) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char ch : label) {
        unsigned char c = static_cast<unsigned char>(ch);
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c >= 0x80;  // internationalized names in UTF-8
        if (!ok) return false;
    }
    return true;
}

bool valid_domain(std::string_view d) {
    if (d.empty() || d.size() > kMaxDomain) return false;
    if (d.front() == '[') {
        // Address literal: [192.0.2.1] or [IPv6:...]; the characters only.
        if (d.back() != ']' || d.size() < 3) return false;
        for (char c : d.substr(1, d.size() - 2)) {
            bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
                      c == '.' || c == ':' || c == 'I' || c == 'P' || c == 'v';
            if (!ok) return false;
        }
        return true;
    }
    size_t labels = 0;
    size_t start = 0;
    while (true) {
        size_t dot = d.find('.', start);
        std::string_view label =
            d.substr(start, dot == std::string_view::npos ? d.npos : dot - start);
        if (!valid_label(label)) return false;
        ++labels;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return labels >= 2;
}

}  // namespace

bool is_email_address(std::string_view text) {
    auto at = text.rfind('@');
    if (at == std::string_view::npos || at == 0) return false;
    std::string_view local = text.substr(0, at);
    std::string_view domain = text.substr(at + 1);
    if (local.size() > kMaxLocalPart) return false;
    bool quoted = local.front() == '"';
    if (!quoted && local.find('@') != std::string_view::npos) return false;
    if (!(quoted ? valid_quoted_local(local) : valid_dot_atom(local))) return false;
    return valid_domain(domain);
}

Status check_recipients(const std::vector<std::string>& to, std::string_view channel_type,
                        const std::string& channel, const std::string& field) {
    const ProviderType* type = find_provider_type(channel_type);
    AddressKind kind = type ? type->address : AddressKind::handle;
    bool email = kind == AddressKind::email;
    bool sms = kind == AddressKind::phone;
    if (to.empty() && (email || sms || kind == AddressKind::user))
        return make_error(ErrorKind::invalid, "missing_recipient",
                          "channel '" + channel + "' needs at least one recipient in 'to'", field);
    for (size_t i = 0; i < to.size(); ++i) {
        const std::string& r = to[i];
        std::string at = to.size() > 1 ? field + "[" + std::to_string(i) + "]" : field;
        if (email && !is_email_address(r))
            return make_error(ErrorKind::invalid, "invalid_address",
                              "invalid email address '" + r + "' for channel '" + channel +
                                  "' (a bare address such as 'ann@example.com')",
                              at);
        if (sms && !is_e164_number(r))
            return make_error(ErrorKind::invalid, "invalid_address",
                              "invalid phone number '" + r + "' for channel '" + channel +
                                  "' (E.164 with country code, such as '+8613800138000')",
                              at);
        const bool own_form = type && type->address_form;
        if (!email && !sms && !own_form && (r.empty() || r.size() > kMaxOtherRecipient))
            return make_error(ErrorKind::invalid, "invalid_address",
                              r.empty()
                                  ? "empty recipient for channel '" + channel + "'"
                                  : "recipient longer than 256 bytes for channel '" + channel + "'",
                              at);
        if (!own_form) continue;
        if (std::string form = type->address_form(r); !form.empty())
            return make_error(
                ErrorKind::invalid, "invalid_address",
                "invalid recipient '" + r + "' for channel '" + channel + "' (" + form + ")", at);
    }
    return ok();
}

}  // namespace notify
