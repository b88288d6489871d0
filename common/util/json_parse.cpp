// json_parse.cpp - bounded JSON parsing (see json_parse.hpp): nlohmann's DOM
// builder behind a depth counter, and, for a refused text only, a second
// reading that follows the path to name the field at fault.
#include "util/json_parse.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

#include "util/log.hpp"
#include "util/strings.hpp"

namespace notify::util {

namespace {

// nlohmann's exception ids: parse_error.101 is a syntax error, out_of_range.406
// a number that overflows a double.
constexpr int kNumberOverflow = 406;

// How a parse stopped, when it did.
struct Stop {
    bool too_deep = false;
    int id = 0;           // nlohmann's exception id
    size_t byte = 0;      // where the parser stopped
    std::string message;  // nlohmann's, without its "[json.exception...]" tag
};

std::string untagged(const char* what) {
    std::string text = what;
    if (auto pos = text.find("] "); pos != std::string::npos) text = text.substr(pos + 2);
    return text;
}

// The DOM builder with a depth counter: returning false from a SAX event stops
// the parse where it is.
template <class Json>
class BoundedDom : public nlohmann::detail::json_sax_dom_parser<Json> {
    using Base = nlohmann::detail::json_sax_dom_parser<Json>;

  public:
    BoundedDom(Json& result, size_t max_depth) : Base(result, false), max_depth_(max_depth) {}

    bool start_object(std::size_t len) { return deeper() && Base::start_object(len); }
    bool start_array(std::size_t len) { return deeper() && Base::start_array(len); }
    bool end_object() {
        --depth_;
        return Base::end_object();
    }
    bool end_array() {
        --depth_;
        return Base::end_array();
    }
    bool parse_error(std::size_t byte, const std::string&, const nlohmann::detail::exception& e) {
        stop.id = e.id;
        stop.byte = byte;
        stop.message = untagged(e.what());
        return false;
    }

    Stop stop;

  private:
    bool deeper() {
        if (++depth_ <= max_depth_) return true;
        stop.too_deep = true;
        return false;
    }
    size_t max_depth_;
    size_t depth_ = 0;
};

// Follows a parse to the point where it stops and says which field it was in,
// as the API names fields ("body", "notifications[2].subject").
class FieldTracker : public nlohmann::json_sax<nlohmann::json> {
  public:
    explicit FieldTracker(size_t max_depth) : max_depth_(max_depth) {}

    std::string field;  // set where the parse stops

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t&) override { return value(); }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool start_object(std::size_t) override { return open(true); }
    bool key(string_t& k) override {
        stack_.back().key = k;
        stack_.back().want_key = false;
        return true;
    }
    bool end_object() override {
        stack_.pop_back();
        return value();
    }
    bool start_array(std::size_t) override { return open(false); }
    bool end_array() override {
        stack_.pop_back();
        return value();
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
        // A bad key belongs to the object around it, a bad value to its key.
        size_t depth = stack_.size();
        if (depth && stack_.back().is_object && stack_.back().want_key) --depth;
        field = path(depth);
        return false;
    }

  private:
    struct Frame {
        bool is_object;
        std::string key;
        size_t index;
        bool want_key;
    };
    bool open(bool is_object) {
        if (stack_.size() >= max_depth_) {
            // Too deep: name the outermost member that holds the nesting, not
            // a path of max_depth indices.
            size_t named = 0;
            for (size_t i = 0; i < stack_.size() && i < 8; ++i)
                if (stack_[i].is_object) named = i + 1;
            field = path(named);
            return false;
        }
        stack_.push_back({is_object, {}, 0, is_object});
        return true;
    }
    std::string path(size_t depth) const {
        std::string out;
        for (size_t i = 0; i < depth; ++i) {
            const Frame& f = stack_[i];
            if (f.is_object)
                out += (out.empty() ? "" : ".") + f.key;
            else
                out += "[" + std::to_string(f.index) + "]";
        }
        return log::clip(out);
    }
    bool value() {
        if (!stack_.empty()) {
            if (stack_.back().is_object)
                stack_.back().want_key = true;
            else
                ++stack_.back().index;
        }
        return true;
    }
    size_t max_depth_;
    std::vector<Frame> stack_;
};

std::string field_at_stop(std::string_view text, size_t max_depth) {
    FieldTracker tracker(max_depth);
    nlohmann::json::sax_parse(text, &tracker);
    return tracker.field;
}

std::string where(const std::string& field, const JsonLimits& limits) {
    return field.empty() ? std::string(limits.what) : "'" + field + "'";
}

Error refusal(std::string_view text, const Stop& stop, const JsonLimits& limits) {
    if (stop.too_deep) {
        std::string field = field_at_stop(text, limits.max_depth);
        return make_error(ErrorKind::invalid, "too_deep",
                          where(field, limits) + " nests arrays and objects deeper than " +
                              std::to_string(limits.max_depth) + " levels",
                          field);
    }
    if (stop.id == kNumberOverflow) {
        std::string field = field_at_stop(text, limits.max_depth);
        return make_error(ErrorKind::invalid, "number_out_of_range",
                          where(field, limits) +
                              " holds a number too large to represent (at byte " +
                              std::to_string(stop.byte) + ")",
                          field);
    }
    // The parser refuses strings that are not UTF-8 (it stops just past the
    // byte); say which field.
    if (size_t at = invalid_utf8_at(text); at != std::string_view::npos && stop.byte > at) {
        std::string field = field_at_stop(text, limits.max_depth);
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[at]));
        return make_error(ErrorKind::invalid, "invalid_utf8",
                          where(field, limits) + " is not valid UTF-8 (byte " + byte +
                              " at offset " + std::to_string(at) + " of " +
                              std::string(limits.what) + ")",
                          field);
    }
    // nlohmann quotes the last token read, which may be a string of any length.
    return make_error(ErrorKind::invalid, "malformed_json",
                      "malformed JSON at byte " + std::to_string(stop.byte) + ": " +
                          log::clip(stop.message, 512));
}

template <class Json>
Expected<Json> parse_bounded(std::string_view text, const JsonLimits& limits) {
    if (text.size() > limits.max_bytes)
        return make_error(ErrorKind::too_large, "too_large",
                          std::string(limits.what) + " of " + std::to_string(text.size()) +
                              " bytes is over the limit of " + std::to_string(limits.max_bytes));
    Json root;
    BoundedDom<Json> dom(root, limits.max_depth);
    if (!Json::sax_parse(text, &dom)) return refusal(text, dom.stop, limits);
    return root;
}

}  // namespace

Expected<nlohmann::json> parse_json(std::string_view text, const JsonLimits& limits) {
    return parse_bounded<nlohmann::json>(text, limits);
}

Expected<nlohmann::ordered_json> parse_ordered_json(std::string_view text,
                                                    const JsonLimits& limits) {
    return parse_bounded<nlohmann::ordered_json>(text, limits);
}

nlohmann::json json_or_discarded(std::string_view text) {
    auto j = parse_json(text);
    return j ? std::move(*j) : nlohmann::json(nlohmann::json::value_t::discarded);
}

nlohmann::ordered_json ordered_json_or_discarded(std::string_view text) {
    auto j = parse_ordered_json(text);
    return j ? std::move(*j) : nlohmann::ordered_json(nlohmann::ordered_json::value_t::discarded);
}

}  // namespace notify::util
