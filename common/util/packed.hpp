// packed.hpp - a compact binary form for figures kept in the store: unsigned
// integers as LEB128 varints (7 bits a byte, low first), signed ones zigzagged
// first, byte strings as their length and their bytes. PackedReader reads such
// bytes in place and stops, for good, at the first thing that does not read
// (cut short, a varint over 64 bits, a length past the end).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace notify::util {

inline void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7f) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}

inline void put_signed(std::string& out, std::int64_t v) {
    put_varint(out, (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

inline void put_bytes(std::string& out, std::string_view bytes) {
    put_varint(out, bytes.size());
    out.append(bytes);
}

class PackedReader {
  public:
    explicit PackedReader(std::string_view data)
        : p_(reinterpret_cast<const unsigned char*>(data.data())), end_(p_ + data.size()) {}

    bool ok() const { return ok_; }
    bool at_end() const { return p_ == end_; }
    // Where the reader stands, for a view of what was read since.
    const char* position() const { return reinterpret_cast<const char*>(p_); }

    std::uint64_t varint() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p_ == end_) return fail();
            const unsigned char b = *p_++;
            if (shift == 63 && b > 1) return fail();  // more than 64 bits
            v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
        return fail();
    }
    std::int64_t signed_varint() {
        const std::uint64_t u = varint();
        return static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
    }
    std::string_view bytes() {
        const std::uint64_t n = varint();
        if (!ok_ || n > static_cast<std::uint64_t>(end_ - p_)) return fail(), std::string_view();
        std::string_view v(reinterpret_cast<const char*>(p_), static_cast<std::size_t>(n));
        p_ += n;
        return v;
    }

    // Stops reading: what is there does not read.
    std::uint64_t fail() {
        ok_ = false;
        p_ = end_;
        return 0;
    }

  private:
    const unsigned char* p_;
    const unsigned char* end_;
    bool ok_ = true;
};

}  // namespace notify::util
