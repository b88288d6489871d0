// flat_json.cpp - see flat_json.hpp.
#include "util/flat_json.hpp"

#include <limits>

#include "util/json_parse.hpp"
#include "util/utf8.hpp"

namespace notify::util {

namespace {

class Reader {
  public:
    explicit Reader(std::string_view s) : s_(s) {}

    bool object(std::vector<std::pair<std::string, FlatValue>>& out) {
        space();
        if (!take('{')) return false;
        space();
        if (take('}')) return end();
        for (;;) {
            std::string name;
            space();
            if (!string(name)) return false;
            space();
            if (!take(':')) return false;
            FlatValue v;
            space();
            if (!value(v)) return false;
            out.emplace_back(std::move(name), std::move(v));
            space();
            if (take('}')) return end();
            if (!take(',')) return false;
        }
    }

  private:
    bool end() {
        space();
        return i_ == s_.size();
    }
    void space() {
        while (i_ < s_.size() &&
               (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
            ++i_;
    }
    bool take(char c) {
        if (i_ < s_.size() && s_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    bool word(std::string_view w) {
        if (s_.substr(i_, w.size()) != w) return false;
        i_ += w.size();
        return true;
    }

    bool value(FlatValue& v) {
        if (i_ >= s_.size()) return false;
        const char c = s_[i_];
        if (c == '"') {
            v.kind = FlatValue::Kind::text;
            return string(v.text);
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            v.kind = FlatValue::Kind::integer;
            return integer(v.integer);
        }
        if (c == '[') {
            v.kind = FlatValue::Kind::texts;
            return texts(v.texts);
        }
        if (word("true")) {
            v.kind = FlatValue::Kind::boolean;
            v.boolean = true;
            return true;
        }
        if (word("false")) {
            v.kind = FlatValue::Kind::boolean;
            return true;
        }
        v.kind = FlatValue::Kind::null;
        return word("null");
    }

    bool texts(std::vector<std::string>& out) {
        ++i_;  // '['
        space();
        if (take(']')) return true;
        for (;;) {
            space();
            std::string t;
            if (!string(t)) return false;
            out.push_back(std::move(t));
            space();
            if (take(']')) return true;
            if (!take(',')) return false;
        }
    }

    // JSON's integer form only: -?(0|[1-9][0-9]*), within 64 bits.
    bool integer(std::int64_t& out) {
        const bool negative = take('-');
        if (i_ >= s_.size() || s_[i_] < '0' || s_[i_] > '9') return false;
        if (s_[i_] == '0' && i_ + 1 < s_.size() && s_[i_ + 1] >= '0' && s_[i_ + 1] <= '9')
            return false;
        std::uint64_t n = 0;
        const std::uint64_t limit =
            negative ? std::uint64_t{1} << 63 : std::numeric_limits<std::int64_t>::max();
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
            const auto d = static_cast<std::uint64_t>(s_[i_] - '0');
            if (n > (limit - d) / 10) return false;
            n = n * 10 + d;
            ++i_;
        }
        // A fraction or an exponent is a double: json_parse's to read.
        if (i_ < s_.size() && (s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E')) return false;
        out = negative ? static_cast<std::int64_t>(0 - n) : static_cast<std::int64_t>(n);
        return true;
    }

    bool hex4(std::uint32_t& out) {
        if (i_ + 4 > s_.size()) return false;
        out = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = s_[i_++];
            out <<= 4;
            if (c >= '0' && c <= '9')
                out |= static_cast<std::uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f')
                out |= static_cast<std::uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                out |= static_cast<std::uint32_t>(c - 'A' + 10);
            else
                return false;
        }
        return true;
    }

    bool escape(std::string& out) {
        if (i_ >= s_.size()) return false;
        switch (s_[i_++]) {
            case '"':
                out += '"';
                return true;
            case '\\':
                out += '\\';
                return true;
            case '/':
                out += '/';
                return true;
            case 'b':
                out += '\b';
                return true;
            case 'f':
                out += '\f';
                return true;
            case 'n':
                out += '\n';
                return true;
            case 'r':
                out += '\r';
                return true;
            case 't':
                out += '\t';
                return true;
            case 'u':
                break;
            default:
                return false;
        }
        std::uint32_t cp;
        if (!hex4(cp)) return false;
        if (cp >= 0xdc00 && cp <= 0xdfff) return false;  // a low surrogate alone
        if (cp >= 0xd800 && cp <= 0xdbff) {
            std::uint32_t low;
            if (!word("\\u") || !hex4(low) || low < 0xdc00 || low > 0xdfff) return false;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        }
        append_utf8(out, cp);
        return true;
    }

    bool string(std::string& out) {
        if (!take('"')) return false;
        std::size_t run = i_;
        while (i_ < s_.size()) {
            const auto c = static_cast<unsigned char>(s_[i_]);
            if (c == '"') {
                out.append(s_.data() + run, i_ - run);
                ++i_;
                return true;
            }
            if (c == '\\') {
                out.append(s_.data() + run, i_ - run);
                ++i_;
                if (!escape(out)) return false;
                run = i_;
                continue;
            }
            if (c < 0x20) return false;
            if (c < 0x80) {
                ++i_;
                continue;
            }
            const std::size_t n = utf8_length(s_, i_);
            if (n == 0) return false;
            i_ += n;
        }
        return false;  // no closing quote
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

}  // namespace

const FlatValue* FlatObject::find(std::string_view name) const {
    for (auto it = members_.rbegin(); it != members_.rend(); ++it)
        if (it->first == name) return &it->second;
    return nullptr;
}

std::string FlatObject::text(std::string_view name) const {
    const FlatValue* v = find(name);
    return v && v->kind == FlatValue::Kind::text ? v->text : std::string();
}

std::int64_t FlatObject::integer(std::string_view name, std::int64_t otherwise) const {
    const FlatValue* v = find(name);
    return v && v->kind == FlatValue::Kind::integer ? v->integer : otherwise;
}

std::optional<FlatObject> read_flat_object(std::string_view text) {
    if (text.size() > kMaxJsonBytes) return std::nullopt;
    FlatObject o;
    if (!Reader(text).object(o.members_)) return std::nullopt;
    return o;
}

}  // namespace notify::util
