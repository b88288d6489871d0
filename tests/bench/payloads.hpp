// payloads.hpp - the request bodies the benchmark sends: one notification for
// the documented HTTP API, a batch of them, and the ZeroMQ request frame.
// Each notification carries {"seq": N} in `data` so a run can tell them apart.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace notify::bench {

// {"channel":CH,"subject":"s","body":"b","priority":P,"data":{"seq":N}}, with
// "to":TO after the channel when `to` is not empty.
std::string notification_json(const std::string& channel, const std::string& priority, long seq,
                              const std::string& to = "");
// {"channel":CH,"to":"user:USER","subject":"s","body":"b","data":{"seq":N,"t":T}},
// at the API's default priority: T is the bench's clock when it was made.
std::string inbox_notification_json(const std::string& channel, const std::string& user, long seq,
                                    std::int64_t t);
// {"to":TO,"channel":CH,"data":{"service":"bench","sender":"bench"}}, for POST /v1/otp
// with the default template, ttl and length.
std::string otp_send_json(const std::string& channel, const std::string& to);
// {"to":TO,"code":CODE}, for POST /v1/otp/verify.
std::string otp_verify_json(const std::string& to, const std::string& code);
// {"notifications":[ size notifications with seq first_seq, first_seq+1, ... ]}
std::string batch_json(const std::string& channel, const std::string& priority, long first_seq,
                       int size);
// {"notifications":[ notification(first_seq), notification(first_seq + 1), ... ]}, size of them.
std::string batch_json(long first_seq, int size,
                       const std::function<std::string(long seq)>& notification);
// {"method":"POST","path":"/v1/notifications","query":{},"body":<notification>}
std::string zmq_request_frame(const std::string& notification);

// The top-level "id" of a single-notification reply; "" if there is none.
std::string reply_id(const std::string& reply_body);

// Notifications accepted in a batch reply: entries of "notifications" with an
// "id"; -1 when the reply is not the documented shape.
long count_batch_accepted(const std::string& reply_body);

}  // namespace notify::bench
