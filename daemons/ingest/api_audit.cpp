// api_audit.cpp - the audit log in notify-ingest: every admin change that
// succeeds (approve, reject, the user directory, templates, schedules) is recorded by one
// wrapper around its answer, and one-click unsubscribes by their route; GET
// /v1/audit?since=&limit= reads it (admin scope), oldest first:
//   {"entries": [{"seq","at","actor","action","target","detail"}, ...]}
// Actions are "approve" and "reject" (detail: the reason), and
// RESOURCE[.PART].VERB for the directory and templates, e.g. "user.add",
// "user.update", "group.members.add", "template.put", "template.restore",
// "schedule.add", "schedule.pause"
// (VERB from the method: POST add, PUT put, PATCH update, DELETE remove); the
// target is the resource's id or name. The detail is a summary, never the
// body (store/audit.hpp, the same as notifyctl records): for templates the
// variant and version, for an import the users imported, otherwise the names of
// the fields the body set ("fields: email, name"), and for reject its reason.
#include <nlohmann/json.hpp>

#include "api.hpp"
#include "store/audit.hpp"
#include "util/json_parse.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

constexpr size_t kMaxDetail = 1000;
constexpr int kDefaultLimit = 1000, kMaxLimit = 10000;

std::string verb_of(const std::string& method) {
    if (method == "POST") return "add";
    if (method == "PUT") return "put";
    if (method == "PATCH") return "update";
    if (method == "DELETE") return "remove";
    return util::to_lower(method);
}

std::string singular(const std::string& resource) {
    return !resource.empty() && resource.back() == 's' ? resource.substr(0, resource.size() - 1)
                                                       : resource;
}

std::string clipped(const std::string& text) {
    return log::clip(text, kMaxDetail);
}

// What a created resource is called, from the answer to its POST.
std::string created_name(const json& j) {
    if (!j.is_object()) return {};
    for (const char* key : {"id", "name"})
        if (auto it = j.find(key); it != j.end() && it->is_string()) return *it;
    return {};
}

}  // namespace

void Api::audit(const std::string& actor, const std::string& action, const std::string& target,
                const std::string& detail) {
    auto st = store::record_audit(reads_, {0, util::now_ms(), actor, action, target, detail});
    if (!st)
        NLOG(error, "",
             "audit not recorded action=" << action << " target=" << log::clip(target)
                                          << " error=" << st.error().message);
}

Reply Api::audited(const Request& req, const std::vector<std::string>& parts, const Principal& who,
                   Reply done) {
    if (parts.empty()) return done;
    std::string action, detail;
    // The summary is taken from the body now: the body itself is not kept.
    json body = util::json_or_discarded(req.body);
    if (parts[0] == "notifications") {
        action = parts[2];  // approve or reject (resend, cancel)
        if (body.is_object() && body.contains("reason") && body["reason"].is_string())
            detail = clipped(body["reason"].get<std::string>());
    } else {
        action = singular(parts[0]);
        // DELETE /v1/users/ID/identities/CHANNEL: the channel is the detail, so
        // that actions stay a fixed set.
        const bool one_identity = parts.size() == 4 && parts[2] == "identities";
        for (size_t i = 2; i < (one_identity ? 3 : parts.size()); ++i) action += "." + parts[i];
        if (one_identity) detail = "channel: " + clipped(parts[3]);
        // POST /v1/users/import names no user; a restore is its own verb.
        if (parts.size() == 2 && parts[1] == "import")
            action += ".import";
        else if (!(parts.size() == 3 &&
                   (parts[2] == "restore" || parts[2] == "pause" || parts[2] == "resume")))
            action += "." + verb_of(req.method);
        if (body.is_object() && !body.empty()) {
            std::vector<std::string> fields;
            for (const auto& item : body.items()) fields.push_back(item.key());
            detail = store::fields_detail(std::move(fields));
        }
    }
    bool named = parts.size() > 1 && parts[1] != "import";
    return [this, parts, action = std::move(action), detail = std::move(detail),
            target = named ? parts[1] : std::string(), actor = who.name,
            done = std::move(done)](Response r) {
        if (r.status >= 200 && r.status < 300) {
            json answer = util::json_or_discarded(r.body);
            std::string what = detail;
            if (parts[0] == "templates" && answer.is_object())
                what = store::template_detail(
                    answer.value("name", target), answer.value("channel", std::string()),
                    answer.value("locale", std::string()), answer.value("version", 0LL),
                    answer.value("restored", 0LL));
            else if (action == "user.import" && answer.is_object())
                what = store::import_detail(answer.value("imported", 0LL));
            audit(actor, action, parts.size() > 1 ? target : created_name(answer), what);
        }
        done(std::move(r));
    };
}

void Api::get_audit(const Request& req, const Reply& done) {
    Millis since = 0;
    int limit = kDefaultLimit;
    for (const auto& [key, value] : req.query) {
        if (key == "since") {
            auto t = util::parse_time(value, util::now_ms(), "UTC");
            if (!t)
                return fail(done, make_error(ErrorKind::invalid, "invalid_filter",
                                             t.error().message, "since"));
            since = *t;
        } else if (key == "limit") {
            auto n = util::parse_whole(value, 1, kMaxLimit, "limit", "invalid_filter");
            if (!n) return fail(done, n.error());
            limit = static_cast<int>(*n);
        } else {
            return fail(done, make_error(ErrorKind::invalid, "unknown_filter",
                                         "unknown filter '" + log::clip(key) + "'" +
                                             util::did_you_mean(key, {"since", "limit"}),
                                         log::clip(key)));
        }
    }
    auto entries =
        trailing_->read([&](store::Store& s) { return store::read_audit(s, since, limit); });
    if (!entries)
        return fail(done, make_error(ErrorKind::unavailable, "store_unavailable",
                                     "the store cannot be read"));
    json list = json::array();
    for (const auto& e : *entries)
        list.push_back({{"seq", e.seq},
                        {"at", util::format_rfc3339(e.at)},
                        {"actor", e.actor},
                        {"action", e.action},
                        {"target", e.target},
                        {"detail", e.detail}});
    Response r;
    r.body =
        json{{"entries", std::move(list)}}.dump(-1, ' ', false, json::error_handler_t::replace);
    done(std::move(r));
}

}  // namespace notify::ingest
