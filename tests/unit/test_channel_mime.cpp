// Tests for channels/mime: header encoding and folding, RFC 2047 encoded words,
// bodies, the layout of single-part and multipart messages, and List-Unsubscribe,
// also as the smtp adapter sends it to a scripted server on the loopback interface.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <regex>

#include "channels/adapter.hpp"
#include "channels/mime.hpp"
#include "channels/registry.hpp"
#include "test_loopback_server.hpp"

using namespace notify::channels;

namespace {

// A small base64 decoder, independent of the one under test.
std::string b64decode(const std::string& in) {
    static const std::string alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    int bits = 0, value = 0;
    for (char c : in) {
        if (c == '=') break;
        size_t pos = alphabet.find(c);
        if (pos == std::string::npos) continue;  // line breaks
        value = (value << 6) | static_cast<int>(pos);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((value >> bits) & 0xff);
        }
    }
    return out;
}

// Removes folding: CRLF followed by a space or tab.
std::string unfold(const std::string& text) {
    return std::regex_replace(text, std::regex("\r\n[ \t]"), " ");
}

// Decodes a header value made of "=?UTF-8?B?...?=" words; whitespace between
// adjacent encoded words is dropped, as RFC 2047 6.2 says.
std::string decode_words(const std::string& value, std::vector<std::string>* words = nullptr) {
    std::regex word("=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]*)\\?=");
    std::string out;
    auto it = std::sregex_iterator(value.begin(), value.end(), word);
    size_t last = 0;
    for (; it != std::sregex_iterator(); ++it) {
        std::string between = value.substr(last, static_cast<size_t>(it->position()) - last);
        if (last == 0 || between.find_first_not_of(" \t\r\n") != std::string::npos) out += between;
        out += b64decode((*it)[1]);
        if (words) words->push_back(it->str());
        last = static_cast<size_t>(it->position() + it->length());
    }
    return out + value.substr(last);
}

bool valid_utf8(const std::string& s) {
    size_t i = 0;
    while (i < s.size()) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += n;
    }
    return true;
}

void require_crlf_only(const std::string& text) {
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') REQUIRE((i > 0 && text[i - 1] == '\r'));
        if (text[i] == '\r') REQUIRE((i + 1 < text.size() && text[i + 1] == '\n'));
    }
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find("\r\n", start);
        if (end == std::string::npos) end = text.size();
        out.push_back(text.substr(start, end - start));
        start = end + 2;
    }
    return out;
}

// The value of header `name` in the header block of `message`, unfolded.
std::string header_of(const std::string& message, const std::string& name) {
    std::string head = message.substr(0, message.find("\r\n\r\n") + 2);
    size_t pos = head.find("\r\n" + name + ":");
    if (head.rfind(name + ":", 0) == 0)
        pos = 0;
    else if (pos == std::string::npos)
        return "<missing>";
    else
        pos += 2;
    size_t end = pos;
    while (true) {
        end = head.find("\r\n", end);
        if (end + 2 >= head.size() || (head[end + 2] != ' ' && head[end + 2] != '\t')) break;
        end += 2;
    }
    std::string field = unfold(head.substr(pos, end - pos));
    return field.substr(name.size() + 2);
}

// A scripted SMTP server on 127.0.0.1 that accepts one message and keeps it.
class OneMessageServer {
  public:
    std::string url() const { return "smtp://127.0.0.1:" + std::to_string(server_.port()); }
    // The DATA of the message, dot-stuffing left as sent; after the transfer ended.
    const std::string& data() const { return data_; }

  private:
    void session(int c) {
        auto say = [c](const std::string& line) { (void)!write(c, line.data(), line.size()); };
        say("220 test ESMTP\r\n");
        std::string in;
        bool in_data = false;
        char buf[4096];
        while (true) {
            size_t eol = in.find(in_data ? "\r\n.\r\n" : "\r\n");
            if (eol == std::string::npos) {
                ssize_t n = read(c, buf, sizeof buf);
                if (n <= 0) break;
                in.append(buf, static_cast<size_t>(n));
                continue;
            }
            if (in_data) {
                data_ = in.substr(0, eol + 2);
                in.erase(0, eol + 5);
                in_data = false;
                say("250 queued\r\n");
                continue;
            }
            std::string cmd = in.substr(0, 4);
            in.erase(0, eol + 2);
            if (cmd == "EHLO" || cmd == "HELO")
                say("250 test\r\n");
            else if (cmd == "DATA") {
                in_data = true;
                say("354 go ahead\r\n");
            } else if (cmd == "QUIT") {
                say("221 bye\r\n");
                break;
            } else
                say("250 ok\r\n");
        }
    }

    std::string data_;
    notify::test::LoopbackServer server_{[this](int c) { session(c); }};  // last: it uses data_
};

mime::Message sample() {
    mime::Message m;
    m.from = mime::Mailbox{"Notify", "notify@example.com"};
    m.to = "ops@example.org";
    m.subject = "Disk almost full";
    m.text = "Line one\nLine two\n";
    m.message_id = "01JABCDEFGHJKMNPQRSTVWXYZ0.1@example.com";
    m.delivery_id = "01JABCDEFGHJKMNPQRSTVWXYZ0.1";
    m.date = 1700000000000;
    m.boundary = "=_notify_0123456789abcdef01234567";
    return m;
}

}  // namespace

TEST_CASE("mime dates and mailboxes") {
    CHECK(mime::format_date(1700000000000) == "Tue, 14 Nov 2023 22:13:20 +0000");
    SECTION("display name and address") {
        auto mb = mime::parse_mailbox("Notify <notify@example.com>");
        REQUIRE(mb);
        CHECK(mb->display_name == "Notify");
        CHECK(mb->address == "notify@example.com");
    }
    SECTION("quoted display name") {
        auto mb = mime::parse_mailbox("\"Ops, \\\"Night\\\" Team\" <ops@example.com>");
        REQUIRE(mb);
        CHECK(mb->display_name == "Ops, \"Night\" Team");
        CHECK(mime::mailbox_header("From", *mb) ==
              "From: \"Ops, \\\"Night\\\" Team\" <ops@example.com>\r\n");
    }
    SECTION("bare address") {
        auto mb = mime::parse_mailbox("  notify@example.com ");
        REQUIRE(mb);
        CHECK(mb->display_name.empty());
        CHECK(mime::mailbox_header("From", *mb) == "From: notify@example.com\r\n");
    }
    SECTION("not addresses") {
        CHECK_FALSE(mime::parse_mailbox("Notify <notify>"));
        CHECK_FALSE(mime::parse_mailbox("Notify <notify@example.com"));
        CHECK_FALSE(mime::parse_mailbox("two words@example.com"));
        CHECK_FALSE(mime::is_address("a@b\r\nBcc: x@y"));
        CHECK(mime::is_address("first.last+tag@sub.example.com"));
    }
    SECTION("non-ASCII display name becomes encoded words") {
        std::string h = mime::mailbox_header("From", {"运维通知", "notify@example.com"});
        CHECK(decode_words(header_of(h + "\r\n", "From")) == "运维通知 <notify@example.com>");
    }
}

TEST_CASE("mime subject encoding") {
    SECTION("a long Chinese subject round-trips through RFC 2047 encoded words") {
        std::string subject =
            "系统告警：数据库主节点磁盘使用率已超过百分之九十，请值班人员立即处理并确认（生产环境"
            "）";
        std::string h = mime::header("Subject", subject);
        require_crlf_only(h);
        std::vector<std::string> words;
        std::string value = unfold(h.substr(9, h.size() - 11));
        CHECK(decode_words(value, &words) == subject);
        REQUIRE(words.size() >= 3);
        for (const auto& w : words) {
            CHECK(w.size() <= 75);
            // Each word holds whole characters: it decodes to valid UTF-8 alone.
            CHECK(valid_utf8(b64decode(w.substr(10, w.size() - 12))));
        }
        for (const auto& line : lines_of(h)) CHECK(line.size() <= 78);
    }
    SECTION("ASCII subjects are folded at spaces and unfold to the original") {
        std::string subject;
        for (int i = 0; i < 30; ++i) subject += "word" + std::to_string(i) + " ";
        subject += "end";
        std::string h = mime::header("Subject", subject);
        require_crlf_only(h);
        CHECK(lines_of(h).size() > 1);
        for (const auto& line : lines_of(h)) CHECK(line.size() <= 78);
        CHECK(unfold(h) == "Subject: " + subject + "\r\n");
    }
    SECTION("line breaks cannot inject headers") {
        std::string h = mime::header("Subject", "Hello\r\nBcc: victim@example.com");
        CHECK(h == "Subject: Hello  Bcc: victim@example.com\r\n");
    }
    SECTION("a word too long for a line is encoded instead") {
        std::string h = mime::header("Subject", std::string(1200, 'x'));
        for (const auto& line : lines_of(h)) CHECK(line.size() <= 998);
        CHECK(decode_words(unfold(h.substr(9, h.size() - 11))) == std::string(1200, 'x'));
    }
    SECTION("a run of spaces too long for a line is encoded instead") {
        std::string subject = "a" + std::string(1100, ' ') + "b";
        std::string h = mime::header("Subject", subject);
        require_crlf_only(h);
        for (const auto& line : lines_of(h)) CHECK(line.size() <= 998);
        CHECK(decode_words(unfold(h.substr(9, h.size() - 11))) == subject);
    }
}

TEST_CASE("mime bodies") {
    SECTION("ASCII text is 7bit with CRLF endings") {
        auto b = mime::encode_body("a\nb\r\nc\rd");
        CHECK(b.transfer_encoding == "7bit");
        CHECK(b.text == "a\r\nb\r\nc\r\nd\r\n");
    }
    SECTION("non-ASCII text is base64 of the CRLF text, in short lines") {
        std::string text = "你好，世界\n第二行";
        auto b = mime::encode_body(text);
        CHECK(b.transfer_encoding == "base64");
        require_crlf_only(b.text);
        for (const auto& line : lines_of(b.text)) CHECK(line.size() <= 76);
        CHECK(b64decode(b.text) == "你好，世界\r\n第二行");
    }
    SECTION("an ASCII line over 998 octets forces base64") {
        auto b = mime::encode_body(std::string(2000, 'a'));
        CHECK(b.transfer_encoding == "base64");
        CHECK(b64decode(b.text) == std::string(2000, 'a'));
    }
}

TEST_CASE("mime message layout") {
    SECTION("text only") {
        mime::Message m = sample();
        std::string msg = mime::compose(m);
        require_crlf_only(msg);
        for (const auto& line : lines_of(msg)) CHECK(line.size() <= 998);
        CHECK(header_of(msg, "Date") == "Tue, 14 Nov 2023 22:13:20 +0000");
        CHECK(header_of(msg, "From") == "Notify <notify@example.com>");
        CHECK(header_of(msg, "To") == "ops@example.org");
        CHECK(header_of(msg, "Subject") == "Disk almost full");
        CHECK(header_of(msg, "Message-ID") == "<01JABCDEFGHJKMNPQRSTVWXYZ0.1@example.com>");
        CHECK(header_of(msg, "MIME-Version") == "1.0");
        CHECK(header_of(msg, "X-Notify-Delivery") == "01JABCDEFGHJKMNPQRSTVWXYZ0.1");
        CHECK(header_of(msg, "Content-Type") == "text/plain; charset=UTF-8");
        CHECK(header_of(msg, "Content-Transfer-Encoding") == "7bit");
        CHECK(msg.substr(msg.find("\r\n\r\n") + 4) == "Line one\r\nLine two\r\n");
    }
    SECTION("non-ASCII text only") {
        mime::Message m = sample();
        m.text = "磁盘已满";
        std::string msg = mime::compose(m);
        CHECK(header_of(msg, "Content-Transfer-Encoding") == "base64");
        CHECK(b64decode(msg.substr(msg.find("\r\n\r\n") + 4)) == "磁盘已满");
    }
    SECTION("text and HTML make multipart/alternative, text first") {
        mime::Message m = sample();
        m.html = "<p>Line <b>one</b></p>";
        std::string msg = mime::compose(m);
        require_crlf_only(msg);
        CHECK(header_of(msg, "Content-Type") ==
              "multipart/alternative; boundary=\"" + m.boundary + "\"");
        std::vector<std::string> lines = lines_of(msg);
        std::vector<size_t> delimiters;
        size_t closing = 0;
        for (size_t i = 0; i < lines.size(); ++i) {
            if (lines[i] == "--" + m.boundary) delimiters.push_back(i);
            if (lines[i] == "--" + m.boundary + "--") closing = i;
        }
        REQUIRE(delimiters.size() == 2);
        REQUIRE(closing > delimiters[1]);
        CHECK(closing == lines.size() - 1);
        CHECK(lines[delimiters[0] + 1] == "Content-Type: text/plain; charset=UTF-8");
        CHECK(lines[delimiters[0] + 2] == "Content-Transfer-Encoding: 7bit");
        CHECK(lines[delimiters[0] + 3].empty());
        CHECK(lines[delimiters[0] + 4] == "Line one");
        CHECK(lines[delimiters[1] + 1] == "Content-Type: text/html; charset=UTF-8");
        CHECK(lines[delimiters[1] + 4] == "<p>Line <b>one</b></p>");
    }
    SECTION("boundaries are fresh and safe") {
        std::string a = mime::new_boundary(), b = mime::new_boundary();
        CHECK(a != b);
        CHECK(a.rfind("=_notify_", 0) == 0);
        CHECK(a.size() == 9 + 24);
    }
}

TEST_CASE("mime List-Unsubscribe (RFC 2369, RFC 8058)") {
    SECTION("a message with an unsubscribe link offers one-click unsubscribe") {
        mime::Message m = sample();
        m.unsubscribe_url = "https://notify.example.com/v1/unsubscribe/abc.def";
        std::string msg = mime::compose(m);
        require_crlf_only(msg);
        CHECK(header_of(msg, "List-Unsubscribe") ==
              "<https://notify.example.com/v1/unsubscribe/abc.def>");
        CHECK(header_of(msg, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click");
        CHECK(msg.find("\r\n\r\n") > msg.find("List-Unsubscribe-Post:"));
    }
    SECTION("without a link neither field is written") {
        std::string msg = mime::compose(sample());
        CHECK(header_of(msg, "List-Unsubscribe") == "<missing>");
        CHECK(header_of(msg, "List-Unsubscribe-Post") == "<missing>");
    }
    SECTION("a long link folds before the bracket and stays whole") {
        std::string url = "https://notify.example.com/v1/unsubscribe/" + std::string(120, 'A');
        std::string h = mime::list_unsubscribe_header(url);
        require_crlf_only(h);
        CHECK(h == "List-Unsubscribe:\r\n <" + url + ">\r\n");
        CHECK(unfold(h) == "List-Unsubscribe: <" + url + ">\r\n");
        CHECK(h.find("=?") == std::string::npos);  // never RFC 2047 words
    }
    SECTION("a link over the hard line limit breaks inside the brackets") {
        std::string url = "https://notify.example.com/u/" + std::string(2500, 'x');
        std::string h = mime::list_unsubscribe_header(url);
        require_crlf_only(h);
        auto lines = lines_of(h);
        CHECK(lines.size() == 4);
        for (const auto& line : lines) CHECK(line.size() <= 998);
        // Whitespace inside the brackets is ignored by readers (RFC 3986 appendix C).
        std::string joined = std::regex_replace(h, std::regex("\r\n "), "");
        CHECK(joined == "List-Unsubscribe:<" + url + ">\r\n");
    }
    SECTION("bytes a URI cannot hold are percent-encoded, so nothing is injected") {
        CHECK(mime::list_unsubscribe_header("https://x.example/u?a=1\r\nBcc: v@example.com") ==
              "List-Unsubscribe: <https://x.example/u?a=1%0D%0ABcc:%20v@example.com>\r\n");
        CHECK(mime::list_unsubscribe_header("https://x.example/<é>") ==
              "List-Unsubscribe: <https://x.example/%3C%C3%A9%3E>\r\n");
    }
}

TEST_CASE("smtp adapter sends the unsubscribe fields of its job") {
    OneMessageServer server;
    auto config = notify::parse_config("[providers.p]\ntype = \"smtp\"\nurl = \"" + server.url() +
                                           "\"\nfrom = \"Notify <notify@example.com>\"\n"
                                           "starttls = \"never\"\n",
                                       "t.toml");
    REQUIRE(config);
    auto adapter = make_adapter(*config->provider("p"), AdapterOptions{});
    REQUIRE(adapter);
    notify::wire::Job job;
    job.delivery_id = "01JABC.1";
    job.notification_id = "01JABC";
    job.to = "gina@example.com";
    job.subject = "November news";
    job.body = "Our news";
    SECTION("with a link") {
        job.unsubscribe_url = "http://127.0.0.1:8025/v1/unsubscribe/tok3n";
    }
    SECTION("without one") {}
    auto started = (*adapter)->start(job);
    REQUIRE(std::holds_alternative<std::unique_ptr<Transfer>>(started));
    auto& transfer = std::get<std::unique_ptr<Transfer>>(started);
    Attempt attempt = std::get<Attempt>(transfer->finish(curl_easy_perform(transfer->handle())));
    INFO(attempt.code << " " << attempt.message);
    REQUIRE(attempt.outcome == notify::wire::Outcome::sent);
    std::string msg = server.data();
    if (job.unsubscribe_url.empty()) {
        CHECK(header_of(msg, "List-Unsubscribe") == "<missing>");
        CHECK(header_of(msg, "List-Unsubscribe-Post") == "<missing>");
    } else {
        CHECK(header_of(msg, "List-Unsubscribe") == "<" + job.unsubscribe_url + ">");
        CHECK(header_of(msg, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click");
    }
    CHECK(header_of(msg, "Subject") == "November news");
}
