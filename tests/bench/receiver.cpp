// receiver.cpp - evhttp on a private event_base and thread; 200 for everything.
#include "receiver.hpp"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

namespace notify::bench {

std::string json_string_field(const std::string& json, const std::string& key) {
    std::string needle = "\"" + key + "\"";
    std::size_t at = json.find(needle);
    if (at == std::string::npos) return {};
    at += needle.size();
    while (at < json.size() && (json[at] == ' ' || json[at] == ':')) ++at;
    if (at >= json.size() || json[at] != '"') return {};
    std::size_t end = json.find('"', at + 1);
    if (end == std::string::npos) return {};
    return json.substr(at + 1, end - at - 1);
}

Expected<std::unique_ptr<Receiver>> Receiver::start(const std::string& host, int port) {
    std::unique_ptr<Receiver> r(new Receiver());
    r->base_ = event_base_new();
    r->http_ = evhttp_new(r->base_);
    if (!r->base_ || !r->http_)
        return make_error(ErrorKind::internal, "receiver", "cannot create the receiver");
    evhttp_set_gencb(r->http_, &Receiver::on_request, r.get());
    evhttp_set_max_body_size(r->http_, 1 << 20);
    if (evhttp_bind_socket(r->http_, host.c_str(), static_cast<uint16_t>(port)) != 0)
        return make_error(ErrorKind::unavailable, "receiver",
                          "cannot listen on '" + host + ":" + std::to_string(port) + "'");
    event_base* base = r->base_;
    r->thread_ = std::thread([base] { event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY); });
    return r;
}

Receiver::~Receiver() {
    if (base_) event_base_loopbreak(base_);
    if (thread_.joinable()) thread_.join();
    if (http_) evhttp_free(http_);
    if (base_) event_base_free(base_);
}

void Receiver::on_request(evhttp_request* req, void* arg) {
    auto* self = static_cast<Receiver*>(arg);
    Micros at = now_us();
    evbuffer* in = evhttp_request_get_input_buffer(req);
    std::string body(evbuffer_get_length(in), '\0');
    evbuffer_copyout(in, body.data(), body.size());
    evhttp_send_reply(req, 200, "OK", nullptr);
    self->answered_.fetch_add(1);
    self->record(body, at);
}

void Receiver::record(const std::string& body, Micros at) {
    std::string id = json_string_field(body, "notification_id");
    if (id.empty()) {
        unidentified_.fetch_add(1);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!first_.emplace(std::move(id), at).second) return;  // a repeated delivery
    }
    std::string priority = json_string_field(body, "priority");
    if (priority == "high") distinct_high_.fetch_add(1);
    if (priority == "low") distinct_low_.fetch_add(1);
    last_new_.store(at);
    distinct_.fetch_add(1);
}

std::optional<Micros> Receiver::first_arrival(const std::string& id) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = first_.find(id);
    if (it == first_.end()) return std::nullopt;
    return it->second;
}

}  // namespace notify::bench
