#include "util/log.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

#include "util/redact.hpp"
#include "util/strings.hpp"

namespace notify::log {

namespace {
std::string g_program = "notify";
std::atomic<int> g_level{static_cast<int>(Level::info)};
std::mutex g_mu;
std::vector<std::string> g_secrets;  // set before threads start, read-only after
size_t g_longest_secret = 0;

// `text` with every `secret` in it shown as kMasked, in one pass.
std::string without(std::string_view text, std::string_view secret) {
    std::string out;
    out.reserve(text.size());
    size_t from = 0;
    for (size_t at = text.find(secret); at != std::string_view::npos;
         at = text.find(secret, from)) {
        out.append(text.substr(from, at - from));
        out.append(util::kMasked);
        from = at + secret.size();
    }
    out.append(text.substr(from));
    return out;
}

// clip(), counting `beyond` more bytes left out after `value`.
std::string clip_before(std::string_view value, size_t max, size_t beyond) {
    if (value.size() <= max && beyond == 0) return std::string(value);
    std::string out = util::cut_utf8(value, max);
    out += "...(" + std::to_string(value.size() - out.size() + beyond) + " bytes more)";
    return out;
}

const char* level_name(Level l) {
    switch (l) {
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::warning:
            return "warning";
        case Level::error:
            return "error";
    }
    return "info";
}
}  // namespace

void set_program(std::string name) {
    g_program = std::move(name);
}
void set_level(Level level) {
    g_level = static_cast<int>(level);
}

bool parse_level(std::string_view text, Level& out) {
    for (Level l : {Level::debug, Level::info, Level::warning, Level::error}) {
        if (text == level_name(l)) {
            out = l;
            return true;
        }
    }
    return false;
}

std::string clip(std::string_view value, size_t max) {
    return clip_before(value, max, 0);
}

void never_show(std::string value) {
    if (value.size() < 4) return;
    g_longest_secret = std::max(g_longest_secret, value.size());
    g_secrets.push_back(std::move(value));
}

std::string hidden_secrets(std::string_view text) {
    std::string out = util::without_password(text);
    for (const auto& secret : g_secrets) out = without(out, secret);
    return out;
}

bool enabled(Level level) {
    return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

namespace {

// Appends `text` as a line shows it: without secrets, at most `room` bytes.
// Only what can be shown is hidden: the first `room` bytes, plus the longest
// secret (one may start before the cut), plus the rest of a URL's authority
// the cut falls in (its password would show up to the cut).
void append_shown(std::string& line, std::string_view text, size_t room) {
    if (g_secrets.empty() && text.find("://") == std::string_view::npos) {
        if (text.size() > room)
            line += clip(text, room);
        else
            line += text;
        return;
    }
    size_t look = room + g_longest_secret;
    if (look < text.size()) {
        size_t end = text.find_first_of("/?# \t\r\n'\"", look);
        look = end == std::string_view::npos ? text.size() : end;
    }
    std::string_view head = text.substr(0, look);
    std::string shown = hidden_secrets(head);
    size_t beyond = text.size() - head.size();
    line += shown.size() > room || beyond > 0 ? clip_before(shown, room, beyond) : shown;
}

}  // namespace

void write(Level level, std::string_view id, const std::string& text) {
    std::string line;
    line.reserve(g_program.size() + id.size() + text.size() + 16);
    line += g_program;
    line += ": ";
    line += level_name(level);
    line += ": ";
    if (!id.empty()) {
        line += id;
        line += ": ";
    }
    size_t room = kMaxLine > line.size() ? kMaxLine - line.size() : 0;
    append_shown(line, text, room);
    line += '\n';
    std::lock_guard lock(g_mu);
    // One write(2) per line keeps lines whole when several processes share stderr.
    size_t off = 0;
    while (off < line.size()) {
        ssize_t n = ::write(2, line.data() + off, line.size() - off);
        if (n <= 0) break;
        off += static_cast<size_t>(n);
    }
}

}  // namespace notify::log
