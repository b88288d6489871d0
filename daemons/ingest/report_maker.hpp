// report_maker.hpp - reports made away from the event loop (GET /v1/reports
// and the dashboard's reports page): a thread per store connection takes the
// requests in order, so a long report (a month by minute and channel at ten
// million deliveries is a quarter of a million rows, 91 MB of JSON) holds no
// other request up. An answer of up to kWhole bytes is sent whole, with its
// status and headers known; a longer one, when the transport can take it so
// (HTTP), is sent as it is made (StreamedBody): 200 once its first kWhole
// bytes are made, then a piece at a time, so memory holds a window of it and
// not all of it. A failure after that cuts the answer short.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "api.hpp"
#include "report/report.hpp"
#include "store/read_stores.hpp"
#include "store/rollup_store.hpp"
#include "store/store.hpp"
#include "streamed_body.hpp"

namespace notify::ingest {

// A report's answer without its body: its type and, for CSV, the file name
// and, when known, the count of every row (X-Total-Count).
Response report_head(bool csv, std::optional<std::int64_t> rows_total);

class ReportMaker {
  public:
    struct Job {
        report::Request request;
        bool csv = false;
        bool streamable = false;  // the answer may be sent as it is made
        // On the loop thread: the answer, or why make() failed (before any
        // of it was sent).
        std::function<void(Expected<Response>)> done;
    };
    static constexpr std::size_t kMaxWaiting = 16;
    static constexpr std::size_t kWhole = 1u << 20;
    static constexpr std::size_t kPiece = 256u << 10;

    // A thread for each of `stores`, which it alone uses from now on, with
    // connections of its own to the replicas `watch` finds fit, read instead
    // (store/read_stores.hpp). An answer sent as it is made is cut off when
    // its client takes nothing for `max_wait` (StreamedBody).
    ReportMaker(std::vector<std::unique_ptr<store::Store>> stores, PostToLoop post,
                std::chrono::milliseconds max_wait, store::ReplicaWatch* watch = nullptr);
    // Makes what waits, cancels answers still being sent, and joins.
    ~ReportMaker();
    ReportMaker(const ReportMaker&) = delete;
    ReportMaker& operator=(const ReportMaker&) = delete;

    // False when kMaxWaiting requests wait already.
    bool submit(Job job);
    // The daemon stops: requests still waiting are answered 503
    // shutting_down; those being made are finished.
    void stop();

  private:
    // The rollups over each store a thread has read, made on first use.
    using Rollups = std::map<store::Store*, std::unique_ptr<store::RollupStore>>;
    void run(std::size_t index);
    void answer(Rollups& rollups, std::size_t index, Job& job);

    PostToLoop post_;
    std::chrono::milliseconds max_wait_;
    std::vector<std::unique_ptr<store::Store>> stores_;
    std::vector<std::unique_ptr<store::ReadStores>> read_stores_;  // over stores_, per thread
    std::mutex mu_;
    std::condition_variable work_;
    std::deque<Job> jobs_;
    std::vector<std::shared_ptr<StreamedBody>> sending_;  // per thread, the body it puts
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace notify::ingest
