// curve_secret.hpp - the CURVE secret key a daemon's ZeroMQ socket is given:
// the router's (router.curve_secret_key) and the worker's
// (worker.curve_secret_key) are read the same way. Header-only, so that only
// the programs that link libzmq use it.
#pragma once

#include <zmq.h>

#include <string>

#include "config_link.hpp"
#include "util/error.hpp"

namespace notify {

// The secret named by `value` (a key, env:NAME or file:/path) as its 40 Z85
// characters; errors name `key`: of kind invalid when it cannot be read or is
// not a key, of kind unavailable when this libzmq was built without CURVE.
inline Expected<std::string> curve_secret(const std::string& value, const std::string& key) {
    if (!zmq_has("curve"))
        return make_error(ErrorKind::unavailable, "no_curve",
                          "'" + key + "' is set, but this libzmq was built without CURVE");
    return resolve_key(value, key);
}

}  // namespace notify
