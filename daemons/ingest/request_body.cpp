// request_body.cpp - a request's body read as JSON: refused whole when it is
// over ingest.max_body_bytes, and on a parse error an answer that says where
// (the byte, or the field whose string is not UTF-8). See request.hpp.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "request.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

// Follows the parser to know which field it is in when it stops: the path of
// the string being read, as the API names fields ("body",
// "notifications[2].subject").
class FieldTracker : public nlohmann::json_sax<json> {
  public:
    std::string field;  // set by parse_error

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t&) override { return value(); }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool start_object(std::size_t) override {
        stack_.push_back({true, {}, 0, true});
        return true;
    }
    bool key(string_t& k) override {
        stack_.back().key = k;
        stack_.back().want_key = false;
        return true;
    }
    bool end_object() override {
        stack_.pop_back();
        return value();
    }
    bool start_array(std::size_t) override {
        stack_.push_back({false, {}, 0, false});
        return true;
    }
    bool end_array() override {
        stack_.pop_back();
        return value();
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
        // A bad key belongs to the object around it, a bad value to its key.
        size_t depth = stack_.size();
        if (depth && stack_.back().is_object && stack_.back().want_key) --depth;
        for (size_t i = 0; i < depth; ++i) {
            const Frame& f = stack_[i];
            if (f.is_object)
                field += (field.empty() ? "" : ".") + f.key;
            else
                field += "[" + std::to_string(f.index) + "]";
        }
        return false;
    }

  private:
    struct Frame {
        bool is_object;
        std::string key;
        size_t index;
        bool want_key;
    };
    bool value() {
        if (!stack_.empty()) {
            if (stack_.back().is_object)
                stack_.back().want_key = true;
            else
                ++stack_.back().index;
        }
        return true;
    }
    std::vector<Frame> stack_;
};

Error not_utf8(const std::string& text, size_t at) {
    FieldTracker tracker;
    json::sax_parse(text, &tracker);
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[at]));
    std::string where = tracker.field.empty() ? "the request body" : "'" + tracker.field + "'";
    return make_error(ErrorKind::invalid, "invalid_utf8",
                      where + " is not valid UTF-8 (byte " + byte + " at offset " +
                          std::to_string(at) + " of the body)",
                      tracker.field);
}

}  // namespace

Expected<json> parse_body(const std::string& text) {
    try {
        return json::parse(text);
    } catch (const json::parse_error& e) {
        // The parser refuses strings that are not UTF-8 (it stops just past the
        // byte); say which field.
        if (size_t at = util::invalid_utf8_at(text); at != std::string_view::npos && e.byte > at)
            return not_utf8(text, at);
        // e.what() reads "[json.exception.parse_error.101] parse error at line 1,
        // column 5: syntax error while parsing ..."; keep the part after the tag.
        std::string what = e.what();
        auto pos = what.find("] ");
        if (pos != std::string::npos) what = what.substr(pos + 2);
        return make_error(ErrorKind::invalid, "malformed_json",
                          "malformed JSON at byte " + std::to_string(e.byte) + ": " + what);
    }
}

Status check_body_size(size_t bytes, long max_bytes) {
    if (static_cast<long>(bytes) > max_bytes)
        return make_error(ErrorKind::too_large, "too_large",
                          "request body of " + std::to_string(bytes) +
                              " bytes is over the limit of " + std::to_string(max_bytes) +
                              " (ingest.max_body_bytes)",
                          "body");
    return ok();
}

Expected<json> parse_sized_body(const std::string& text, long max_bytes) {
    if (auto st = check_body_size(text.size(), max_bytes); !st) return st.error();
    return parse_body(text);
}

}  // namespace notify::ingest
