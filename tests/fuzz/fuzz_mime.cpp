// fuzz_mime.cpp - email composition (channels/mime.cpp) with any sender,
// recipient, subject, bodies and unsubscribe URL, as the SMTP adapter calls it.
// The input is "FROM\0TO\0SUBJECT\0TEXT\0HTML\0URL". Checked against mime.hpp's
// promises: CRLF line endings only, no line over 998 octets, header fields in
// ASCII, encoded words of at most 75 characters, base64 lines of at most 76.
#include <cstdlib>

#include "channels/mime.hpp"
#include "fuzz_input.hpp"
#include "util/strings.hpp"

using namespace notify::channels;

namespace {

// Every line ends with CRLF, none is longer than 998 octets; `ascii`: no byte
// above 0x7f.
void check_lines(std::string_view text, bool ascii, size_t max_line = 998) {
    if (!text.empty() && (text.size() < 2 || text.substr(text.size() - 2) != "\r\n")) std::abort();
    size_t start = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (ascii && c > 0x7f) std::abort();
        if (c == '\n' && (i == 0 || text[i - 1] != '\r')) std::abort();                // a bare LF
        if (c == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) std::abort();  // bare CR
        if (c == '\n') {
            if (i - 1 - start > max_line) std::abort();
            start = i + 1;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto parts = notify::fuzz::split_input(data, size, 6);
    parts.resize(6);
    auto from = mime::parse_mailbox(parts[0]);
    if (from && !mime::is_address(from->address)) std::abort();

    for (std::string_view word : {parts[2], parts[3]}) {
        std::string words = mime::encoded_words(word, "\r\n ", 9);
        check_lines(words + "\r\n", true, 998);
        for (auto w : notify::util::split(words, '\n'))
            if (notify::util::trim(w).size() > 75) std::abort();
    }
    check_lines(mime::header("Subject", parts[2]), true);
    check_lines(mime::list_unsubscribe_header(parts[5]), true);

    auto body = mime::encode_body(parts[3]);
    check_lines(body.text, body.transfer_encoding == "base64",
                body.transfer_encoding == "base64" ? 76 : 998);

    mime::Message m;
    m.from = from ? *from : mime::Mailbox{"Notify", "notify@example.com"};
    m.to = mime::is_address(parts[1]) ? std::string(parts[1]) : "ann@example.com";
    m.subject = parts[2];
    m.text = parts[3];
    m.html = parts[4];
    m.message_id = "01JD0000000000000000000000@example.com";
    m.delivery_id = "01JD0000000000000000000000";
    m.unsubscribe_url = parts[5];
    m.date = 1767225600000;
    m.boundary = mime::new_boundary();
    std::string message = mime::compose(m);
    size_t end_of_headers = message.find("\r\n\r\n");
    if (end_of_headers == std::string::npos) std::abort();
    check_lines(std::string_view(message).substr(0, end_of_headers + 2), true);
    check_lines(message, false);
    return 0;
}
