// fuzz_wire.cpp - the frames between the daemons (common/wire.cpp): read by the
// fast flat-object reader, or by the whole parser when it refuses. What the
// fast reader takes must be what nlohmann reads, member by member, and a job
// or result read back from what it was written as must be the same.
#include <cstdlib>

#include "flat_json_check.hpp"
#include "util/flat_json.hpp"
#include "wire.hpp"

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    if (auto flat = notify::util::read_flat_object(text))
        require(notify::testing::same_as_nlohmann(*flat, text));
    const notify::wire::Frame f = notify::wire::decode(text);
    if (f.job) {
        const notify::wire::Frame back = notify::wire::decode(notify::wire::encode(*f.job));
        require(back.job.has_value());
        require(back.job->delivery_id == f.job->delivery_id && back.job->body == f.job->body &&
                back.job->to == f.job->to && back.job->data_json == f.job->data_json &&
                back.job->created_at == f.job->created_at && back.job->attempt == f.job->attempt);
    }
    if (f.result) {
        const notify::wire::Frame back = notify::wire::decode(notify::wire::encode(*f.result));
        require(back.result.has_value());
        require(back.result->delivery_id == f.result->delivery_id &&
                back.result->message == f.result->message &&
                back.result->outcome == f.result->outcome &&
                back.result->retry_after == f.result->retry_after);
    }
    return 0;
}
