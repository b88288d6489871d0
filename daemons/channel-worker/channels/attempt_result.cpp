// attempt_result.cpp - a finished attempt as the result frame, without secrets.
#include "channels/attempt_result.hpp"

#include <nlohmann/json.hpp>

#include "one_time_code.hpp"
#include "util/json_parse.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace notify::channels {

namespace {

// The one-time code a job carries (the router put it in its data, 4 to 10
// digits as POST /v1/otp makes them), or "".
std::string code_of(const wire::Job& job) {
    if (job.category != kCodeCategory) return std::string();
    const auto data = util::json_or_discarded(job.data_json);
    auto code = data.is_object() ? data.find("code") : data.end();
    if (code == data.end() || !code->is_string()) return std::string();
    const std::string text = code->get<std::string>();
    const bool made_by_notify = text.size() >= 4 && text.size() <= 10 && util::all_digits(text);
    return made_by_notify ? text : std::string();
}

}  // namespace

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
    r.gone_since = a.gone_since;
    r.parts = a.parts;
    if (const std::string code = code_of(job); !code.empty()) {
        hide_code(r.message, code);
        hide_code(r.detail, code);
    }
    return r;
}

}  // namespace notify::channels
