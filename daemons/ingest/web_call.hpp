// web_call.hpp - what a dashboard page is given: the browser's request, who is
// signed in and in which language, the JSON API on behalf of that key, and
// where to answer. Pages are views over the /v1/ API: they read and change
// through it, so the dashboard has the same checks (scope, limits, bounds),
// the same errors and the same audit log as any other client.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api.hpp"
#include "util/form.hpp"
#include "web_page.hpp"

namespace notify::ingest {

struct WebCall {
    Request req;  // the browser's request
    std::vector<std::string>
        parts;              // the path's segments: /notifications/N1 is {notifications, N1}
    util::FormFields form;  // a POST's fields (its CSRF token already checked)
    Lang lang = Lang::en;
    PageUser user;
    bool admin = false;
    std::function<void(Request, Reply)> api;  // a /v1/ request as the signed-in key
    Reply done;

    const char* t(std::string_view key) const { return tr(lang, key); }
    // A query parameter or form field, or "".
    std::string param(const std::string& name) const;
    // GET path?query, or POST/PUT path with a JSON body, as the signed-in key.
    // `then` gets the parsed answer when it is a 2xx; any other answer is shown
    // as an error page with the API's status and message.
    using Then = std::function<void(nlohmann::json)>;
    void get(const std::string& path, const util::FormFields& query, Then then) const;
    void change(const std::string& method, const std::string& path, const nlohmann::json& body,
                Then then) const;
    // As change(), but `then` gets the API's answer whatever its status, for a
    // page that shows a refusal in its own form (error_message()).
    void attempt(const std::string& method, const std::string& path, const nlohmann::json& body,
                 Reply then) const;
    // Answers with the layout around `body`.
    void page(int status, const std::string& title, const std::string& body) const;
    // The API's error answer as a page with its status and message.
    void error_page(const Response& answer) const;
    // 303 to `location` (a path on this site).
    void go(const std::string& location) const;
};

// The message of the API's error answer ({"error":{"message"}}), else its body.
std::string error_message(const Response& answer);

}  // namespace notify::ingest
