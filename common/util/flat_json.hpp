// flat_json.hpp - a fast reader for flat JSON objects: members whose values are
// strings, integers, true, false, null or arrays of strings, as the frames
// between the daemons are. Nothing is built but the members themselves.
//
// Text it does not take (a nested object, a fraction, an exponent, a number
// past 64 bits, anything malformed) gets nullopt: the caller reads it with
// json_parse instead, which takes all of JSON and says what is wrong. What it
// takes it reads as json_parse would: escapes decoded, surrogate pairs joined,
// and text that is not UTF-8 refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace notify::util {

struct FlatValue {
    enum class Kind { text, integer, boolean, null, texts };
    Kind kind = Kind::null;
    std::string text;
    std::int64_t integer = 0;
    bool boolean = false;
    std::vector<std::string> texts;
};

class FlatObject {
  public:
    // The member's value, the last one when a name repeats; nullptr when none.
    const FlatValue* find(std::string_view name) const;
    // The text of a string member, or "" (absent, or not a string).
    std::string text(std::string_view name) const;
    // An integer member, or `otherwise`.
    std::int64_t integer(std::string_view name, std::int64_t otherwise = 0) const;

  private:
    friend std::optional<FlatObject> read_flat_object(std::string_view);
    std::vector<std::pair<std::string, FlatValue>> members_;
};

// `text` read as a flat object, or nullopt (see above). Texts over
// kMaxJsonBytes (json_parse.hpp) are not taken.
std::optional<FlatObject> read_flat_object(std::string_view text);

}  // namespace notify::util
