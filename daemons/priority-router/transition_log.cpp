#include "transition_log.hpp"

#include "util/log.hpp"

namespace notify::router {

bool TransitionLog::flush() {
    if (pending_.empty()) return true;
    auto st = store_.apply(pending_);
    if (!st) {
        NLOG(warning, "",
             "store commit failed, will retry: pending=" << pending_.size() << " "
                                                         << st.error().message);
        return false;
    }
    pending_.clear();
    return true;
}

}  // namespace notify::router
