// mime.cpp - RFC 5322 / MIME message composition: headers with RFC 2047
// encoded words and folding, the List-Unsubscribe fields (RFC 2369, RFC 8058),
// CRLF bodies in 7bit or base64, and multipart/alternative for a text and an
// HTML version of the same message.
#include "channels/mime.hpp"

#include <ctime>

#include "util/crypto.hpp"
#include "util/strings.hpp"

namespace notify::channels::mime {

namespace {

constexpr size_t kFoldAt = 78;     // recommended line length (RFC 5322 2.1.1)
constexpr size_t kMaxLine = 998;   // hard limit, without the CRLF
constexpr size_t kWordBytes = 45;  // 45 bytes -> 60 base64 chars -> 72-char encoded word
constexpr size_t kBase64Line = 76;

bool is_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

std::string without_controls(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        unsigned char u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) c = ' ';
    }
    return out;
}

// RFC 5322 atext plus space: a display name made of these needs no quoting.
bool is_plain_phrase(std::string_view s) {
    static const std::string_view extra = "!#$%&'*+-/=?^_`{|}~ ";
    for (char c : s) {
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && extra.find(c) == std::string_view::npos) return false;
    }
    return true;
}

std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// Folds ASCII text at single spaces so lines stay near kFoldAt; returns "" when
// a word (or a run of spaces) is too long to fit in a line at all, or looks like
// an encoded word.
std::string fold_ascii(std::string_view name, std::string_view value, bool& ok) {
    std::vector<std::string> words = util::split(value, ' ');
    std::string out(name);
    out += ':';
    size_t line_len = out.size();
    ok = true;
    for (size_t i = 0; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (w.size() + 2 > kMaxLine - name.size() - 2 ||
            (w.size() >= 4 && util::starts_with(w, "=?") && w.substr(w.size() - 2) == "?=")) {
            ok = false;
            return {};
        }
        if (!w.empty() && i > 0 && line_len + 1 + w.size() > kFoldAt) {
            out += "\r\n";
            line_len = 0;
        }
        out += ' ';
        out += w;
        line_len += 1 + w.size();
        if (line_len > kMaxLine) {  // a long run of spaces: no place to fold it
            ok = false;
            return {};
        }
    }
    out += "\r\n";
    return out;
}

std::string normalize_newlines(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 32 + 2);
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '\r') {
            out += "\r\n";
            if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        } else if (c == '\n') {
            out += "\r\n";
        } else {
            out += c;
        }
    }
    return out;
}

bool fits_7bit(std::string_view crlf_text) {
    size_t line = 0;
    for (size_t i = 0; i < crlf_text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(crlf_text[i]);
        if (c >= 0x80 || c == 0) return false;
        if (c == '\r' && i + 1 < crlf_text.size() && crlf_text[i + 1] == '\n') {
            line = 0;
            ++i;
            continue;
        }
        if (++line > kMaxLine) return false;
    }
    return true;
}

std::string part_headers(std::string_view type, const EncodedBody& body) {
    return "Content-Type: " + std::string(type) +
           "; charset=UTF-8\r\n"
           "Content-Transfer-Encoding: " +
           body.transfer_encoding + "\r\n";
}

}  // namespace

bool is_address(std::string_view a) {
    size_t at = a.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == a.size()) return false;
    if (a.size() > 254) return false;
    for (unsigned char c : a) {
        if (c <= 0x20 || c >= 0x7f) return false;
        if (std::string_view("<>\"(),;:\\[]").find(static_cast<char>(c)) != std::string_view::npos)
            return false;
    }
    return a.substr(at + 1).find('@') == std::string_view::npos;
}

std::string domain_of(std::string_view address) {
    size_t at = address.rfind('@');
    return at == std::string_view::npos ? std::string() : std::string(address.substr(at + 1));
}

Expected<Mailbox> parse_mailbox(std::string_view text) {
    std::string t = util::trim(text);
    auto bad = [&](const std::string& why) {
        return make_error(ErrorKind::invalid, "invalid_address",
                          "invalid mailbox '" + t + "': " + why);
    };
    Mailbox mb;
    size_t lt = t.rfind('<');
    if (lt != std::string::npos) {
        if (t.back() != '>') return bad("expected '>' at the end");
        mb.address = t.substr(lt + 1, t.size() - lt - 2);
        std::string name = util::trim(std::string_view(t).substr(0, lt));
        if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
            std::string unq;
            for (size_t i = 1; i + 1 < name.size(); ++i) {
                if (name[i] == '\\' && i + 2 < name.size()) ++i;
                unq += name[i];
            }
            name = unq;
        }
        mb.display_name = without_controls(name);
    } else {
        mb.address = t;
    }
    if (!is_address(mb.address)) return bad("'" + mb.address + "' is not an address");
    return mb;
}

std::string format_date(util::Millis t) {
    static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::time_t secs = static_cast<std::time_t>(t / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
                  tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return buf;
}

std::string encoded_words(std::string_view text, std::string_view separator,
                          size_t first_line_used) {
    std::string out;
    size_t used = first_line_used;
    size_t pos = 0;
    while (pos < text.size()) {
        // As many whole base64 quanta as fit the line (12 characters are "=?UTF-8?B?" "?=").
        size_t room = kFoldAt > used + 12 + 4 ? kFoldAt - used - 12 : 4;
        size_t bytes = std::min(kWordBytes, room / 4 * 3);
        size_t end = std::min(pos + bytes, text.size());
        // Back off to the start of a UTF-8 character (continuation bytes are 10xxxxxx).
        while (end < text.size() && end > pos + 1 &&
               (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
            --end;
        if (!out.empty()) out += separator;
        out += "=?UTF-8?B?";
        out += util::base64(text.substr(pos, end - pos));
        out += "?=";
        pos = end;
        used = 1;  // continuation lines start with one space
    }
    return out;
}

std::string header(std::string_view name, std::string_view value) {
    std::string clean = without_controls(value);
    if (is_ascii(clean)) {
        bool ok = false;
        std::string folded = fold_ascii(name, clean, ok);
        if (ok) return folded;
    }
    return std::string(name) + ": " + encoded_words(clean, "\r\n ", name.size() + 2) + "\r\n";
}

std::string mailbox_header(std::string_view name, const Mailbox& mailbox) {
    std::string out = std::string(name) + ": ";
    std::string display = without_controls(mailbox.display_name);
    if (display.empty()) return out + mailbox.address + "\r\n";
    if (is_ascii(display) && display.size() <= 200) {
        out += is_plain_phrase(display) ? display : quoted(display);
        // Fold before the address only when the line would be long.
        out += out.size() + mailbox.address.size() + 3 > kFoldAt ? "\r\n <" : " <";
        return out + mailbox.address + ">\r\n";
    }
    return out + encoded_words(display, "\r\n ", out.size()) + "\r\n <" + mailbox.address + ">\r\n";
}

std::string list_unsubscribe_header(std::string_view url) {
    static const char* hex = "0123456789ABCDEF";
    std::string uri = "<";
    for (unsigned char c : url) {
        if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '"') {
            uri += '%';
            uri += hex[c >> 4];
            uri += hex[c & 0xf];
        } else {
            uri += static_cast<char>(c);
        }
    }
    uri += '>';
    const std::string name = "List-Unsubscribe:";
    if (name.size() + 1 + uri.size() <= kFoldAt) return name + " " + uri + "\r\n";
    // A continuation line starts with one space; break the URL only past the hard limit.
    std::string out = name;
    for (size_t pos = 0; pos < uri.size(); pos += kMaxLine - 1) {
        out += "\r\n ";
        out += uri.substr(pos, kMaxLine - 1);
    }
    return out + "\r\n";
}

EncodedBody encode_body(std::string_view text) {
    std::string crlf = normalize_newlines(text);
    EncodedBody body;
    if (fits_7bit(crlf)) {
        body.transfer_encoding = "7bit";
        if (crlf.size() < 2 || crlf.compare(crlf.size() - 2, 2, "\r\n") != 0) crlf += "\r\n";
        body.text = std::move(crlf);
        return body;
    }
    body.transfer_encoding = "base64";
    std::string b64 = util::base64(crlf);
    body.text.reserve(b64.size() + b64.size() / kBase64Line * 2 + 2);
    for (size_t i = 0; i < b64.size(); i += kBase64Line) {
        body.text += b64.substr(i, kBase64Line);
        body.text += "\r\n";
    }
    return body;
}

std::string new_boundary() {
    return "=_notify_" + util::hex(util::random_bytes(12));
}

std::string compose(const Message& m) {
    std::string out;
    out += "Date: " + format_date(m.date) + "\r\n";
    out += mailbox_header("From", m.from);
    out += header("To", m.to);
    out += header("Subject", m.subject);
    out += "Message-ID: <" + m.message_id + ">\r\n";
    out += "MIME-Version: 1.0\r\n";
    out += header("X-Notify-Delivery", m.delivery_id);
    if (!m.unsubscribe_url.empty()) {
        out += list_unsubscribe_header(m.unsubscribe_url);
        out += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n";
    }
    EncodedBody text = encode_body(m.text);
    if (m.html.empty()) {
        out += part_headers("text/plain", text);
        out += "\r\n";
        out += text.text;
        return out;
    }
    EncodedBody html = encode_body(m.html);
    out += "Content-Type: multipart/alternative;\r\n boundary=\"" + m.boundary + "\"\r\n";
    out += "\r\n";
    out += "--" + m.boundary + "\r\n";
    out += part_headers("text/plain", text);
    out += "\r\n";
    out += text.text;
    out += "--" + m.boundary + "\r\n";
    out += part_headers("text/html", html);
    out += "\r\n";
    out += html.text;
    out += "--" + m.boundary + "--\r\n";
    return out;
}

}  // namespace notify::channels::mime
