// worker_pool.hpp - the channel workers the router knows, with their credit.
//
// A worker asks for work by sending credit (the ZeroMQ guide's load-balancing
// pattern): the router hands it at most that many deliveries and each result
// gives one back, so a slow or dead worker is not handed more. A worker that
// says nothing for router.worker_timeout is dropped.
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "model.hpp"

namespace notify::router {

struct WorkerInfo {
    std::string identity;  // the ROUTER socket's routing id
    std::string name;
    int credit = 0;
    std::vector<std::string> channels;  // empty: any
    Millis last_seen = 0;
    bool draining = false;
    std::unordered_set<std::string> in_flight;  // delivery ids handed to it
};

class WorkerPool {
  public:
    WorkerInfo* find(const std::string& identity);
    WorkerInfo& add(const std::string& identity, const std::string& name,
                    std::vector<std::string> channels, Millis now);
    // Workers with credit, starting after the one served last (round robin).
    std::vector<WorkerInfo*> with_credit();
    void served(const WorkerInfo& w);
    // Removes the workers silent since before `deadline`; returns them.
    std::vector<WorkerInfo> drop_silent(Millis deadline);
    void remove(const std::string& identity);
    std::size_t size() const { return workers_.size(); }
    const std::unordered_map<std::string, WorkerInfo>& all() const { return workers_; }
    std::size_t in_flight() const;

  private:
    std::unordered_map<std::string, WorkerInfo> workers_;
    std::vector<std::string> order_;
    std::size_t next_ = 0;
};

}  // namespace notify::router
