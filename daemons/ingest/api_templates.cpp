// api_templates.cpp - /v1/templates.
#include "api.hpp"

namespace notify::ingest {

void Api::templates_request(const Request& req, const std::vector<std::string>&, const Principal&,
                            const Reply& done) {
    fail(done, make_error(ErrorKind::not_found, "not_found", "no such route '" + req.path + "'"));
}

}  // namespace notify::ingest
