// fuzz_zmtp.cpp - what a peer sends notifyctl over ZeroMQ's wire protocol
// (common/util/zmtp.cpp), in pieces whose sizes the input chooses: the reader
// must never take a frame over its limit, and the frames it gives must be
// those it gives for the same bytes arriving at once.
#include <cstdlib>
#include <string>
#include <vector>

#include "util/zmtp.hpp"

namespace zmtp = notify::util::zmtp;

namespace {

constexpr uint64_t kLimit = 1024;

void require(bool ok) {
    if (!ok) std::abort();
}

// Every frame the bytes hold, fed `piece` bytes at a time (all at once for 0),
// and whether the reader refused them.
std::vector<zmtp::Frame> frames_of(std::string_view bytes, size_t piece, bool& refused) {
    zmtp::Reader reader(kLimit);
    std::vector<zmtp::Frame> out;
    bool greeted = false;
    refused = false;
    if (piece == 0) piece = bytes.size() + 1;
    for (size_t at = 0; at < bytes.size() && !refused; at += piece) {
        reader.append(bytes.substr(at, piece));
        if (!greeted) {
            auto verdict = reader.greeting();
            if (!verdict) refused = true;
            if (!verdict || !*verdict) continue;
            greeted = true;
        }
        for (;;) {
            auto frame = reader.next();
            if (!frame) {
                refused = true;
                break;
            }
            if (!*frame) break;
            require((*frame)->body.size() <= kLimit);
            if ((*frame)->command) {
                // Commands are read as notifyctl reads them.
                if (auto command = zmtp::read_command((*frame)->body))
                    (void)zmtp::ready_property(command->data, "Socket-Type");
                (void)zmtp::error_reason((*frame)->body);
            }
            out.push_back(std::move(**frame));
        }
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const size_t piece = data[0] % 17;  // 0: all at once
    const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    bool refused_whole = false, refused_pieces = false;
    const auto whole = frames_of(bytes, 0, refused_whole);
    const auto pieces = frames_of(bytes, piece, refused_pieces);
    require(refused_whole == refused_pieces);
    require(whole.size() == pieces.size());
    for (size_t i = 0; i < whole.size(); ++i)
        require(whole[i].body == pieces[i].body && whole[i].more == pieces[i].more &&
                whole[i].command == pieces[i].command);
    return 0;
}
