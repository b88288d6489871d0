// api_directory.cpp - /v1/users and /v1/groups: the user directory of
// store::DirectoryStore over HTTP, checked as `notifyctl user` checks it.
// Changes are written at once through the loop thread's store (they are not
// part of the accept path's group commit). Users are in the record form of
// directory_records.hpp; unknown members are 400 unknown_field with a hint.
// This file holds the entry point and the checks the routes share; the routes
// are in api_users.cpp and api_groups.cpp.
//
//   GET    /v1/users?group=&module=&text=&limit=&cursor=  {"users":[...],"next_cursor"};
//                                          text: in the id, name, email or phone
//   POST   /v1/users                       a record -> 201 the user; 409 when it exists
//   GET    /v1/users/{id}                  the user
//   PUT    /v1/users/{id}                  a record: created (201) or replaced whole (200);
//                                          "groups", when given, become its memberships
//   PATCH  /v1/users/{id}                  a JSON merge patch (RFC 7396) of its record
//   DELETE /v1/users/{id}                  {"id","deleted":true}
//   GET    /v1/users/{id}/preferences      {"user","unsubscribed_at","preferences":[...]}
//   PUT    /v1/users/{id}/preferences      {"category","channel","opted_out"} -> as GET
//   POST   /v1/users/{id}/identities       {"channel","address"}: one more address (a
//                                          device) -> {"user","channel","addresses"}; past
//                                          20 on the channel the oldest goes
//   DELETE /v1/users/{id}/identities/{channel}?address=A   that address -> as POST;
//                                          404 when the user has no such address
//   POST   /v1/users/import?format=csv|jsonl[&skip_bad=true][&group=G]   the body is
//          the file; all or nothing: 422 invalid_rows with "lines":[{"line","message"}]
//          -> {"imported","errors":[...]}
//   GET    /v1/groups                      {"groups":[...]}
//   POST   /v1/groups                      {"name","description","requires_approval"} -> 201
//   GET|PUT|DELETE /v1/groups/{name}
//   GET    /v1/groups/{name}/members?limit=&cursor=   {"group","members":[ids],"next_cursor"}
//   POST|DELETE /v1/groups/{name}/members  {"users":[...]} -> {"group","members":count}
#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "api.hpp"
#include "directory_routes.hpp"
#include "door.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace directory {

Error invalid(const std::string& code, const std::string& message, const std::string& field) {
    return make_error(ErrorKind::invalid, code, message, field);
}

Error not_found(const std::string& what, const std::string& name) {
    return make_error(ErrorKind::not_found, "not_found",
                      "no " + what + " '" + name + "' in the directory");
}

Error no_route(const Request& req) {
    return make_error(ErrorKind::not_found, "not_found", "no such route '" + req.path + "'");
}

Status check_query(const Request& req, const std::vector<std::string>& known) {
    for (const auto& [name, _] : req.query)
        if (std::find(known.begin(), known.end(), name) == known.end())
            return invalid("unknown_parameter",
                           "unknown parameter '" + name + "'" + util::did_you_mean(name, known),
                           name);
    return ok();
}

Expected<int> limit_of(const Request& req, int fallback) {
    auto it = req.query.find("limit");
    if (it == req.query.end() || it->second.empty()) return fallback;
    auto n = util::parse_whole(it->second, 1, kMaxLimit, "limit", "invalid_filter");
    if (!n) return n.error();
    return static_cast<int>(*n);
}

std::string query_value(const Request& req, const std::string& name) {
    auto it = req.query.find(name);
    return it == req.query.end() ? std::string() : it->second;
}

Expected<json> body_object(const Request& req) {
    auto body = parse_body(req.body);
    if (!body) return body.error();
    if (!body->is_object()) return invalid("invalid_request", "the body must be a JSON object");
    return body;
}

Status known_fields(const json& body, const std::vector<std::string>& fields) {
    for (const auto& [key, _] : body.items())
        if (std::find(fields.begin(), fields.end(), key) == fields.end())
            return invalid("unknown_field",
                           "unknown field '" + key + "'" + util::did_you_mean(key, fields), key);
    return ok();
}

}  // namespace directory

void Api::directory_request(const Request& req, const std::vector<std::string>& parts,
                            const Principal&, const Reply& done) {
    Expected<Response> answer = make_error(ErrorKind::unavailable, "store_unavailable",
                                           "the store cannot be reached; try again shortly");
    try {
        store::DirectoryStore& d = directory();
        answer = parts.front() == "users" ? directory::user_routes(d, config_, req, parts)
                                          : directory::group_routes(d, req, parts);
    } catch (const std::exception&) {
        throw;  // a bug: guarded() answers 500 and logs it
    } catch (...) {
        // A store failure (busy past its timeout, disk full): the answer above.
    }
    if (!answer) return fail(done, answer.error());
    if (answer->status >= 400) {
        metrics_.rejected(util::json_or_discarded(answer->body)["error"].value("code", ""));
        return done(std::move(*answer));
    }
    done(std::move(*answer));
}

}  // namespace notify::ingest
