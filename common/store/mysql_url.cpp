#include "store/mysql_url.hpp"

#include <cctype>

#include "util/strings.hpp"

namespace notify::store {

namespace {

constexpr std::size_t kMaxDatabaseName = 64;  // the servers' own limit

// The URL as a message may show it: without its parameters, and with a
// password written into it masked.
std::string shown(const std::string& url) {
    std::string out = url.substr(0, url.find('?'));
    const auto scheme = out.find("://");
    if (scheme == std::string::npos) return out;
    const auto start = scheme + 3;
    const auto at = out.rfind('@', out.find('/', start));
    if (at == std::string::npos || at < start) return out;
    const auto colon = out.find(':', start);
    if (colon == std::string::npos || colon > at) return out;
    return out.substr(0, colon + 1) + "********" + out.substr(at);
}

Error bad_url(const std::string& key, const std::string& url, const std::string& why) {
    return make_error(ErrorKind::invalid, "invalid_store_url",
                      key + " '" + shown(url) + "': " + why +
                          " (mysql://USER@HOST[:PORT]/DATABASE[?socket=PATH])");
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// `text` with %XX decoded; false when an escape is malformed or decodes to NUL.
bool percent_decoded(const std::string& text, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size()) return false;
        const int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return false;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return true;
}

bool database_name_ok(const std::string& name) {
    if (name.empty() || name.size() > kMaxDatabaseName) return false;
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '$' && c != '-')
            return false;
    return true;
}

// "HOST[:PORT]" or "[V6]:PORT" into the target.
Status read_host(const std::string& key, const std::string& url, const std::string& text,
                 MariaTarget& t) {
    std::string host = text, port;
    if (util::starts_with(text, "[")) {
        const auto close = text.find(']');
        if (close == std::string::npos) return bad_url(key, url, "an IPv6 address lacks its ']'");
        host = text.substr(1, close - 1);
        const std::string rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':') return bad_url(key, url, "expected ':PORT' after the IPv6 address");
            port = rest.substr(1);
            if (port.empty()) return bad_url(key, url, "the port is empty");
        }
    } else if (const auto colon = text.find(':'); colon != std::string::npos) {
        if (text.find(':', colon + 1) != std::string::npos)
            return bad_url(key, url, "an IPv6 address goes in brackets ([::1]:3306)");
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (port.empty()) return bad_url(key, url, "the port is empty");
    }
    if (host.empty()) return bad_url(key, url, "the host is missing");
    t.host = host;
    if (!port.empty()) {
        long n = 0;
        for (char c : port) {
            if (!std::isdigit(static_cast<unsigned char>(c)) || (n = n * 10 + (c - '0')) > 65535)
                return bad_url(key, url, "the port must be a number from 1 to 65535");
        }
        if (n == 0) return bad_url(key, url, "the port must be a number from 1 to 65535");
        t.port = static_cast<unsigned>(n);
    }
    return ok();
}

Status read_query(const std::string& key, const std::string& url, const std::string& query,
                  MariaTarget& t) {
    for (const std::string& pair : util::split(query, '&')) {
        const auto eq = pair.find('=');
        const std::string name = pair.substr(0, eq);
        if (name != "socket" || eq == std::string::npos)
            return bad_url(key, url, "unknown parameter '" + name + "' (only socket=PATH)");
        if (!percent_decoded(pair.substr(eq + 1), t.socket) || t.socket.empty() ||
            t.socket[0] != '/')
            return bad_url(key, url, "socket= must be an absolute path");
    }
    return ok();
}

}  // namespace

Expected<MariaTarget> parse_mysql_url(const std::string& url, const std::string& key) {
    std::string rest;
    for (const char* scheme : {"mysql://", "mariadb://"})
        if (util::starts_with(url, scheme)) rest = url.substr(std::string(scheme).size());
    if (rest.empty()) return bad_url(key, url, "must begin with mysql://");
    MariaTarget t;
    std::string query;
    if (const auto q = rest.find('?'); q != std::string::npos) {
        query = rest.substr(q + 1);
        rest.resize(q);
    }
    const auto slash = rest.find('/');
    if (slash == std::string::npos) return bad_url(key, url, "the database is missing");
    const std::string authority = rest.substr(0, slash);
    t.database = rest.substr(slash + 1);
    if (!database_name_ok(t.database))
        return bad_url(key, url, "the database must be 1 to 64 of A-Z a-z 0-9 _ $ -");
    const auto at = authority.rfind('@');
    if (at == std::string::npos) return bad_url(key, url, "the user is missing (USER@HOST)");
    const std::string user = authority.substr(0, at);
    if (user.find(':') != std::string::npos)
        return bad_url(key, url,
                       "a password does not belong in the URL: set store.password "
                       "(a literal, env:NAME or file:PATH), which is never printed");
    if (!percent_decoded(user, t.user) || t.user.empty())
        return bad_url(key, url, "the user is missing or malformed");
    if (auto st = read_host(key, url, authority.substr(at + 1), t); !st) return st.error();
    if (!query.empty())
        if (auto st = read_query(key, url, query, t); !st) return st.error();
    if (!t.socket.empty() &&
        (t.host != "localhost" || authority.find(':', at) != std::string::npos))
        return bad_url(key, url, "socket= goes with the host localhost and no port");
    return t;
}

}  // namespace notify::store
