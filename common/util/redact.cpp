// redact.cpp - masked secrets and URLs without their passwords.
#include "util/redact.hpp"

namespace notify::util {

std::string masked_secret(std::string_view value) {
    if (value.empty() || value.substr(0, 4) == "env:" || value.substr(0, 5) == "file:")
        return std::string(value);
    return std::string(kMasked);
}

std::string without_password(std::string_view text) {
    std::string out;
    size_t from = 0;
    for (;;) {
        size_t scheme_end = text.find("://", from);
        if (scheme_end == std::string_view::npos) break;
        // The authority runs to the first '/', '?', '#', quote or blank; every
        // search below stays inside it, so each byte is looked at a bounded
        // number of times however many "://" the text holds.
        size_t authority = scheme_end + 3;
        size_t end = text.find_first_of("/?# \t\r\n'\"", authority);
        if (end == std::string_view::npos) end = text.size();
        std::string_view host = text.substr(authority, end - authority);
        // The last '@' ends the user information (a password may hold '@').
        size_t at = host.rfind('@');
        size_t colon = host.find(':');
        if (at != std::string_view::npos && colon < at) {
            out.append(text.substr(from, authority + colon + 1 - from));
            out.append(kMasked);
            from = authority + at;
        } else {
            out.append(text.substr(from, authority - from));
            from = authority;
        }
    }
    out.append(text.substr(from));
    return out;
}

}  // namespace notify::util
