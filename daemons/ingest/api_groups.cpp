// api_groups.cpp - /v1/groups: groups with their description and approval
// rule, and their members (see api_directory.cpp for the routes).
#include <nlohmann/json.hpp>

#include "directory_routes.hpp"
#include "store/directory_records.hpp"

namespace notify::ingest::directory {

using nlohmann::json;

namespace {

// Each route answers with the result of one DirectoryStore call.
class GroupRoutes {
  public:
    GroupRoutes(store::DirectoryStore& d, const Request& req) : d_(d), req_(req) {}

    Expected<Response> route(const std::vector<std::string>& parts) {
        const std::string& m = req_.method;
        if (parts.size() == 1) {
            if (m == "GET") {
                json list = json::array();
                for (const auto& g : d_.list_groups()) list.push_back(store::group_view(g));
                return json_response(200, {{"groups", std::move(list)}});
            }
            if (m == "POST") return create_group();
            return not_allowed("GET, POST");
        }
        if (parts.size() == 2) {
            const std::string& name = parts[1];
            if (m == "GET") {
                auto g = d_.get_group(name);
                if (!g) return not_found("group", name);
                return json_response(200, store::group_view(*g));
            }
            if (m == "PUT") return put_group(name);
            if (m == "DELETE") {
                if (auto s = d_.remove_group(name); !s) return s.error();
                return json_response(200, {{"name", name}, {"deleted", true}});
            }
            return not_allowed("GET, PUT, DELETE");
        }
        if (parts.size() == 3 && parts[2] == "members") {
            if (m == "GET") return list_members(parts[1]);
            if (m == "POST" || m == "DELETE") return change_members(parts[1], m == "POST");
            return not_allowed("GET, POST, DELETE");
        }
        return no_route(req_);
    }

  private:
    Response not_allowed(const std::string& allowed) { return method_not_allowed(req_, allowed); }

    Expected<store::Group> group_from(const json& body, const std::string& name) {
        static const std::vector<std::string> fields = {"name", "description", "requires_approval"};
        if (auto s = known_fields(body, fields); !s) return s.error();
        store::Group g;
        g.name = name;
        if (body.contains("name") && body["name"] != json(name))
            return invalid("name_mismatch",
                           "the body's 'name' is not '" + name + "', the one in the path", "name");
        if (body.contains("description") && !body["description"].is_null()) {
            if (!body["description"].is_string())
                return invalid("invalid_field", "'description' must be a string", "description");
            g.description = body["description"];
        }
        if (body.contains("requires_approval") && !body["requires_approval"].is_null()) {
            if (!body["requires_approval"].is_boolean())
                return invalid("invalid_field", "'requires_approval' must be true or false",
                               "requires_approval");
            g.requires_approval = body["requires_approval"];
        }
        return g;
    }

    Expected<Response> create_group() {
        auto body = body_object(req_);
        if (!body) return body.error();
        if (!body->contains("name") || !(*body)["name"].is_string())
            return invalid("missing_field", "a group needs a 'name'", "name");
        std::string name = (*body)["name"];
        auto g = group_from(*body, name);
        if (!g) return g.error();
        if (d_.get_group(name))
            return error_response(409, make_error(ErrorKind::conflict, "already_exists",
                                                  "group '" + name + "' already exists", "name"));
        if (auto s = d_.put_group(*g); !s) return s.error();
        return json_response(201, store::group_view(*d_.get_group(name)));
    }

    Expected<Response> put_group(const std::string& name) {
        auto body = body_object(req_);
        if (!body) return body.error();
        auto g = group_from(*body, name);
        if (!g) return g.error();
        auto old = d_.get_group(name);
        if (old) g->created_at = old->created_at;
        if (auto s = d_.put_group(*g); !s) return s.error();
        return json_response(old ? 200 : 201, store::group_view(*d_.get_group(name)));
    }

    Expected<Response> list_members(const std::string& name) {
        if (auto s = check_query(req_, {"limit", "cursor"}); !s) return s.error();
        auto limit = limit_of(req_, kMaxLimit);
        if (!limit) return limit.error();
        if (!d_.get_group(name)) return not_found("group", name);
        auto ids = d_.members(name, query_value(req_, "cursor"), *limit + 1);
        bool more = static_cast<int>(ids.size()) > *limit;
        if (more) ids.pop_back();
        json body{{"group", name}, {"members", ids}};
        body["next_cursor"] = more ? json(ids.back()) : json(nullptr);
        return json_response(200, body);
    }

    Expected<Response> change_members(const std::string& name, bool add) {
        auto body = body_object(req_);
        if (!body) return body.error();
        if (auto s = known_fields(*body, {"users"}); !s) return s.error();
        const json& users = body->contains("users") ? (*body)["users"] : json();
        if (!users.is_array() || users.empty())
            return invalid("missing_field", "'users' must be a non-empty array of user ids",
                           "users");
        std::vector<std::string> ids;
        for (const auto& u : users) {
            if (!u.is_string())
                return invalid("invalid_field", "'users' must be an array of user ids", "users");
            ids.push_back(u);
        }
        if (!d_.get_group(name)) return not_found("group", name);
        auto s = add ? d_.add_members(name, ids) : d_.remove_members(name, ids);
        if (!s && s.error().kind == ErrorKind::not_found)
            return error_response(
                422, make_error(ErrorKind::invalid, "unknown_user", s.error().message, "users"));
        if (!s) return s.error();
        return json_response(200, {{"group", name}, {"members", d_.count_members(name)}});
    }

    store::DirectoryStore& d_;
    const Request& req_;
};

}  // namespace

Expected<Response> group_routes(store::DirectoryStore& d, const Request& req,
                                const std::vector<std::string>& parts) {
    return GroupRoutes(d, req).route(parts);
}

}  // namespace notify::ingest::directory
