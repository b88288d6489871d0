// checks.cpp - the checks a template passes before it is stored (checks.hpp).
#include "template/checks.hpp"
#include "util/json_parse.hpp"

#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

namespace notify::tmpl {

namespace {

// Parses `text` and renders it once, which reaches its partials.
Status check_part(const std::string& label, std::string_view text, const PartialLoader& partials) {
    auto parsed = Template::parse(text);
    if (!parsed)
        return make_error(ErrorKind::invalid, "template_syntax",
                          label + ": " + parsed.error().message, label);
    std::vector<std::string> missing;
    RenderOptions options;
    options.partials = partials;
    options.missing = &missing;
    auto out = render(*parsed, nlohmann::json::object(), options);
    if (!out)
        return make_error(ErrorKind::invalid, "template_syntax", label + ": " + out.error().message,
                          label);
    return ok();
}

}  // namespace

Status check_template(const Parts& t, const PartialLoader& partials) {
    const std::pair<const char*, std::string_view> parts[] = {
        {"subject", t.subject}, {"text", t.text}, {"html", t.html}};
    for (const auto& [label, text] : parts)
        if (auto st = check_part(label, text, partials); !st) return st;
    if (t.params_json.empty()) return ok();
    auto params = util::json_or_discarded(t.params_json);
    if (!params.is_object()) return ok();  // normalized_params says why
    auto payload = params.find("payload");
    if (payload == params.end()) return ok();
    if (!payload->is_string())
        return make_error(ErrorKind::invalid, "invalid_params",
                          "params.payload must be a string: a template of the webhook's JSON body",
                          "params.payload");
    return check_part("params.payload", payload->get<std::string>(), partials);
}

Expected<std::string> normalized_params(const std::string& params_json, const std::string& what) {
    if (params_json.empty()) return std::string();
    auto j = util::json_or_discarded(params_json);
    if (j.is_discarded() || !j.is_object())
        return make_error(ErrorKind::invalid, "invalid_params", what + " must be a JSON object",
                          what);
    if (j.empty()) return std::string();
    return j.dump();
}

Status check_word(const std::string& value, const std::string& what) {
    bool good = !value.empty() && value.front() != '.';
    for (char c : value)
        good = good && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
    if (good) return ok();
    return make_error(ErrorKind::usage, "usage",
                      what + " '" + value +
                          "' must be letters, digits, '-', '_' or '.' (as password-reset, zh-CN)");
}

}  // namespace notify::tmpl
