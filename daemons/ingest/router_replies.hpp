// router_replies.hpp - one answer out of the replies of the routers to a
// request on router.control (control.cpp asks every router that delivers).
// A router serving some partitions of the deliveries says which in its reply
// ("partitions": "0-1", "of": 4); one serving every partition says nothing.
// Replies are gathered until together they answer for every partition, then
// merged:
//   cancel, resend, receipt, track: the counts added up ("waiting" is the
//     largest: a receipt of a message no router knows yet waits in each);
//     "fanout" from whichever router stopped it;
//   approve, reject, schedule: the reply of the router it belongs to (the
//     others say "not_served");
//   ping: "active" and "expanding" added up, "workers" the largest (a worker
//     works for every router);
//   providers: each provider as the router that finds it worst (open, then
//     half-open, then closed) has it;
//   metrics: a router serving every partition sends its exposition as it
//     is; one serving some sends {"metrics": TEXT, "router": ITS ID}, and
//     the expositions are merged, each sample labelled router="ID"
//     (util/prometheus.hpp merge_expositions);
//   anything else: the first reply.
// An error from any router is the answer. A router answering for every
// partition answers alone (two may be bound while one that lost its lease
// has not noticed yet): the first such reply that is not an error. What the routers add for the
// merge ("partitions", "of", "not_served") is not in it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "partitions.hpp"

namespace notify::ingest {

class RouterReplies {
  public:
    explicit RouterReplies(std::string op) : op_(std::move(op)) {}
    // Takes one router's reply.
    void add(const std::string& reply);
    // Whether the replies taken answer for every partition.
    bool complete() const { return whole_ || (answered_ && answered_->holds_all()); }
    bool empty() const { return replies_.empty(); }
    // Whether a reply taken is an error.
    bool has_error() const { return errors_ > 0; }
    // The answer (once complete()).
    std::string merged() const;
    // What the replies taken answered for: "partitions 0-1 of 4".
    std::string answered() const;

  private:
    std::string op_;
    std::vector<std::string> replies_;
    std::vector<bool> whole_replies_;  // of replies_: answering for every partition
    int errors_ = 0;
    bool whole_ = false;  // a reply answered for every partition (or is not JSON)
    std::optional<PartitionSet> answered_;
};

}  // namespace notify::ingest
