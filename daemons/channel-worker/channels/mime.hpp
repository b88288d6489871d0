// mime.hpp - composes RFC 5322 / MIME email messages: pure functions, no I/O.
//
// The output uses CRLF line endings only, keeps every line within 998 octets,
// encodes non-ASCII header text as RFC 2047 "=?UTF-8?B?...?=" encoded words of
// at most 75 characters (never splitting a UTF-8 character), and encodes a
// non-ASCII body as base64.
#pragma once

#include <string>
#include <string_view>

#include "util/error.hpp"
#include "util/time.hpp"

namespace notify::channels::mime {

struct Mailbox {
    std::string display_name;  // may be empty
    std::string address;       // local@domain
};

// Parses "Name <local@domain>", "\"Name\" <local@domain>" or "local@domain".
Expected<Mailbox> parse_mailbox(std::string_view text);
// A bare address fit for an SMTP envelope and a header: one '@', no spaces,
// controls, quotes or angle brackets.
bool is_address(std::string_view address);
// The part after the last '@'.
std::string domain_of(std::string_view address);

// "Thu, 27 Nov 2026 07:17:47 +0000".
std::string format_date(util::Millis t);

// One header field, "Name: value\r\n", folded. ASCII text is folded at spaces;
// text with non-ASCII bytes, or with a word too long to fold, becomes encoded
// words, one per line. Control characters in `value` become spaces.
std::string header(std::string_view name, std::string_view value);
// The same for a mailbox: the display name quoted or encoded as needed.
std::string mailbox_header(std::string_view name, const Mailbox& mailbox);
// "List-Unsubscribe: <URL>\r\n" (RFC 2369), never encoded as RFC 2047 words (a
// URL is not text). Bytes a URI may not hold (controls, spaces, non-ASCII,
// '<', '>', '"') are percent-encoded. A field longer than a line folds before
// the '<'; a URL that still exceeds 998 octets breaks inside the brackets, where
// RFC 2369 and RFC 3986 (appendix C) have readers ignore whitespace.
std::string list_unsubscribe_header(std::string_view url);

// The RFC 2047 encoded words for `text`, in order, joined by `separator` (a fold,
// "\r\n "). Each word is at most 75 characters and is sized so its line stays
// within 78 when it can; `first_line_used` is what precedes the first word.
std::string encoded_words(std::string_view text, std::string_view separator,
                          size_t first_line_used = 0);

// A body ready to follow its headers: CRLF line endings and either 7bit text,
// or base64 in lines of 76 characters when the text has non-ASCII bytes, NULs
// or a line over 998 octets.
struct EncodedBody {
    std::string transfer_encoding;  // "7bit" or "base64"
    std::string text;               // ends with CRLF
};
EncodedBody encode_body(std::string_view text);

struct Message {
    Mailbox from;
    std::string to;  // a bare address
    std::string subject;
    std::string text;
    std::string html;         // when not empty: multipart/alternative
    std::string message_id;   // without angle brackets
    std::string delivery_id;  // X-Notify-Delivery
    // When set: List-Unsubscribe with this URL and "List-Unsubscribe-Post:
    // List-Unsubscribe=One-Click" (RFC 8058: a POST to the URL unsubscribes).
    std::string unsubscribe_url;
    util::Millis date = 0;
    std::string boundary;  // used only for multipart; see new_boundary()
};

// A boundary that cannot occur in base64 text: "=_notify_" + 24 hex digits.
std::string new_boundary();

std::string compose(const Message& message);

}  // namespace notify::channels::mime
