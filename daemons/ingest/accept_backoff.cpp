// accept_backoff.cpp - pause the HTTP listener while accept() cannot succeed.
#include "accept_backoff.hpp"

#include <event2/listener.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "util/log.hpp"
#include "util/timeval.hpp"

namespace notify::ingest {

namespace {

// evhttp owns the listener's callback argument, so the error callback finds
// its AcceptBackoff here.
std::map<evconnlistener*, AcceptBackoff*>& watchers() {
    static std::map<evconnlistener*, AcceptBackoff*> m;
    return m;
}

}  // namespace

AcceptBackoff::AcceptBackoff(event_base* base, Metrics& metrics, util::Millis pause)
    : metrics_(metrics), pause_(pause) {
    resume_ = evtimer_new(base, &AcceptBackoff::on_resume, this);
}

AcceptBackoff::~AcceptBackoff() {
    watch(nullptr);
    if (resume_) event_free(resume_);
}

void AcceptBackoff::watch(evconnlistener* listener) {
    if (listener_) {
        watchers().erase(listener_);
        evconnlistener_set_error_cb(listener_, nullptr);
        evtimer_del(resume_);
    }
    listener_ = listener;
    if (!listener_) return;
    watchers()[listener_] = this;
    evconnlistener_set_error_cb(listener_, &AcceptBackoff::on_error);
}

void AcceptBackoff::on_error(evconnlistener* listener, void*) {
    int error = errno;
    auto it = watchers().find(listener);
    if (it != watchers().end()) it->second->failed(error);
}

void AcceptBackoff::failed(int error) {
    metrics_.accept_failed(error == EMFILE ? "emfile" : error == ENFILE ? "enfile" : "other");
    // libevent already retries the errors that pass (EAGAIN, ECONNABORTED);
    // any other comes straight back when retried at once.
    if (long n = log_.due(util::steady_ms()))
        NLOG(warning, "",
             "accept failed transport=http error=\"" << std::strerror(error) << "\" count=" << n
                                                     << " pause_ms=" << pause_);
    evconnlistener_disable(listener_);
    const timeval tv = util::to_timeval(pause_);
    evtimer_add(resume_, &tv);
}

void AcceptBackoff::on_resume(evutil_socket_t, short, void* arg) {
    auto* self = static_cast<AcceptBackoff*>(arg);
    if (self->listener_) evconnlistener_enable(self->listener_);
}

}  // namespace notify::ingest
