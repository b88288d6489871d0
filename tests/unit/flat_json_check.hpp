// flat_json_check.hpp - whether the fast reader of flat objects read a text as
// nlohmann reads it, member by member: the unit tests and the wire fuzz
// target both ask.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "util/flat_json.hpp"

namespace notify::testing {

inline bool same_as_nlohmann(const util::FlatObject& flat, const std::string& text) {
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return false;  // taken here, refused there
    for (const auto& [name, value] : j.items()) {
        const util::FlatValue* v = flat.find(name);
        if (!v) return false;
        using Kind = util::FlatValue::Kind;
        switch (v->kind) {
            case Kind::text:
                if (!value.is_string() || value.get<std::string>() != v->text) return false;
                break;
            case Kind::integer:
                if (!value.is_number_integer() || value.get<std::int64_t>() != v->integer)
                    return false;
                break;
            case Kind::boolean:
                if (!value.is_boolean() || value.get<bool>() != v->boolean) return false;
                break;
            case Kind::null:
                if (!value.is_null()) return false;
                break;
            case Kind::texts:
                if (!value.is_array() || value.get<std::vector<std::string>>() != v->texts)
                    return false;
                break;
        }
    }
    return true;
}

}  // namespace notify::testing
