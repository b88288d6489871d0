// api_directory.cpp - /v1/users and /v1/groups.
#include "api.hpp"

namespace notify::ingest {

void Api::directory_request(const Request& req, const std::vector<std::string>&, const Principal&,
                            const Reply& done) {
    fail(done, make_error(ErrorKind::not_found, "not_found", "no such route '" + req.path + "'"));
}

}  // namespace notify::ingest
