// outcome.hpp - how a finished transfer is classified: sent, retryable or
// permanent, with the provider's code and reason. Pure functions, shared by the
// HTTP and SMTP adapters.
//
//   HTTP 2xx                      sent (message id: the JSON body's "id" string)
//   HTTP 408, 425, 429, 5xx       retryable, honouring Retry-After
//   other HTTP statuses           permanent
//   SMTP 2xx/3xx                  sent
//   SMTP 4xx                      retryable
//   SMTP 5xx                      permanent
//   curl errors without a reply   retryable, code "curl:N"
#pragma once

#include <curl/curl.h>

#include <string>
#include <string_view>

#include "channels/adapter.hpp"

namespace notify::channels {

// Retry-After as milliseconds from `now`: delta-seconds or an HTTP-date.
// 0 when absent, unparsable or in the past.
Millis parse_retry_after(std::string_view value, Millis now);

// The reason a JSON error body gives ("message", "error", or error.message),
// else the first 200 bytes of the body (cut at a UTF-8 character boundary).
std::string reason_from_body(std::string_view body);

Attempt classify_http(long status, std::string_view body, std::string_view retry_after, Millis now);

// `reply_code` is the last SMTP reply (0 when none); `reply_text` its text.
Attempt classify_smtp(CURLcode result, long reply_code, const std::string& reply_text,
                      const std::string& message_id);

Attempt curl_failure(CURLcode result);

}  // namespace notify::channels
