// attempt_result.hpp - the result frame a finished attempt leaves the worker as.
#pragma once

#include "channels/adapter.hpp"
#include "wire.hpp"

namespace notify::channels {

// The job's result as sent to the router. A vendor may echo a credential back
// (a token in a URL, a secret in an error text), and the result is stored,
// shown by `notifyctl status -v` and the API, and logged: its message and
// detail go through log::hidden_secrets, as a log line would, and a one-time
// code the job carries is hidden from them (hide_code).
wire::Result result_of(const wire::Job& job, const Attempt& attempt);

}  // namespace notify::channels
