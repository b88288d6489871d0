// api_unsubscribe.cpp - /v1/unsubscribe/{token}.
#include "api.hpp"

namespace notify::ingest {

void Api::unsubscribe_request(const Request& req, const std::vector<std::string>&,
                              const Reply& done) {
    fail(done, make_error(ErrorKind::not_found, "not_found", "no such route '" + req.path + "'"));
}

}  // namespace notify::ingest
