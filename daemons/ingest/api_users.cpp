// api_users.cpp - /v1/users: users in the record form of directory_records.hpp,
// their preferences, and imports of many at once (see api_directory.cpp for
// the routes).
#include <nlohmann/json.hpp>

#include "address.hpp"
#include "directory_routes.hpp"
#include "store/directory_records.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::ingest::directory {

using nlohmann::json;

namespace {

constexpr size_t kShownLines = 100;

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

constexpr size_t kMaxSearch = 200;

// A user record from `body` whose "id", when given, must be `id`.
Expected<store::User> record_for(json body, const std::string& id) {
    if (body.contains("id") && body["id"] != json(id))
        return invalid("id_mismatch", "the body's 'id' is not '" + id + "', the one in the path",
                       "id");
    body["id"] = id;
    return store::user_from_record(body);
}

// Each route answers with the result of one DirectoryStore call.
class UserRoutes {
  public:
    UserRoutes(store::DirectoryStore& d, const Config& config, const Request& req)
        : d_(d), config_(config), req_(req) {}

    Expected<Response> route(const std::vector<std::string>& parts) {
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
        if (parts.size() == 3 && parts[2] == "identities") {
            if (m == "POST") return add_identity(parts[1]);
            return not_allowed("POST");
        }
        if (parts.size() == 4 && parts[2] == "identities") {
            if (m == "DELETE") return remove_identity(parts[1], parts[3]);
            return not_allowed("DELETE");
        }
        return no_route(req_);
    }

  private:
    Response not_allowed(const std::string& allowed) { return method_not_allowed(req_, allowed); }

    Response user_answer(int status, const std::string& id) {
        return json_response(status, store::user_view(*d_.get_user(id)));
    }

    Expected<Response> list_users() {
        if (auto s = check_query(req_, {"group", "module", "limit", "cursor", "text"}); !s)
            return s.error();
        auto limit = limit_of(req_, 100);
        if (!limit) return limit.error();
        std::string group = query_value(req_, "group");
        if (!group.empty() && !d_.get_group(group)) return not_found("group", group);
        std::string text = query_value(req_, "text");
        if (text.size() > kMaxSearch)
            return invalid("invalid_query",
                           "'text' is longer than " + std::to_string(kMaxSearch) + " bytes",
                           "text");
        auto users = d_.list_users(
            {group, query_value(req_, "module"), query_value(req_, "cursor"), *limit + 1, text});
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
        // The base names each channel's addresses once, all of them in
        // `identities`: a patch of identities.CH gives the channel's anew, and
        // one of addresses.CH too.
        json record = store::user_record(*old);
        if (record.contains("addresses")) {
            record["identities"] = record["addresses"];
            record.erase("addresses");
        }
        if (auto a = body->find("addresses");
            a != body->end() && a->is_object() && record.contains("identities"))
            for (const auto& [channel, _] : a->items()) record["identities"].erase(channel);
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
        if (!p.channel.empty())
            if (auto known = config_.check_channel(p.channel, "channel"); !known)
                return known.error();
        if (!body->contains("opted_out"))
            return invalid("missing_field", "'opted_out' is required (true or false)", "opted_out");
        if (!(*body)["opted_out"].is_boolean())
            return invalid("invalid_field", "'opted_out' must be true or false", "opted_out");
        p.opted_out = (*body)["opted_out"].get<bool>();
        if (auto s = d_.set_preference(p); !s) return s.error();
        return get_preferences(id);
    }

    // {"user","channel","addresses"}: the user's addresses on `channel` now.
    Response identities_answer(const std::string& id, const std::string& channel) {
        auto u = d_.get_user(id);
        auto it = u->identities.find(channel);
        return json_response(
            200, {{"user", id},
                  {"channel", channel},
                  {"addresses", it == u->identities.end() ? json::array() : json(it->second)}});
    }

    // {"channel","address"}: one more address (a new device) beside the others.
    Expected<Response> add_identity(const std::string& id) {
        auto body = body_object(req_);
        if (!body) return body.error();
        if (auto s = known_fields(*body, {"channel", "address"}); !s) return s.error();
        std::string fields[2];
        const char* names[2] = {"channel", "address"};
        for (int i = 0; i < 2; ++i) {
            auto it = body->find(names[i]);
            if (it == body->end() || !it->is_string() || it->get<std::string>().empty())
                return invalid("missing_field",
                               std::string("'") + names[i] + "' is required (a string)", names[i]);
            fields[i] = it->get<std::string>();
        }
        if (auto known = config_.check_channel(fields[0], "channel"); !known) return known.error();
        // The channel's form (a device token, a subscription), as a send's `to` is checked.
        if (auto form = check_recipients({fields[1]}, config_.channel_type(fields[0]), fields[0],
                                         "address");
            !form)
            return form.error();
        if (auto added = d_.add_identity(id, fields[0], fields[1]); !added) return added.error();
        return identities_answer(id, fields[0]);
    }

    // ?address=: that address of the user's on `channel`, and no other.
    Expected<Response> remove_identity(const std::string& id, const std::string& channel) {
        if (auto s = check_query(req_, {"address"}); !s) return s.error();
        const std::string address = query_value(req_, "address");
        if (address.empty())
            return invalid("missing_parameter", "'address' is required: the address to remove",
                           "address");
        if (auto s = d_.remove_identity(id, channel, address); !s) return s.error();
        return identities_answer(id, channel);
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

    store::DirectoryStore& d_;
    const Config& config_;
    const Request& req_;
};

}  // namespace

Expected<Response> user_routes(store::DirectoryStore& d, const Config& config, const Request& req,
                               const std::vector<std::string>& parts) {
    return UserRoutes(d, config, req).route(parts);
}

}  // namespace notify::ingest::directory
