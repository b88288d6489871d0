// web_call.cpp - see web_call.hpp.
#include "web_call.hpp"

#include "util/json_parse.hpp"

namespace notify::ingest {

using nlohmann::json;

namespace {

// The answer's body as JSON; an answer that is not JSON (CSV) as its text.
json parsed(const Response& r) {
    json j = util::json_or_discarded(r.body);
    return j.is_discarded() ? json(r.body) : j;
}

}  // namespace

std::string WebCall::param(const std::string& name) const {
    if (auto it = req.query.find(name); it != req.query.end()) return it->second;
    return util::form_value(form, name);
}

void WebCall::get(const std::string& path, const util::FormFields& query, Then then) const {
    Request r;
    r.method = "GET";
    r.path = path;
    for (const auto& [name, value] : query)
        if (!value.empty()) r.query[name] = value;
    WebCall self = *this;
    api(std::move(r), [self, then = std::move(then)](Response answer) {
        if (answer.status / 100 != 2) return self.error_page(answer);
        then(parsed(answer));
    });
}

void WebCall::change(const std::string& method, const std::string& path, const json& body,
                     Then then) const {
    WebCall self = *this;
    attempt(method, path, body, [self, then = std::move(then)](Response answer) {
        if (answer.status / 100 != 2) return self.error_page(answer);
        then(parsed(answer));
    });
}

void WebCall::attempt(const std::string& method, const std::string& path, const json& body,
                      Reply then) const {
    Request r;
    r.method = method;
    r.path = path;
    r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    api(std::move(r), std::move(then));
}

void WebCall::page(int status, const std::string& title, const std::string& body) const {
    done(web_page(status, lang, title, body, user));
}

void WebCall::error_page(const Response& answer) const {
    page(answer.status, t("error"),
         "<h1 class=\"h3 mb-3\">" + std::string(t("error")) +
             "</h1><div class=\"alert alert-danger\" id=\"error\" data-status=\"" +
             std::to_string(answer.status) + "\">" + escape_html(error_message(answer)) + "</div>");
}

void WebCall::go(const std::string& location) const {
    done(redirect(location));
}

std::string error_message(const Response& answer) {
    json j = parsed(answer);
    std::string message = answer.body;
    if (j.is_object() && j.contains("error") && j["error"].is_object())
        message = j["error"].value("message", message);
    return message;
}

}  // namespace notify::ingest
