// streamed_body.cpp - pieces from the maker's thread to the loop's, with a window.
#include "streamed_body.hpp"

#include <algorithm>

namespace notify::ingest {

bool StreamedBody::put(std::string piece) {
    bool handed = false;
    {
        std::unique_lock lock(mu_);
        const auto until = std::min(deadline_, std::chrono::steady_clock::now() + max_wait_);
        const bool room =
            room_.wait_until(lock, until, [this] { return canceled_ || unwritten_ < kWindow; });
        if (canceled_) return false;
        handed = room;
        if (room) {
            unwritten_ += piece.size();
            pieces_.push_back(std::move(piece));
        } else {
            canceled_ = finished_ = true;
            failure_ = until == deadline_ ? "the client took over 10 minutes to read it"
                                          : "the client read nothing for " +
                                                std::to_string(max_wait_.count()) + " ms";
        }
    }
    wake();
    return handed;
}

void StreamedBody::finish(std::string failure) {
    {
        std::lock_guard lock(mu_);
        finished_ = true;
        failure_ = std::move(failure);
    }
    wake();
}

void StreamedBody::wake() {
    post_([self = shared_from_this()] {
        if (self->ready_) self->ready_();
    });
}

StreamedBody::Taken StreamedBody::take() {
    Taken t;
    std::lock_guard lock(mu_);
    t.pieces.swap(pieces_);
    t.finished = finished_;
    t.failure = failure_;
    return t;
}

void StreamedBody::written(std::size_t bytes) {
    {
        std::lock_guard lock(mu_);
        unwritten_ -= std::min(bytes, unwritten_);
    }
    room_.notify_all();
}

void StreamedBody::cancel() {
    {
        std::lock_guard lock(mu_);
        canceled_ = true;
    }
    room_.notify_all();
}

}  // namespace notify::ingest
