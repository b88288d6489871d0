#include "util/zmtp.hpp"

#include <strings.h>

namespace notify::util::zmtp {

namespace {

constexpr unsigned char kMore = 0x01;
constexpr unsigned char kLong = 0x02;
constexpr unsigned char kCommand = 0x04;
constexpr size_t kMechanismAt = 12;
constexpr size_t kMechanismSize = 20;
constexpr size_t kCompactAfter = 65536;

Error protocol_error(const std::string& why) {
    return make_error(ErrorKind::internal, "zmtp", why);
}

void put_size(std::string& out, uint64_t size, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((size >> (8 * i)) & 0xff));
}

uint64_t get_size(std::string_view in, int bytes) {
    uint64_t size = 0;
    for (int i = 0; i < bytes; ++i) size = (size << 8) | static_cast<unsigned char>(in[i]);
    return size;
}

void put_frame(std::string& out, unsigned char flags, std::string_view body) {
    if (body.size() > 255) {
        out.push_back(static_cast<char>(flags | kLong));
        put_size(out, body.size(), 8);
    } else {
        out.push_back(static_cast<char>(flags));
        out.push_back(static_cast<char>(body.size()));
    }
    out.append(body);
}

}  // namespace

std::string opening(std::string_view socket_type) {
    std::string out(kGreetingSize, '\0');
    out[0] = '\xff';  // signature: 0xff, 8 bytes of padding, 0x7f
    out[9] = '\x7f';
    out[10] = 3;  // version 3.0
    out[11] = 0;
    out.replace(kMechanismAt, 4, "NULL");  // as-server (byte 32) and the filler stay 0
    std::string property;
    const std::string_view name = "Socket-Type";
    property.push_back(static_cast<char>(name.size()));
    property.append(name);
    put_size(property, socket_type.size(), 4);
    property.append(socket_type);
    return out + command("READY", property);
}

std::string command(std::string_view name, std::string_view data) {
    std::string body;
    body.push_back(static_cast<char>(name.size()));
    body.append(name);
    body.append(data);
    std::string out;
    put_frame(out, kCommand, body);
    return out;
}

std::string message(const std::vector<std::string_view>& parts) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i)
        put_frame(out, i + 1 < parts.size() ? kMore : 0, parts[i]);
    return out;
}

Expected<Command> read_command(std::string_view body) {
    if (body.empty() || body.size() < 1u + static_cast<unsigned char>(body[0]))
        return protocol_error("a command without a whole name");
    const size_t name_size = static_cast<unsigned char>(body[0]);
    return Command{std::string(body.substr(1, name_size)), std::string(body.substr(1 + name_size))};
}

Expected<std::optional<std::string>> ready_property(std::string_view data, std::string_view name) {
    std::optional<std::string> found;
    while (!data.empty()) {
        const size_t name_size = static_cast<unsigned char>(data[0]);
        if (data.size() < 1 + name_size + 4)
            return protocol_error("a property that overruns READY");
        const std::string_view key = data.substr(1, name_size);
        const uint64_t value_size = get_size(data.substr(1 + name_size), 4);
        data.remove_prefix(1 + name_size + 4);
        if (value_size > data.size()) return protocol_error("a property that overruns READY");
        if (key.size() == name.size() && strncasecmp(key.data(), name.data(), key.size()) == 0)
            found = std::string(data.substr(0, value_size));
        data.remove_prefix(value_size);
    }
    return found;
}

std::string error_reason(std::string_view data) {
    if (data.empty()) return "";
    return std::string(data.substr(1, static_cast<unsigned char>(data[0])));
}

void Reader::append(std::string_view bytes) {
    if (at_ > 0 && at_ == buffer_.size()) {
        buffer_.clear();
        at_ = 0;
    }
    buffer_.append(bytes);
}

Expected<bool> Reader::greeting() {
    if (greeted_) return true;
    const std::string_view in = std::string_view(buffer_).substr(at_);
    // The signature tells a ZeroMQ peer apart at once; the rest needs all 64 bytes.
    if (!in.empty() && static_cast<unsigned char>(in[0]) != 0xff)
        return protocol_error("it is not a ZeroMQ peer (no ZMTP signature)");
    if (in.size() < kGreetingSize) return false;
    if ((static_cast<unsigned char>(in[9]) & 0x01) == 0)
        return protocol_error("it is not a ZeroMQ peer (no ZMTP signature)");
    if (static_cast<unsigned char>(in[10]) < 3)
        return protocol_error("it speaks ZMTP " +
                              std::to_string(static_cast<unsigned char>(in[10])) +
                              ", not 3 or later");
    const std::string_view mechanism = in.substr(kMechanismAt, kMechanismSize);
    if (mechanism != std::string_view("NULL\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", kMechanismSize))
        return protocol_error("it asks for a security mechanism other than NULL");
    at_ += kGreetingSize;
    greeted_ = true;
    return true;
}

Expected<std::optional<Frame>> Reader::next() {
    const std::string_view in = std::string_view(buffer_).substr(at_);
    if (in.empty()) return std::optional<Frame>();
    const auto flags = static_cast<unsigned char>(in[0]);
    if (flags & ~(kMore | kLong | kCommand))
        return protocol_error("a frame with reserved flags set");
    if ((flags & kCommand) && (flags & kMore)) return protocol_error("a command flagged 'more'");
    const size_t head = (flags & kLong) ? 9 : 2;
    if (in.size() < head) return std::optional<Frame>();
    const uint64_t size = get_size(in.substr(1), static_cast<int>(head - 1));
    if (size > max_frame_)
        return protocol_error("a frame of " + std::to_string(size) + " bytes, over the limit of " +
                              std::to_string(max_frame_));
    if (in.size() - head < size) return std::optional<Frame>();
    Frame frame;
    frame.command = (flags & kCommand) != 0;
    frame.more = (flags & kMore) != 0;
    frame.body.assign(in.substr(head, size));
    at_ += head + size;
    // What was read goes once it is most of the buffer, so that the buffer
    // holds at most one frame and what came after it.
    if (at_ >= kCompactAfter && at_ * 2 >= buffer_.size()) {
        buffer_.erase(0, at_);
        at_ = 0;
    }
    return std::optional<Frame>(std::move(frame));
}

}  // namespace notify::util::zmtp
