// receiver.hpp - the benchmark's webhook endpoint: an evhttp server on its own
// thread that answers every request 200 and records, for each notification id
// found in a webhook body ("notification_id"), when it first arrived (now_us()).
//
// The webhook provider in the benchmark's notify.toml points here. Counts are
// readable from any thread while the receiver runs.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "clock.hpp"
#include "util/error.hpp"

struct event_base;
struct evhttp;
struct evhttp_request;

namespace notify::bench {

class Receiver {
  public:
    // Binds host:port and starts serving on a new thread.
    static Expected<std::unique_ptr<Receiver>> start(const std::string& host, int port);
    ~Receiver();
    Receiver(const Receiver&) = delete;
    Receiver& operator=(const Receiver&) = delete;

    long answered() const { return answered_.load(); }  // 2xx answers sent
    long unidentified() const { return unidentified_.load(); }
    long distinct() const { return distinct_.load(); }  // distinct notification ids
    long distinct_high() const { return distinct_high_.load(); }
    long distinct_low() const { return distinct_low_.load(); }
    Micros last_new_arrival() const { return last_new_.load(); }

    // When the first delivery of notification `id` arrived, if it has.
    std::optional<Micros> first_arrival(const std::string& id) const;

  private:
    Receiver() = default;
    static void on_request(evhttp_request* req, void* arg);
    void record(const std::string& body, Micros at);

    event_base* base_ = nullptr;
    evhttp* http_ = nullptr;
    std::thread thread_;
    std::atomic<long> answered_{0};
    std::atomic<long> unidentified_{0};
    std::atomic<long> distinct_{0};
    std::atomic<long> distinct_high_{0};
    std::atomic<long> distinct_low_{0};
    std::atomic<Micros> last_new_{0};
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Micros> first_;
};

// The string value of `"key": "..."` in flat JSON text, without a full parse
// (the webhook body is small and its ids need no unescaping); "" if absent.
std::string json_string_field(const std::string& json, const std::string& key);

}  // namespace notify::bench
