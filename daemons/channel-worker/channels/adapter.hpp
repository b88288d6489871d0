// adapter.hpp - the interface every channel adapter implements.
//
// An adapter is built once per configured provider (it parses and checks the
// provider's settings then) and is asked to start one attempt per job. An
// attempt either ends at once (a synchronous adapter such as `file`, or a job
// the adapter refuses before sending anything), becomes a Transfer (a prepared
// libcurl easy handle that the worker adds to its curl multi loop), or waits
// (Wait: the adapter is fetching something every job needs, such as an access
// token, and the worker calls start() again once one of the adapter's
// transfers ends). When curl is done with a handle the worker calls
// Transfer::finish, which ends the attempt with an outcome or continues it: a
// next request (the send after its access token, the send again after the
// token was refreshed, the next part of a long message) or a wait.
//
// Adapters never touch ZeroMQ, the store or other adapters.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>
#include <variant>

#include "config.hpp"
#include "provider_type.hpp"
#include "util/error.hpp"
#include "wire.hpp"

namespace notify::channels {

// What one attempt ended with; the worker adds the job's ids to make a wire::Result.
struct Attempt {
    wire::Outcome outcome = wire::Outcome::sent;
    std::string provider_message_id;  // when sent
    std::string code;                 // "250", "503", "curl:7", ...
    std::string message;              // the provider's reason
    Millis retry_after = 0;           // the provider asked to wait this long
    std::string detail;               // facts recorded with it: "length=75 segments=2 ..."
    // Permanent for this provider only (its account, credentials, balance, or a
    // recipient it cannot take): another provider of the channel may send it.
    bool provider_fault = false;
    // The recipient's address is gone for good (an unregistered device token):
    // the router removes it from the user's identities.
    bool address_gone = false;
    Millis gone_since = 0;  // when the vendor found it invalid, if it says (wire::Result)
    int parts = 1;          // requests the vendor received for the message (a split text: more)

    static Attempt sent(std::string message_id, std::string code = {}) {
        Attempt a;
        a.provider_message_id = std::move(message_id);
        a.code = std::move(code);
        return a;
    }
    static Attempt retryable(std::string code, std::string message, Millis retry_after = 0) {
        Attempt a = failure(wire::Outcome::retryable, std::move(code), std::move(message));
        a.retry_after = retry_after;
        return a;
    }
    static Attempt permanent(std::string code, std::string message) {
        return failure(wire::Outcome::permanent, std::move(code), std::move(message));
    }
    // Permanent: the vendor will never take this address again.
    static Attempt gone(std::string code, std::string message, Millis since = 0) {
        Attempt a = permanent(std::move(code), std::move(message));
        a.address_gone = true;
        a.gone_since = since;
        return a;
    }
    // Permanent here; the router fails over to another provider of the channel.
    static Attempt provider_refused(std::string code, std::string message) {
        Attempt a = permanent(std::move(code), std::move(message));
        a.provider_fault = true;
        return a;
    }

  private:
    static Attempt failure(wire::Outcome o, std::string code, std::string message) {
        Attempt a;
        a.outcome = o;
        a.code = std::move(code);
        a.message = std::move(message);
        return a;
    }
};

class Transfer;

// The attempt waits for something the adapter is fetching for all its jobs.
struct Wait {};

// Either the attempt is over, or a transfer to run, or it waits.
using Started = std::variant<Attempt, std::unique_ptr<Transfer>, Wait>;

// One request in flight. Owns its easy handle and every buffer the handle points at.
class Transfer {
  public:
    virtual ~Transfer() = default;
    virtual CURL* handle() const = 0;
    // The time limit the adapter set on the handle.
    virtual Millis timeout() const = 0;
    // Called once, after curl has finished the handle (or the worker gave up on it).
    virtual Started finish(CURLcode result) = 0;
};

class Adapter {
  public:
    virtual ~Adapter() = default;
    virtual Started start(const wire::Job& job) = 0;
};

// What the worker tells every adapter it builds.
struct AdapterOptions {
    Millis default_timeout = 30000;  // worker.timeout; a provider's `timeout` overrides it
};

// The make and validate each adapter file defines (registry.cpp pairs them
// with its type's descriptor), for an adapter built from its checked settings:
//   make:     return adapter_from<MyAdapter>(read_settings(provider, options.default_timeout));
//   validate: return status_of(read_settings(provider, AdapterOptions{}.default_timeout));
template <class AdapterType, class SettingsType>
Expected<std::unique_ptr<Adapter>> adapter_from(Expected<SettingsType> settings) {
    if (!settings) return settings.error();
    return std::unique_ptr<Adapter>(std::make_unique<AdapterType>(std::move(*settings)));
}

template <class T>
Status status_of(const Expected<T>& value) {
    if (!value) return value.error();
    return ok();
}

}  // namespace notify::channels
