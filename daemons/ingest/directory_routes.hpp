// directory_routes.hpp - the parts of /v1/users and /v1/groups (api_directory.cpp),
// for api_directory.cpp, api_users.cpp and api_groups.cpp only: the routes of
// each resource over one DirectoryStore, and the request checks and answers
// they share. A route returns its answer, or an Error that the caller turns
// into one.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api.hpp"
#include "store/directory_store.hpp"

namespace notify::ingest::directory {

constexpr int kMaxLimit = 1000;

// /v1/users...: `parts` are the path's segments after /v1/.
// `config` names the channels a preference may name.
Expected<Response> user_routes(store::DirectoryStore& d, const Config& config, const Request& req,
                               const std::vector<std::string>& parts);
// /v1/groups...
Expected<Response> group_routes(store::DirectoryStore& d, const Request& req,
                                const std::vector<std::string>& parts);

Error invalid(const std::string& code, const std::string& message, const std::string& field = {});
// not_found: "no WHAT 'NAME' in the directory".
Error not_found(const std::string& what, const std::string& name);
Error no_route(const Request& req);
// Query parameters must be among `known`.
Status check_query(const Request& req, const std::vector<std::string>& known);
// ?limit=N, from 1 to kMaxLimit; `fallback` when it is not given.
Expected<int> limit_of(const Request& req, int fallback);
// The query parameter `name`, "" when it is not given.
std::string query_value(const Request& req, const std::string& name);
// The body: a JSON object.
Expected<nlohmann::json> body_object(const Request& req);
// Every member of `body` is among `fields`.
Status known_fields(const nlohmann::json& body, const std::vector<std::string>& fields);

}  // namespace notify::ingest::directory
