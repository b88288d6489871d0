// api_directory.cpp - /v1/users and /v1/groups: the user directory of
// store::DirectoryStore over HTTP, checked as `notifyctl user` checks it.
// Changes are written at once through the loop thread's store (they are not
// part of the accept path's group commit). Users are in the record form of
// directory_records.hpp; unknown members are 400 unknown_field with a hint.
//
//   GET    /v1/users?group=&module=&limit=&cursor=  {"users":[...],"next_cursor"}
//   POST   /v1/users                       a record -> 201 the user; 409 when it exists
//   GET    /v1/users/{id}                  the user
//   PUT    /v1/users/{id}                  a record: created (201) or replaced whole (200);
//                                          "groups", when given, become its memberships
//   PATCH  /v1/users/{id}                  a JSON merge patch (RFC 7396) of its record
//   DELETE /v1/users/{id}                  {"id","deleted":true}
//   GET    /v1/users/{id}/preferences      {"user","unsubscribed_at","preferences":[...]}
//   PUT    /v1/users/{id}/preferences      {"category","channel","opted_out"} -> as GET
//   POST   /v1/users/import?format=csv|jsonl[&skip_bad=true][&group=G]   the body is
//          the file; all or nothing: 422 invalid_rows with "lines":[{"line","message"}]
//          -> {"imported","errors":[...]}
//   GET    /v1/groups                      {"groups":[...]}
//   POST   /v1/groups                      {"name","description","requires_approval"} -> 201
//   GET|PUT|DELETE /v1/groups/{name}
//   GET    /v1/groups/{name}/members?limit=&cursor=   {"group","members":[ids],"next_cursor"}
//   POST|DELETE /v1/groups/{name}/members  {"users":[...]} -> {"group","members":count}
#include <nlohmann/json.hpp>

#include "api.hpp"
#include "request.hpp"
#include "store/directory_records.hpp"
#include "store/directory_store.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

constexpr int kMaxLimit = 1000;
constexpr size_t kShownLines = 100;

Error invalid(const std::string& code, const std::string& message, const std::string& field = {}) {
    return make_error(ErrorKind::invalid, code, message, field);
}

Error not_found(const std::string& what, const std::string& name) {
    return make_error(ErrorKind::not_found, "not_found",
                      "no " + what + " '" + name + "' in the directory");
}

Error no_route(const Request& req) {
    return make_error(ErrorKind::not_found, "not_found", "no such route '" + req.path + "'");
}

Response json_response(int status, const json& body) {
    Response r;
    r.status = status;
    r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    return r;
}

// Query parameters must be among `known`.
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
    char* end = nullptr;
    long n = std::strtol(it->second.c_str(), &end, 10);
    if (*end || n < 1 || n > kMaxLimit)
        return invalid("invalid_filter",
                       "'limit' must be a number from 1 to " + std::to_string(kMaxLimit) +
                           ", not '" + it->second + "'",
                       "limit");
    return static_cast<int>(n);
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

json group_json(const store::Group& g) {
    return json{{"name", g.name},
                {"description", g.description},
                {"requires_approval", g.requires_approval},
                {"members", g.members},
                {"created_at", util::format_rfc3339(g.created_at)}};
}

json preferences_json(const store::User& u, const std::vector<store::Preference>& prefs) {
    json list = json::array();
    for (const auto& p : prefs)
        list.push_back({{"category", p.category},
                        {"channel", p.channel},
                        {"opted_out", p.opted_out},
                        {"updated_at", util::format_rfc3339(p.updated_at)}});
    return json{{"user", u.id},
                {"unsubscribed_at",
                 u.unsubscribed_at ? json(util::format_rfc3339(u.unsubscribed_at)) : json(nullptr)},
                {"preferences", std::move(list)}};
}

// A user record from `body` whose "id", when given, must be `id`.
Expected<store::User> record_for(json body, const std::string& id) {
    if (body.contains("id") && body["id"] != json(id))
        return invalid("id_mismatch", "the body's 'id' is not '" + id + "', the one in the path",
                       "id");
    body["id"] = id;
    return store::user_from_record(body);
}

// Each route answers through `done` with the result of one DirectoryStore call.
class DirectoryRoutes {
  public:
    DirectoryRoutes(store::Store& s, const Request& req) : d_(s), req_(req) {}

    Expected<Response> users(const std::vector<std::string>& parts) {
        const std::string& m = req_.method;
        if (parts.size() == 1) {
            if (m == "GET") return list_users();
            if (m == "POST") return create_user();
            return not_allowed("GET, POST");
        }
        if (parts.size() == 2 && parts[1] == "import") {
            if (m == "POST") return import_users();
            return not_allowed("POST");
        }
        if (parts.size() == 2) {
            const std::string& id = parts[1];
            if (m == "GET") return get_user(id);
            if (m == "PUT") return put_user(id);
            if (m == "PATCH") return patch_user(id);
            if (m == "DELETE") return delete_user(id);
            return not_allowed("GET, PUT, PATCH, DELETE");
        }
        if (parts.size() == 3 && parts[2] == "preferences") {
            if (m == "GET") return get_preferences(parts[1]);
            if (m == "PUT") return put_preference(parts[1]);
            return not_allowed("GET, PUT");
        }
        return no_route(req_);
    }

    Expected<Response> groups(const std::vector<std::string>& parts) {
        const std::string& m = req_.method;
        if (parts.size() == 1) {
            if (m == "GET") {
                json list = json::array();
                for (const auto& g : d_.list_groups()) list.push_back(group_json(g));
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
                return json_response(200, group_json(*g));
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
    Response not_allowed(const std::string& allowed) {
        Response r =
            error_response(405, make_error(ErrorKind::usage, "method_not_allowed",
                                           "method '" + req_.method + "' is not allowed on '" +
                                               req_.path + "' (allowed: " + allowed + ")"));
        r.headers.emplace_back("Allow", allowed);
        return r;
    }

    Response user_answer(int status, const std::string& id) {
        return json_response(status, store::user_view(*d_.get_user(id)));
    }

    Expected<Response> list_users() {
        if (auto s = check_query(req_, {"group", "module", "limit", "cursor"}); !s)
            return s.error();
        auto limit = limit_of(req_, 100);
        if (!limit) return limit.error();
        std::string group = query_value(req_, "group");
        if (!group.empty() && !d_.get_group(group)) return not_found("group", group);
        auto users = d_.list_users(
            {group, query_value(req_, "module"), query_value(req_, "cursor"), *limit + 1});
        bool more = static_cast<int>(users.size()) > *limit;
        if (more) users.pop_back();
        json list = json::array();
        for (const auto& u : users) list.push_back(store::user_view(u));
        json body{{"users", std::move(list)}};
        body["next_cursor"] = more ? json(users.back().id) : json(nullptr);
        return json_response(200, body);
    }

    Expected<Response> create_user() {
        auto body = body_object(req_);
        if (!body) return body.error();
        auto u = store::user_from_record(*body);
        if (!u) return u.error();
        auto s = d_.save_user(*u, {store::Membership::replace, true});
        if (!s && s.error().kind == ErrorKind::conflict) return error_response(409, s.error());
        if (!s) return s.error();
        return user_answer(201, u->id);
    }

    Expected<Response> get_user(const std::string& id) {
        auto u = d_.get_user(id);
        if (!u) return not_found("user", id);
        return json_response(200, store::user_view(*u));
    }

    Expected<Response> put_user(const std::string& id) {
        auto body = body_object(req_);
        if (!body) return body.error();
        bool groups = body->contains("groups");
        auto u = record_for(*body, id);
        if (!u) return u.error();
        bool existed = d_.get_user(id).has_value();
        auto membership = groups ? store::Membership::replace : store::Membership::keep;
        if (auto s = d_.save_user(*u, {membership, false}); !s) return s.error();
        return user_answer(existed ? 200 : 201, id);
    }

    Expected<Response> patch_user(const std::string& id) {
        auto body = body_object(req_);
        if (!body) return body.error();
        if (auto s = known_fields(*body, store::user_record_fields()); !s) return s.error();
        auto old = d_.get_user(id);
        if (!old) return not_found("user", id);
        json record = store::user_record(*old);
        record.merge_patch(*body);
        if (record.contains("id") && record["id"].is_null()) record.erase("id");
        auto u = record_for(record, id);
        if (!u) return u.error();
        auto membership =
            body->contains("groups") ? store::Membership::replace : store::Membership::keep;
        if (auto s = d_.save_user(*u, {membership, false}); !s) return s.error();
        return user_answer(200, id);
    }

    Expected<Response> delete_user(const std::string& id) {
        if (auto s = d_.remove_user(id); !s) return s.error();
        return json_response(200, {{"id", id}, {"deleted", true}});
    }

    Expected<Response> get_preferences(const std::string& id) {
        auto u = d_.get_user(id);
        if (!u) return not_found("user", id);
        return json_response(200, preferences_json(*u, d_.preferences(id)));
    }

    Expected<Response> put_preference(const std::string& id) {
        auto body = body_object(req_);
        if (!body) return body.error();
        if (auto s = known_fields(*body, {"category", "channel", "opted_out"}); !s)
            return s.error();
        store::Preference p;
        p.user_id = id;
        for (const char* key : {"category", "channel"}) {
            if (!body->contains(key) || (*body)[key].is_null()) continue;
            if (!(*body)[key].is_string())
                return invalid("invalid_field", std::string("'") + key + "' must be a string", key);
            (key == std::string("category") ? p.category : p.channel) = (*body)[key];
        }
        if (!body->contains("opted_out"))
            return invalid("missing_field", "'opted_out' is required (true or false)", "opted_out");
        if (!(*body)["opted_out"].is_boolean())
            return invalid("invalid_field", "'opted_out' must be true or false", "opted_out");
        p.opted_out = (*body)["opted_out"].get<bool>();
        if (auto s = d_.set_preference(p); !s) return s.error();
        return get_preferences(id);
    }

    Expected<Response> import_users() {
        if (auto s = check_query(req_, {"format", "skip_bad", "group"}); !s) return s.error();
        store::ImportOptions options;
        std::string format = query_value(req_, "format");
        if (format == "csv")
            options.format = store::RecordFormat::csv;
        else if (format.empty() || format == "jsonl")
            options.format = store::RecordFormat::jsonl;
        else
            return invalid("invalid_parameter",
                           "unknown format '" + format + "'" +
                               util::did_you_mean(format, {"csv", "jsonl"}) + " (csv or jsonl)",
                           "format");
        std::string skip = query_value(req_, "skip_bad");
        if (!skip.empty() && skip != "true" && skip != "false")
            return invalid("invalid_parameter", "'skip_bad' must be true or false", "skip_bad");
        options.skip_bad = skip == "true";
        options.group = query_value(req_, "group");
        auto report = d_.import_users(std::string_view(req_.body), options);
        if (!report) {
            Error e = report.error();
            if (e.kind == ErrorKind::usage) e.kind = ErrorKind::invalid;
            return e;
        }
        json lines = json::array();
        for (size_t i = 0; i < report->errors.size() && i < kShownLines; ++i)
            lines.push_back(
                {{"line", report->errors[i].line}, {"message", report->errors[i].message}});
        if (!report->errors.empty() && !options.skip_bad) {
            size_t n = report->errors.size();
            json err{{"code", "invalid_rows"},
                     {"message", std::to_string(n) + (n == 1 ? " bad line" : " bad lines") +
                                     "; nothing imported (skip_bad=true imports the good ones)"},
                     {"field", nullptr},
                     {"bad_lines", n},
                     {"lines", std::move(lines)}};
            return json_response(422, {{"error", std::move(err)}});
        }
        return json_response(200, {{"imported", report->imported},
                                   {"skipped", report->errors.size()},
                                   {"errors", std::move(lines)}});
    }

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
        return json_response(201, group_json(*d_.get_group(name)));
    }

    Expected<Response> put_group(const std::string& name) {
        auto body = body_object(req_);
        if (!body) return body.error();
        auto g = group_from(*body, name);
        if (!g) return g.error();
        auto old = d_.get_group(name);
        if (old) g->created_at = old->created_at;
        if (auto s = d_.put_group(*g); !s) return s.error();
        return json_response(old ? 200 : 201, group_json(*d_.get_group(name)));
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

    store::DirectoryStore d_;
    const Request& req_;
};

}  // namespace

void Api::directory_request(const Request& req, const std::vector<std::string>& parts,
                            const Principal&, const Reply& done) {
    Expected<Response> answer = make_error(ErrorKind::unavailable, "store_unavailable",
                                           "the store cannot be reached; try again shortly");
    try {
        DirectoryRoutes routes(reads_, req);
        answer = parts.front() == "users" ? routes.users(parts) : routes.groups(parts);
    } catch (const std::exception&) {
        throw;  // a bug: guarded() answers 500 and logs it
    } catch (...) {
        // A store failure (busy past its timeout, disk full): the answer above.
    }
    if (!answer) return fail(done, answer.error());
    if (answer->status >= 400) {
        metrics_.rejected(json::parse(answer->body, nullptr, false)["error"].value("code", ""));
        return done(std::move(*answer));
    }
    done(std::move(*answer));
}

}  // namespace notify::ingest
