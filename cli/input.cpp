// input.cpp - reading and checking the values notifyctl sends, before anything
// leaves the machine: a bad value is refused here with a one-line reason.
#include "input.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <istream>
#include <iterator>

#include "model.hpp"
#include "util/json_parse.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace notify::cli {

Expected<std::string> text_or_file(const std::string& arg, const std::string& flag) {
    if (!util::starts_with(arg, "@")) return arg;
    std::string path = arg.substr(1), text;
    if (path.empty())
        return make_error(ErrorKind::usage, "usage",
                          flag + ": '@' needs a file name, as in @body.txt");
    std::ifstream file(path, std::ios::binary);
    if (!file)
        return make_error(ErrorKind::no_input, "no_input",
                          flag + ": cannot read '" + path + "': " + std::strerror(errno));
    return read_all(file);
}

std::string read_all(std::istream& in) {
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Status utf8_arg(std::string_view text, const std::string& what) {
    size_t at = util::invalid_utf8_at(text);
    if (at == std::string_view::npos) return ok();
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[at]));
    return make_error(
        ErrorKind::invalid, "invalid_utf8",
        what + " is not valid UTF-8 (byte " + byte + " at offset " + std::to_string(at) + ")");
}

Expected<nlohmann::json> data_object(const std::string& arg) {
    auto text = text_or_file(arg, "--data");
    if (!text) return text.error();
    if (auto st = utf8_arg(*text, "--data"); !st) return st.error();
    auto parsed = util::parse_json(*text, {.what = "the JSON"});
    if (!parsed) {
        Error e = parsed.error();
        if (e.code == "malformed_json") {
            e.code = "invalid_json";
            e.message =
                "not valid JSON" + e.message.substr(std::string_view("malformed JSON").size());
        }
        e.message = "--data: " + e.message;
        if (e.field.empty()) e.field = "data";
        return e;
    }
    nlohmann::json& j = *parsed;
    if (!j.is_object())
        return make_error(ErrorKind::invalid, "invalid_data",
                          std::string("--data: must be a JSON object like '{\"host\":\"db1\"}', "
                                      "not ") +
                              j.type_name(),
                          "data");
    return j;
}

Expected<std::string> priority_arg(const std::string& text, const std::string& flag) {
    if (parse_priority(text)) return text;
    return make_error(ErrorKind::usage, "invalid_priority",
                      flag + ": unknown priority '" + text + "'" +
                          util::did_you_mean(text, {"high", "medium", "low"}) +
                          " (high, medium or low)");
}

Expected<std::string> state_arg(const std::string& text, const std::string& flag) {
    if (parse_delivery_state(text)) return text;
    auto names = delivery_state_names();
    return make_error(ErrorKind::usage, "invalid_state",
                      flag + ": unknown state '" + text + "'" + util::did_you_mean(text, names) +
                          " (one of " + util::join(names, ", ") + ")");
}

Expected<std::string> time_arg(const std::string& text, const std::string& tz,
                               const std::string& flag) {
    auto t = util::parse_time(text, util::now_ms(), tz);
    if (!t) {
        Error e = t.error();
        e.message = flag + ": " + e.message;
        return e;
    }
    return util::format_rfc3339(*t);
}

}  // namespace notify::cli
