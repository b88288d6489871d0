// presence.hpp - a process announcing itself to the cluster: on a thread of
// its own and a store connection of its own, it writes its row of
// cluster_members (store/cluster_members.hpp) every kBeat with what the
// process last said of itself (describe), and marks it stopped when the
// process stops cleanly. A process killed or cut off simply stops being seen,
// and so does one whose loop has said nothing for kMute (hung): the thread
// does not speak for it. Rows not written for kForgetMember are removed at
// the first beat and every kForgetEvery. A store that refuses is logged once,
// and again when it takes the beats back.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/cluster_members.hpp"
#include "store/store.hpp"

namespace notify::store {

// The name this host goes by (gethostname), "localhost" when it has none.
std::string host_name();

class Presence {
  public:
    static constexpr util::Millis kBeat = 2000;
    static constexpr util::Millis kMute = 3 * kBeat;
    static constexpr util::Millis kForgetEvery = 3600 * 1000;

    // `role` and `runtime_dir` name the member (member_id, on this host).
    Presence(std::unique_ptr<Store> store, const std::string& role, const std::string& runtime_dir);
    ~Presence();  // ends the thread; the row is left as it was (not stopped)
    Presence(const Presence&) = delete;
    Presence& operator=(const Presence&) = delete;

    // What the process says of itself now (a JSON object), written at the next
    // beat; the first beat waits for the first description. Any thread.
    void describe(std::string detail);
    void start();
    // Ends the thread and writes the member stopped, with its last
    // description: for a clean stop only (a process that fails is not stopped).
    void stop();

    const std::string& id() const { return member_.id; }

  private:
    void run();
    // Ends the thread; whether it had written the row.
    bool end_thread();
    // One write of the row; false when the store refused it (logged once).
    bool write(bool first);

    std::unique_ptr<Store> store_;
    ClusterMember member_;  // detail: the description written last (thread only)
    std::mutex mu_;
    std::condition_variable wake_;
    std::string described_;          // under mu_
    util::Millis described_at_ = 0;  // under mu_ (util::steady_ms)
    bool stopping_ = false;          // under mu_
    bool failing_ = false;           // thread only
    util::Millis next_forget_ = 0;   // thread only
    bool announced_ = false;         // written once at least (thread, then stop())
    std::thread thread_;
};

}  // namespace notify::store
