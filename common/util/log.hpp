// log.hpp - daemon logging to stderr, one line per event:
//   "<program>: <level>: <notification-id>: key=value ..."
// journald adds the time. The level is checked before anything is formatted:
//   NLOG(info, nid, "delivered provider=" << name);
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace notify::log {

enum class Level { debug = 0, info = 1, warning = 2, error = 3 };

void set_program(std::string name);
void set_level(Level level);
bool parse_level(std::string_view text, Level& out);
bool enabled(Level level);
// Writes one line; `id` may be empty for lines not about a notification.
// A line longer than kMaxLine bytes is cut there and ends "...(N bytes more)",
// so no input, however large, is logged whole.
void write(Level level, std::string_view id, const std::string& text);
inline constexpr size_t kMaxLine = 4096;
// A value from outside (a URL, a header, a field) for a log line: at most `max`
// bytes, cut on a UTF-8 boundary and marked "...(N bytes more)" when cut.
std::string clip(std::string_view value, size_t max = 256);
// Values no line may show, such as the providers' secrets as resolved: write()
// prints each occurrence as "********", and any URL without its password.
// Called at start, before any thread logs; values shorter than 4 bytes are ignored.
void never_show(std::string value);
// `text` as write() prints it: without those values and URL passwords.
std::string hidden_secrets(std::string_view text);

}  // namespace notify::log

#define NLOG(level, id, stream_expr)                                                 \
    do {                                                                             \
        if (::notify::log::enabled(::notify::log::Level::level)) {                   \
            std::ostringstream nlog_os_;                                             \
            nlog_os_ << stream_expr;                                                 \
            ::notify::log::write(::notify::log::Level::level, (id), nlog_os_.str()); \
        }                                                                            \
    } while (0)
