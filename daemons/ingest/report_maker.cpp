// report_maker.cpp - threads that make reports and hand their answers to the
// loop, whole or a piece at a time.
#include "report_maker.hpp"

#include <ostream>
#include <streambuf>

#include "report/report_output.hpp"
#include "store/db.hpp"
#include "util/log.hpp"

namespace notify::ingest {

namespace {

// The client went while its answer was being sent.
struct Gone {};

// What a report writes, held until there is `first` of it, then handed on
// (`hand`) whenever `piece` has gathered.
class Pieces : public std::streambuf {
  public:
    Pieces(std::size_t first, std::size_t piece, std::function<void(std::string&)> hand)
        : limit_(first), piece_(piece), hand_(std::move(hand)) {}
    std::string& held() { return held_; }

  protected:
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        held_.append(s, static_cast<std::size_t>(n));
        if (held_.size() >= limit_) {
            hand_(held_);
            held_.clear();
            limit_ = piece_;
        }
        return n;
    }
    int_type overflow(int_type c) override {
        if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
        const char ch = traits_type::to_char_type(c);
        xsputn(&ch, 1);
        return c;
    }

  private:
    std::size_t limit_;
    std::size_t piece_;
    std::function<void(std::string&)> hand_;
    std::string held_;
};

}  // namespace

Response report_head(bool csv, std::optional<std::int64_t> rows_total) {
    Response r;
    if (!csv) return r;
    r.content_type = "text/csv; charset=utf-8";
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"report.csv\"");
    if (rows_total) r.headers.emplace_back("X-Total-Count", std::to_string(*rows_total));
    return r;
}

ReportMaker::ReportMaker(std::vector<std::unique_ptr<store::Store>> stores, PostToLoop post,
                         std::chrono::milliseconds max_wait, store::ReplicaWatch* watch)
    : post_(std::move(post)),
      max_wait_(max_wait),
      stores_(std::move(stores)),
      sending_(stores_.size()) {
    for (auto& s : stores_) read_stores_.push_back(std::make_unique<store::ReadStores>(*s, watch));
    for (std::size_t i = 0; i < stores_.size(); ++i) threads_.emplace_back([this, i] { run(i); });
}

ReportMaker::~ReportMaker() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
        for (auto& body : sending_)
            if (body) body->cancel();
    }
    work_.notify_all();
    for (auto& t : threads_) t.join();
}

void ReportMaker::stop() {
    std::deque<Job> waiting;
    {
        std::lock_guard lock(mu_);
        waiting.swap(jobs_);
    }
    for (auto& job : waiting)
        post_([done = std::move(job.done)] {
            done(make_error(ErrorKind::unavailable, "shutting_down",
                            "notify-ingest is shutting down; try again shortly"));
        });
}

bool ReportMaker::submit(Job job) {
    {
        std::lock_guard lock(mu_);
        if (jobs_.size() >= kMaxWaiting) return false;
        jobs_.push_back(std::move(job));
    }
    work_.notify_one();
    return true;
}

void ReportMaker::run(std::size_t index) {
    Rollups rollups;
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mu_);
            work_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        answer(rollups, index, job);
        std::lock_guard lock(mu_);
        sending_[index].reset();
    }
}

void ReportMaker::answer(Rollups& rollups, std::size_t index, Job& job) {
    std::shared_ptr<StreamedBody> body;
    // The first kWhole bytes made: the answer starts, and goes on a piece at a time.
    auto hand = [&](std::string& held) {
        if (!body) {
            body = std::make_shared<StreamedBody>(post_, max_wait_);
            {
                std::lock_guard lock(mu_);
                if (stopping_) throw Gone{};
                sending_[index] = body;
            }
            Response head = report_head(job.csv, std::nullopt);
            head.streamed = body;
            post_([done = job.done, head = std::move(head)]() mutable { done(std::move(head)); });
        }
        if (!body->put(std::move(held))) throw Gone{};
    };
    Pieces pieces(job.streamable ? kWhole : SIZE_MAX, kPiece, hand);
    std::ostream out(&pieces);
    out.exceptions(std::ios::badbit);
    Expected<report::Report> made = make_error(ErrorKind::internal, "internal", "not made");
    store::ReadStores& reads = *read_stores_[index];
    store::Store* from = &reads.pick();
    for (;;) {
        bool store_failed = false;
        try {
            auto& kept = rollups[from];  // made by the first job: it may fail
            if (!kept) kept = std::make_unique<store::RollupStore>(*from);
            made = report::make_written(*kept, job.request, job.csv, out);
            store_failed = !made && store::ReadStores::store_failed(made.error());
            out.flush();
        } catch (const Gone&) {
            return;  // canceled: nobody reads the rest
        } catch (const store::StoreFailure& f) {
            made = store::to_error(f);
            store_failed = true;
        } catch (const std::exception& e) {
            made = make_error(ErrorKind::internal, "internal", e.what());
        } catch (...) {
            made = make_error(ErrorKind::internal, "internal", "unknown exception");
        }
        if (!store_failed || from == &reads.leader()) break;
        reads.failed(*from, made.error());
        // Made again by the leader, unless some of the answer went out already.
        if (body) break;
        from = &reads.leader();
        pieces.held().clear();
        out.clear();
    }
    if (body) {
        if (made && !pieces.held().empty() && !body->put(std::move(pieces.held()))) return;
        body->finish(made ? std::string() : made.error().message);
        return;
    }
    if (!made) {
        post_([done = std::move(job.done), e = made.error()] { done(e); });
        return;
    }
    Response whole = report_head(job.csv, made->rows_total);
    whole.body = std::move(pieces.held());
    post_([done = std::move(job.done), whole = std::move(whole)]() mutable {
        done(std::move(whole));
    });
}

}  // namespace notify::ingest
