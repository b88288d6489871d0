#include "util/error.hpp"

namespace notify {

int exit_code(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::usage:
            return 64;
        case ErrorKind::invalid:
            return 65;
        case ErrorKind::conflict:
            return 65;
        case ErrorKind::too_large:
            return 65;
        case ErrorKind::no_input:
            return 66;
        case ErrorKind::not_found:
            return 65;
        case ErrorKind::unauthorized:
            return 77;
        case ErrorKind::forbidden:
            return 77;
        case ErrorKind::unavailable:
            return 69;
        case ErrorKind::temporary:
            return 75;
        case ErrorKind::internal:
            return 70;
    }
    return 70;
}

int http_status(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::usage:
            return 400;
        case ErrorKind::invalid:
            return 400;
        case ErrorKind::conflict:
            return 422;
        case ErrorKind::too_large:
            return 413;
        case ErrorKind::no_input:
            return 400;
        case ErrorKind::not_found:
            return 404;
        case ErrorKind::unauthorized:
            return 401;
        case ErrorKind::forbidden:
            return 403;
        case ErrorKind::unavailable:
            return 503;
        case ErrorKind::temporary:
            return 503;
        case ErrorKind::internal:
            return 500;
    }
    return 500;
}

const char* to_string(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::usage:
            return "usage";
        case ErrorKind::invalid:
            return "invalid";
        case ErrorKind::conflict:
            return "conflict";
        case ErrorKind::too_large:
            return "too_large";
        case ErrorKind::no_input:
            return "no_input";
        case ErrorKind::not_found:
            return "not_found";
        case ErrorKind::unauthorized:
            return "unauthorized";
        case ErrorKind::forbidden:
            return "forbidden";
        case ErrorKind::unavailable:
            return "unavailable";
        case ErrorKind::temporary:
            return "temporary";
        case ErrorKind::internal:
            return "internal";
    }
    return "internal";
}

}  // namespace notify
