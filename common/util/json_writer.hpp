// json_writer.hpp - JSON written straight into a string, for the messages that
// go out many times a second (the frames between the daemons): no document is
// built first. Text is escaped as RFC 8259 asks (the quote, the backslash and
// control characters; everything else as it is), and bytes that are not UTF-8
// become U+FFFD, so that what is written always parses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace notify::util {

// Appends `text` as a JSON string, quotes included.
void append_json_string(std::string& out, std::string_view text);

// One JSON object, member by member: JsonObject o(out); o.text("to", to); ...;
// o.close(). Names are written as given (they are the program's own).
class JsonObject {
  public:
    explicit JsonObject(std::string& out) : out_(out) { out_ += '{'; }
    JsonObject& text(std::string_view name, std::string_view value);
    // Only when `value` is not empty.
    JsonObject& text_if(std::string_view name, std::string_view value) {
        return value.empty() ? *this : text(name, value);
    }
    JsonObject& number(std::string_view name, std::int64_t value);
    JsonObject& boolean(std::string_view name, bool value);
    JsonObject& texts(std::string_view name, const std::vector<std::string>& values);
    // `json` as it is: it must be JSON text already.
    JsonObject& json(std::string_view name, std::string_view json);
    void close() { out_ += '}'; }

  private:
    void name(std::string_view n);
    std::string& out_;
    bool first_ = true;
};

}  // namespace notify::util
