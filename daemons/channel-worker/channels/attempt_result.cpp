// attempt_result.cpp - a finished attempt as the result frame, without secrets.
#include "channels/attempt_result.hpp"

#include "util/log.hpp"

namespace notify::channels {

wire::Result result_of(const wire::Job& job, const Attempt& a) {
    wire::Result r;
    r.delivery_id = job.delivery_id;
    r.attempt = job.attempt;
    r.outcome = a.outcome;
    r.provider = job.provider;
    r.provider_message_id = a.provider_message_id;
    r.code = a.code;
    r.message = log::hidden_secrets(a.message);
    r.retry_after = a.retry_after;
    r.detail = log::hidden_secrets(a.detail);
    r.provider_fault = a.provider_fault;
    r.address_gone = a.address_gone;
    r.parts = a.parts;
    return r;
}

}  // namespace notify::channels
