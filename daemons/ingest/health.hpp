// health.hpp - what notify-ingest says of its own state, on GET /healthz and
// in its row of cluster_members (store/presence.hpp):
//   ready        it accepts, and what it hands work to is well;
//   degraded     it accepts, but something it relies on is not well: the
//                router at router.control does not answer or has no worker
//                (what is accepted waits in the store), or no replica of
//                store.replicas can be read (the leader serves every read);
//   unavailable  the store takes no writes: nothing is accepted (503).
// The router is asked (op "ping") every Presence::kBeat, on the loop, and the
// last answer is what /healthz says, so a probe never waits for the router;
// the replicas are as their watch's last checks left them.
#pragma once

#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "commit.hpp"
#include "config.hpp"
#include "store/replica_watch.hpp"

namespace notify::ingest {

class RouterControl;

class Health {
  public:
    Health(const Config& config, const Committer& committer, RouterControl& control)
        : config_(config), committer_(committer), control_(control) {}

    // Asks the router how it is; `done` (on the loop) once it answered or
    // failed. Not while the last ping has not ended (nothing is called then).
    void check_router(std::function<void()> done = {});
    // {"status": "ready"|"degraded"|"unavailable", "problems": [...]} (no
    // problems when ready); `replicas`, as their watch's last checks left
    // them (nothing is asked here).
    nlohmann::json report(const store::ReplicaWatch* replicas) const;

  private:
    const Config& config_;
    const Committer& committer_;
    RouterControl& control_;
    bool asking_ = false;         // a ping is under way
    bool asked_ = false;          // an answer (or its failure) was heard
    std::string router_trouble_;  // why the router is not well, as last heard
};

}  // namespace notify::ingest
