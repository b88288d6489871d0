// message_limits.cpp - splitting and marked truncation of texts over a vendor's limit.
#include "channels/message_limits.hpp"

#include <algorithm>

#include "util/strings.hpp"

namespace notify::channels {

namespace {

const std::string kEllipsis = "\xE2\x80\xA6";  // U+2026

bool continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The length of the UTF-8 sequence that `lead` starts, in `unit` (0 for a
// continuation byte). Invalid bytes count as one character each.
size_t char_length(char lead, LengthUnit unit) {
    if (continuation(lead)) return 0;
    auto byte = static_cast<unsigned char>(lead);
    if (unit == LengthUnit::utf16 && byte >= 0xF0 && byte <= 0xF4) return 2;  // a surrogate pair
    return 1;
}

// The longest prefix of `text` (in bytes) that is at most `max` in `unit`,
// ending on a character boundary.
size_t prefix_within(std::string_view text, size_t max, LengthUnit unit) {
    if (unit == LengthUnit::bytes) {
        if (text.size() <= max) return text.size();
        size_t end = max;
        while (end > 0 && continuation(text[end])) --end;
        return end;
    }
    size_t length = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        size_t n = char_length(text[i], unit);
        if (n == 0) continue;
        if (length + n > max) return i;
        length += n;
    }
    return text.size();
}

// Where to cut a part of at most `room` bytes: after the last newline, else
// the last space, in its second half; else at `room` itself.
size_t cut_point(std::string_view text, size_t room) {
    std::string_view head = text.substr(0, room);
    for (char sep : {'\n', ' '}) {
        size_t at = head.rfind(sep);
        if (at != std::string_view::npos && at + 1 > room / 2) return at + 1;
    }
    return room;
}

}  // namespace

Expected<Overflow> read_overflow(const Settings& settings, Overflow fallback) {
    const char* names[] = {"split", "truncate", "reject"};
    auto v = settings.text("overflow", false, names[static_cast<int>(fallback)]);
    if (!v) return v.error();
    for (int i = 0; i < 3; ++i)
        if (*v == names[i]) return static_cast<Overflow>(i);
    return settings.error(
        "overflow", "'overflow' must be \"split\", \"truncate\" or \"reject\", not '" + *v + "'");
}

size_t text_length(std::string_view text, LengthUnit unit) {
    if (unit == LengthUnit::bytes) return text.size();
    size_t n = 0;
    for (char c : text) n += char_length(c, unit);
    return n;
}

Expected<FittedText> fit_text(std::string_view text, const TextLimit& limit) {
    FittedText out;
    const size_t length = text_length(text, limit.unit);
    if (limit.max == 0 || length <= limit.max) {
        out.parts.emplace_back(text);
        return out;
    }
    const std::string unit = limit.unit == LengthUnit::bytes   ? " bytes"
                             : limit.unit == LengthUnit::utf16 ? " UTF-16 code units"
                                                               : " characters";
    const std::string sizes = std::to_string(length) + "/" + std::to_string(limit.max);
    if (limit.overflow == Overflow::reject)
        return make_error(ErrorKind::invalid, "too_long",
                          "the message is " + std::to_string(length) + unit +
                              ", over the provider's limit of " + std::to_string(limit.max) +
                              " (overflow = \"reject\")");
    if (limit.overflow == Overflow::truncate) {
        size_t room = limit.max - (limit.unit == LengthUnit::bytes ? kEllipsis.size() : 1);
        out.parts.push_back(std::string(text.substr(0, prefix_within(text, room, limit.unit))) +
                            kEllipsis);
        out.detail = "truncated=" + sizes;
        return out;
    }
    std::string_view rest = text;
    while (!rest.empty()) {
        size_t room = prefix_within(rest, limit.max, limit.unit);
        if (room == 0) {  // one character longer than the limit (a pair with max 1): alone
            room = 1;
            while (room < rest.size() && continuation(rest[room])) ++room;
        }
        size_t cut = room == rest.size() ? room : cut_point(rest, room);
        out.parts.emplace_back(rest.substr(0, cut));
        rest.remove_prefix(cut);
    }
    out.detail = "parts=" + std::to_string(out.parts.size());
    return out;
}

size_t json_escaped_size(std::string_view text) {
    size_t n = 0;
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t')
            n += 2;
        else if (c < 0x20)
            n += 6;  // \u00XX
        else
            n += 1;
    }
    return n;
}

Expected<FittedText> fit_json_text(std::string_view text, size_t max, Overflow overflow) {
    size_t limit = max;
    // Each round lowers the raw limit by what escaping added to the largest
    // part; a few rounds settle it for any text (escaping at most sextuples).
    for (int round = 0; round < 12; ++round) {
        auto fitted = fit_text(text, TextLimit{limit, LengthUnit::bytes, overflow});
        if (!fitted) return fitted.error();
        size_t worst = 0;
        for (const auto& part : fitted->parts) worst = std::max(worst, json_escaped_size(part));
        if (worst <= max) return fitted;
        if (overflow == Overflow::reject)
            return make_error(ErrorKind::invalid, "too_long",
                              "the message is " + std::to_string(worst) +
                                  " bytes as JSON, over the provider's limit of " +
                                  std::to_string(max) + " (overflow = \"reject\")");
        size_t over = worst - max;
        limit = limit > over + 16 ? limit - over : 16;
    }
    return make_error(ErrorKind::invalid, "too_long",
                      "the message cannot be cut to " + std::to_string(max) + " bytes as JSON");
}

std::string first_line(std::string_view text, size_t max) {
    return util::cut_utf8(util::trim(text.substr(0, text.find('\n'))), max);
}

}  // namespace notify::channels
