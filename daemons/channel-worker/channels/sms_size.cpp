// sms_size.cpp - SMS length, encoding and segment count of a UTF-8 text.
#include "channels/sms_size.hpp"

#include <algorithm>
#include <array>
#include <memory>

namespace notify::channels {

namespace {

constexpr char32_t kInvalid = 0xFFFD;

// The GSM 03.38 default alphabet (basic table), as Unicode code points, in
// table order; position 0x1B is the escape to the extension table, not a
// character of its own.
constexpr std::array<char32_t, 127> kBasic = {
    U'@',      U'\u00A3', U'$',      U'\u00A5', U'\u00E8', U'\u00E9', U'\u00F9', U'\u00EC',
    U'\u00F2', U'\u00C7', U'\n',     U'\u00D8', U'\u00F8', U'\r',     U'\u00C5', U'\u00E5',
    U'\u0394', U'_',      U'\u03A6', U'\u0393', U'\u039B', U'\u03A9', U'\u03A0', U'\u03A8',
    U'\u03A3', U'\u0398', U'\u039E', U'\u00C6', U'\u00E6', U'\u00DF', U'\u00C9', U' ',
    U'!',      U'"',      U'#',      U'\u00A4', U'%',      U'&',      U'\'',     U'(',
    U')',      U'*',      U'+',      U',',      U'-',      U'.',      U'/',      U'0',
    U'1',      U'2',      U'3',      U'4',      U'5',      U'6',      U'7',      U'8',
    U'9',      U':',      U';',      U'<',      U'=',      U'>',      U'?',      U'\u00A1',
    U'A',      U'B',      U'C',      U'D',      U'E',      U'F',      U'G',      U'H',
    U'I',      U'J',      U'K',      U'L',      U'M',      U'N',      U'O',      U'P',
    U'Q',      U'R',      U'S',      U'T',      U'U',      U'V',      U'W',      U'X',
    U'Y',      U'Z',      U'\u00C4', U'\u00D6', U'\u00D1', U'\u00DC', U'\u00A7', U'\u00BF',
    U'a',      U'b',      U'c',      U'd',      U'e',      U'f',      U'g',      U'h',
    U'i',      U'j',      U'k',      U'l',      U'm',      U'n',      U'o',      U'p',
    U'q',      U'r',      U's',      U't',      U'u',      U'v',      U'w',      U'x',
    U'y',      U'z',      U'\u00E4', U'\u00F6', U'\u00F1', U'\u00FC', U'\u00E0'};

// The extension table: each is sent as the escape and a second septet.
constexpr std::array<char32_t, 10> kExtension = {U'\f', U'^', U'{', U'}', U'\\',
                                                 U'[',  U'~', U']', U'|', U'\u20AC'};

// Septets a character takes in GSM-7, or 0 when GSM-7 cannot hold it.
int gsm_septets(char32_t c) {
    if (std::find(kBasic.begin(), kBasic.end(), c) != kBasic.end()) return 1;
    if (std::find(kExtension.begin(), kExtension.end(), c) != kExtension.end()) return 2;
    return 0;
}

// The code point at text[i], advancing i; invalid sequences yield kInvalid
// and skip one byte.
char32_t next_code_point(std::string_view text, size_t& i) {
    auto byte = [&](size_t at) { return static_cast<unsigned char>(text[at]); };
    unsigned char lead = byte(i);
    if (lead < 0x80) {
        ++i;
        return lead;
    }
    size_t extra = 0;
    char32_t cp = 0;
    char32_t least = 0;
    if ((lead & 0xE0) == 0xC0) {
        extra = 1, cp = lead & 0x1F, least = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        extra = 2, cp = lead & 0x0F, least = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        extra = 3, cp = lead & 0x07, least = 0x10000;
    } else {
        ++i;
        return kInvalid;
    }
    if (i + extra >= text.size()) {
        ++i;
        return kInvalid;
    }
    for (size_t k = 1; k <= extra; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) {
            ++i;
            return kInvalid;
        }
        cp = (cp << 6) | (byte(i + k) & 0x3F);
    }
    if (cp < least || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++i;
        return kInvalid;
    }
    i += extra + 1;
    return cp;
}

size_t segments_for(size_t length, size_t single, size_t part) {
    if (length == 0) return 0;
    if (length <= single) return 1;
    return (length + part - 1) / part;
}

// Continues `inner`'s attempt and puts the detail on the Attempt it ends with.
class DetailTransfer : public Transfer {
  public:
    DetailTransfer(std::unique_ptr<Transfer> inner, std::string detail)
        : inner_(std::move(inner)), detail_(std::move(detail)) {}
    CURL* handle() const override { return inner_->handle(); }
    Millis timeout() const override { return inner_->timeout(); }
    Started finish(CURLcode result) override {
        return with_detail(inner_->finish(result), std::move(detail_));
    }

  private:
    std::unique_ptr<Transfer> inner_;
    std::string detail_;
};

}  // namespace

SmsSize sms_size(std::string_view utf8) {
    size_t septets = 0;
    size_t units = 0;
    bool gsm = true;
    for (size_t i = 0; i < utf8.size();) {
        char32_t c = next_code_point(utf8, i);
        units += c > 0xFFFF ? 2 : 1;
        if (gsm) {
            int n = gsm_septets(c);
            if (n == 0) gsm = false;
            septets += static_cast<size_t>(n);
        }
    }
    SmsSize out;
    if (gsm) {
        out.encoding = SmsEncoding::gsm7;
        out.characters = septets;
        out.segments = segments_for(septets, 160, 153);
    } else {
        out.encoding = SmsEncoding::ucs2;
        out.characters = units;
        out.segments = segments_for(units, 70, 67);
    }
    return out;
}

std::string describe(const SmsSize& size) {
    return "length=" + std::to_string(size.characters) +
           " segments=" + std::to_string(size.segments) +
           " encoding=" + (size.encoding == SmsEncoding::gsm7 ? "GSM-7" : "UCS-2");
}

Started with_detail(Started started, std::string detail) {
    if (auto* done = std::get_if<Attempt>(&started)) {
        if (done->detail.empty())
            done->detail = std::move(detail);
        else
            done->detail = detail + " " + done->detail;
        return started;
    }
    if (auto* transfer = std::get_if<std::unique_ptr<Transfer>>(&started))
        return std::unique_ptr<Transfer>(
            std::make_unique<DetailTransfer>(std::move(*transfer), std::move(detail)));
    return started;
}

}  // namespace notify::channels
