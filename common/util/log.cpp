#include "util/log.hpp"

#include <unistd.h>

#include <atomic>
#include <mutex>
#include <vector>

#include "util/redact.hpp"

namespace notify::log {

namespace {
std::string g_program = "notify";
std::atomic<int> g_level{static_cast<int>(Level::info)};
std::mutex g_mu;
std::vector<std::string> g_secrets;  // set before threads start, read-only after

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
    if (value.size() <= max) return std::string(value);
    size_t cut = max;
    // Back off continuation bytes so the cut never splits a UTF-8 character.
    while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
    std::string out(value.substr(0, cut));
    out += "...(" + std::to_string(value.size() - cut) + " bytes more)";
    return out;
}

void never_show(std::string value) {
    if (value.size() >= 4) g_secrets.push_back(std::move(value));
}

std::string hidden_secrets(std::string_view text) {
    std::string out = util::without_password(text);
    for (const auto& secret : g_secrets) {
        for (size_t at = out.find(secret); at != std::string::npos;
             at = out.find(secret, at + util::kMasked.size()))
            out.replace(at, secret.size(), util::kMasked);
    }
    return out;
}

bool enabled(Level level) {
    return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

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
    std::string shown = hidden_secrets(text);
    line += shown.size() > room ? clip(shown, room) : shown;
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
